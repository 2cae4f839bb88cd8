import AsyncHTTPClient
import ServiceLifecycle

/// An HTTP client owned by a server process: its connections (to the origin, to a push
/// webhook) close when the process shuts down, so the peer is not left waiting on them.
/// List it before the services that use it: it stops after them.
public final class HTTPClientService: Service, Sendable {
    public let client: HTTPClient

    public init(configuration: HTTPClient.Configuration = HTTPClient.Configuration()) {
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run() async throws {
        let stopped = ShutdownFlag()
        await withGracefulShutdownHandler {
            while !stopped.isSet && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
            }
        } onGracefulShutdown: {
            stopped.set()
        }
        try await client.shutdown()
    }
}
