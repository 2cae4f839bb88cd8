import Logging
import ServiceLifecycle

/// Runs a server so that a shutdown first drains its clients — while it still serves them —
/// and only then reaches the server itself.
///
/// The server runs in a detached task with a service group of its own: the WebSocket library
/// closes every socket with a plain "normal closure" the moment its connections see a
/// graceful shutdown, which would cut the drain short. So the shutdown signal stops here,
/// `drain` runs (telling clients to reconnect elsewhere), and then the inner group shuts down.
public struct DrainingService<Inner: Service>: Service {
    let inner: Inner
    let logger: Logger
    let drain: @Sendable () async -> Void

    public init(_ inner: Inner, logger: Logger, drain: @escaping @Sendable () async -> Void) {
        self.inner = inner
        self.logger = logger
        self.drain = drain
    }

    public func run() async throws {
        let group = ServiceGroup(configuration: .init(services: [inner], logger: logger))
        let running = Task.detached { try await group.run() }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await running.value
            } onGracefulShutdown: {
                Task {
                    await drain()
                    await group.triggerGracefulShutdown()
                }
            }
        } onCancel: {
            running.cancel()
        }
    }
}
