import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardCore

/// Builds the origin's HTTP application. The executable and the tests both call this.
public func buildOrigin(_ origin: Origin, logger: Logger = Logger(label: "switchboard.origin"),
                        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router(context: OriginRequestContext.self)
    // Middleware applies to the routes added after it: metrics outermost so it sees the
    // status the error middleware chose.
    router.add(middleware: RequestMetricsMiddleware(metrics: origin.metrics))
    router.add(middleware: ErrorMiddleware())
    AdminRoutes.add(to: router, origin: origin)
    UserRoutes.add(to: router, origin: origin)
    ChannelRoutes.add(to: router, origin: origin)
    MessageRoutes.add(to: router, origin: origin)
    SessionRoutes.add(to: router, origin: origin)
    OpsRoutes.add(to: router, origin: origin)

    return Application(
        responder: ErrorCatchingResponder(inner: router.buildResponder()),
        configuration: .init(address: .hostname(origin.configuration.host, port: origin.configuration.port),
                             serverName: "switchboard-origin"),
        services: [MaintenanceService(store: origin.store)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

/// Opens the store and builds the application in one call.
public func buildOrigin(_ configuration: OriginConfiguration,
                        logger: Logger = Logger(label: "switchboard.origin")) async throws -> some ApplicationProtocol {
    buildOrigin(try await Origin(configuration: configuration), logger: logger)
}

/// Periodic housekeeping: drops nonces older than the de-duplication window.
struct MaintenanceService: Service {
    let store: any Store

    func run() async throws {
        // Sleeping is cancelled as soon as a graceful shutdown begins.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(60))
                try? await store.purgeNonces(olderThanMs: WallClock.nowMs() - 2 * Limits.nonceWindowMs)
            }
        }
    }
}
