import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardServer

enum MessageRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        let chat = origin.chat
        router.post("/api/channels/:channel/messages") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(PostMessageRequest.self, context: context)
            do {
                let result = try await chat.postMessage(caller, channelID: try context.id("channel"), body)
                (result.created ? origin.metrics.messagesPosted : origin.metrics.nonceReplays).increment()
                return EditedResponse(status: result.created ? .created : .ok, response: MessageResponse(message: result.message))
            } catch let error as SwitchboardError where error.code == .rateLimited {
                origin.metrics.rateLimited.increment()
                throw error
            }
        }
        router.get("/api/channels/:channel/messages") { request, context in
            let caller = try await origin.caller(request)
            return try await chat.messages(caller, channelID: try context.id("channel"), before: try request.queryID("before"),
                                           after: try request.queryID("after"), limit: try request.queryInt("limit"),
                                           reactors: request.queryString("reactors") == "true")
        }
        router.patch("/api/channels/:channel/messages/:message") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(EditMessageRequest.self, context: context)
            return MessageResponse(message: try await chat.editMessage(caller, channelID: try context.id("channel"),
                                                                       messageID: try context.id("message"), body))
        }
        router.delete("/api/channels/:channel/messages/:message") { request, context in
            let caller = try await origin.caller(request)
            try await chat.deleteMessage(caller, channelID: try context.id("channel"), messageID: try context.id("message"))
            return EmptyResponse()
        }
        router.put("/api/channels/:channel/messages/:message/follow") { request, context in
            let caller = try await origin.caller(request)
            try await chat.setFollow(caller, channelID: try context.id("channel"), threadID: try context.id("message"), following: true)
            return EmptyResponse()
        }
        router.delete("/api/channels/:channel/messages/:message/follow") { request, context in
            let caller = try await origin.caller(request)
            try await chat.setFollow(caller, channelID: try context.id("channel"), threadID: try context.id("message"), following: false)
            return EmptyResponse()
        }
        router.post("/api/channels/:channel/messages/:message/replies/read") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(MarkReadRequest.self, context: context)
            try await chat.markThreadRead(caller, channelID: try context.id("channel"), threadID: try context.id("message"),
                                          messageID: body.messageID)
            return EmptyResponse()
        }
        router.get("/api/threads") { request, _ in
            let caller = try await origin.caller(request)
            return ThreadsResponse(threads: try await chat.followedThreads(caller, limit: try request.queryInt("limit")))
        }
        router.get("/api/channels/:channel/messages/:message/replies") { request, context in
            let caller = try await origin.caller(request)
            return try await chat.replies(caller, channelID: try context.id("channel"), threadID: try context.id("message"),
                                          after: try request.queryID("after"), limit: try request.queryInt("limit"))
        }
        router.put("/api/channels/:channel/messages/:message/reactions/:emoji") { request, context in
            try await react(request, context, present: true)
        }
        router.delete("/api/channels/:channel/messages/:message/reactions/:emoji") { request, context in
            try await react(request, context, present: false)
        }
        // The seed clients' form of the same calls (Discord's): the reacting user is the caller.
        router.post("/api/channels/:channel/messages/:message/reactions/:emoji/@me") { request, context in
            try await react(request, context, present: true)
        }
        router.delete("/api/channels/:channel/messages/:message/reactions/:emoji/@me") { request, context in
            try await react(request, context, present: false)
        }

        @Sendable func react(_ request: Request, _ context: OriginRequestContext, present: Bool) async throws -> EmptyResponse {
            let caller = try await origin.caller(request)
            let raw = context.parameters.get("emoji") ?? ""
            try await chat.setReaction(caller, channelID: try context.id("channel"), messageID: try context.id("message"),
                                       emoji: raw.removingPercentEncoding ?? raw, present: present)
            return EmptyResponse()
        }
    }
}
