import Hummingbird
import NIOCore
import SwitchboardCore
import SwitchboardServer

/// Whole-session reads: search and the legacy full bootstrap.
enum SessionRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.get("/api/search") { request, _ in
            let caller = try await origin.caller(request)
            return try await origin.chat.search(caller, query: request.queryString("q") ?? "",
                                                channelID: try request.queryID("channel_id"),
                                                authorID: try request.queryID("from"), before: try request.queryID("before"),
                                                limit: try request.queryInt("limit"))
        }
        router.get("/api/rtm.start") { request, _ in
            let caller = try await origin.caller(request)
            let focus = try request.queryID("focus")
            // Check what can fail on the caller's input before the 200 goes out: once streaming
            // starts, an error can only cut the body short.
            _ = try await origin.chat.me(caller)
            if let focus { try await origin.chat.requireMember(caller, focus) }
            origin.metrics.fullBootstraps.increment()
            let chat = origin.chat
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: ResponseBody { writer in
                                // `writer.write` suspends while the socket is not writable, which
                                // paces the database reads: memory stays at about one chunk.
                                try await chat.writeFullBootstrap(caller, focus: focus) { chunk in
                                    try await writer.write(ByteBuffer(bytes: chunk))
                                }
                                try await writer.finish(nil)
                            })
        }
    }
}
