import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge

/// A real edge on an ephemeral loopback port, fed by a running origin.
public struct TestEdge: Sendable {
    public let edge: Edge
    public let port: Int
    public let dataDirectory: String

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var anonymous: SwitchboardClient { SwitchboardClient(baseURL: baseURL) }

    /// A client of this edge acting with `token`.
    public func client(token: String?) -> SwitchboardClient { SwitchboardClient(baseURL: baseURL, token: token) }

    /// Runs `body` against an edge of `originURL`; pass `dataDirectory` to keep (and reuse)
    /// its LMDB state across runs.
    public static func with<T: Sendable>(
        originURL: String, tokenSecret: String, dataDirectory: String? = nil, region: String = "test",
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
        configure(&configuration)
        var logger = Logger(label: "test-edge")
        logger.logLevel = .warning
        let edge = try await Edge(configuration: configuration, logger: logger)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let app = buildEdge(edge, logger: logger) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        // The server runs in its own task: a test waits for its shutdown only so long, and a
        // shutdown that does not complete is reported instead of hanging the whole run.
        let runner = Task {
            defer { portContinuation.finish() }
            try await services.run()
        }
        var port = 0
        for await bound in ports { port = bound }
        guard port != 0 else {
            _ = try await runner.value
            throw TestServerError(description: "the edge did not start")
        }
        let running = TestEdge(edge: edge, port: port, dataDirectory: directory)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(running))
        } catch {
            result = .failure(error)
        }
        await services.triggerGracefulShutdown()
        if !(await waitForCompletion(of: runner, seconds: 20)) {
            logger.error("the edge on port \(port) did not shut down within 20 s; carrying on")
        }
        try? edge.store.sync()
        return try result.get()
    }
}
