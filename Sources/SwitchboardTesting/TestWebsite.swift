import Foundation
import Hummingbird
import Logging
import SwitchboardServer
import SwitchboardLocking

/// A small website on an ephemeral loopback port, for link previews: fixed pages by path,
/// and a count of the requests each path received.
public struct TestWebsite: Sendable {
    public struct Page: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String
        public var location: String?

        public init(status: Int = 200, contentType: String = "text/html; charset=utf-8", body: String = "", location: String? = nil) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.location = location
        }

        /// A redirect to `location`.
        public static func redirect(to location: String) -> Page { Page(status: 302, body: "", location: location) }
    }

    public let port: Int
    private let hits: Locked<[String: Int]>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Requests `path` received so far.
    public func hits(_ path: String) -> Int { hits.withLock { $0[path] ?? 0 } }

    public static func with<T: Sendable>(_ pages: [String: Page], _ body: (TestWebsite) async throws -> T) async throws -> T {
        let hits = Locked<[String: Int]>([:])
        let router = Router()
        for (path, page) in pages {
            router.get(RouterPath(path)) { _, _ -> Response in
                hits.withLock { $0[path, default: 0] += 1 }
                var headers = HTTPFields()
                headers[.contentType] = page.contentType
                if let location = page.location { headers[.location] = location }
                return Response(status: .init(code: page.status), headers: headers,
                                body: ResponseBody(byteBuffer: ByteBuffer(string: page.body)))
            }
        }
        var logger = Logger(label: "test-website")
        logger.logLevel = .warning
        return try await withTestServer(name: "website", logger: logger, build: { onRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        }) { port in
            try await body(TestWebsite(port: port, hits: hits))
        }
    }
}
