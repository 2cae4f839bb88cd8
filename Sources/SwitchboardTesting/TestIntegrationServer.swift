import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchboardServer
import SwitchboardLocking

/// An integration's server on an ephemeral loopback port: records every POST (headers and
/// body) and answers each path with a fixed JSON body (or status).
public struct TestIntegrationServer: Sendable {
    public struct Call: Sendable {
        public var path: String
        public var timestamp: String?
        public var signature: String?
        public var body: [UInt8]
    }

    public let port: Int
    private let received: Locked<[Call]>

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var calls: [Call] { received.withLock { $0 } }

    /// `answers`: path → (status, JSON body).
    public static func with<T: Sendable>(_ answers: [String: (status: Int, body: String)],
                                         _ body: (TestIntegrationServer) async throws -> T) async throws -> T {
        let received = Locked<[Call]>([])
        let router = Router()
        for (path, answer) in answers {
            router.post(RouterPath(path)) { request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 1 << 20)
                received.withLock {
                    $0.append(Call(path: path, timestamp: request.headers[HTTPField.Name("X-Switchboard-Timestamp")!],
                                   signature: request.headers[HTTPField.Name("X-Switchboard-Signature")!],
                                   body: Array(buffer: bytes)))
                }
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                return Response(status: .init(code: answer.status), headers: headers,
                                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
            }
        }
        var logger = Logger(label: "test-integration-server")
        logger.logLevel = .warning
        return try await withTestServer(name: "integrations", logger: logger, build: { onRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) }, logger: logger)
        }) { port in
            try await body(TestIntegrationServer(port: port, received: received))
        }
    }
}
