import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardTLS

/// A real edge on an ephemeral loopback port, fed by a running origin.
public struct TestEdge: Sendable {
    public let edge: Edge
    public let port: Int
    public let dataDirectory: String
    /// How this test's clients verify the edge over TLS.
    public let tls: ClientTLS

    public var baseURL: String { "\(edge.transport.scheme)://127.0.0.1:\(port)" }
    public var gatewayURL: String { SwitchboardClient.webSocketURL(baseURL) + "/gateway" }
    public var anonymous: SwitchboardClient { SwitchboardClient(baseURL: baseURL, tls: tls, timeout: .testRequest) }

    /// A client of this edge acting with `token`.
    public func client(token: String?) -> SwitchboardClient { SwitchboardClient(baseURL: baseURL, token: token, tls: tls, timeout: .testRequest) }

    /// Runs `body` against an edge of `originURL`; pass `dataDirectory` to keep (and reuse)
    /// its LMDB state across runs.
    public static func with<T: Sendable>(
        originURL: String, tokenSecret: String, dataDirectory: String? = nil, region: String = "test", tls: ClientTLS = .environment,
        configure: (inout EdgeConfiguration) -> Void = { _ in },
        _ body: (TestEdge) async throws -> T
    ) async throws -> T {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-edge-\(UUID().uuidString)").path
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var configuration = EdgeConfiguration(host: "127.0.0.1", port: 0, originURL: originURL, edgeKey: TestOrigin.edgeKey,
                                              tokenSecret: tokenSecret, dataDirectory: directory, region: region,
                                              edgeID: "edge-\(region)")
        configuration.mapSize = 256 << 20
        configuration.durable = false
        configuration.drainWindowMs = 100
        configure(&configuration)
        var logger = Logger(label: "test-edge")
        logger.logLevel = .warning
        let edge = try await Edge(configuration: configuration, logger: logger)
        defer { try? edge.store.sync() }
        return try await withTestServer(name: "edge", logger: logger, build: { onRunning in
            buildEdge(edge, logger: logger, onServerRunning: onRunning)
        }) { port in
            try await body(TestEdge(edge: edge, port: port, dataDirectory: directory, tls: tls))
        }
    }
}
