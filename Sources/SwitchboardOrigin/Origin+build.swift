import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer

/// Builds the origin: its HTTP application, run so that a shutdown first tells the gateway's
/// clients to reconnect (they resume elsewhere or here after a restart) while it still serves.
/// The executable and the tests both call this.
public func buildOrigin(_ origin: Origin, logger: Logger = Logger(label: "switchboard.origin"),
                        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
    DrainingService(buildOriginApplication(origin, logger: logger, onServerRunning: onServerRunning), logger: logger) {
        origin.draining.withLock { $0 = true }
        await origin.sessions.drain()
    }
}

func buildOriginApplication(_ origin: Origin, logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
    let router = Router(context: OriginRequestContext.self)
    // Outermost, so that every answer (errors too) carries the request's id and is logged.
    router.add(middleware: RequestLogMiddleware())
    // Middleware applies to the routes added after it: metrics outermost so it sees the
    // status the error middleware chose.
    router.add(middleware: RequestMetricsMiddleware(metrics: origin.metrics))
    // Outside the error mapping, so that error answers carry the CORS headers too.
    router.add(middleware: WebClient.crossOrigin(OriginRequestContext.self))
    router.add(middleware: ErrorMiddleware())
    if let root = origin.configuration.webRoot ?? WebClient.shippedRoot {
        router.add(middleware: WebClient.middleware(root: root, context: OriginRequestContext.self))
    }
    AdminRoutes.add(to: router, origin: origin)
    AuthRoutes.add(to: router, origin: origin)
    UserRoutes.add(to: router, origin: origin)
    ChannelRoutes.add(to: router, origin: origin)
    MessageRoutes.add(to: router, origin: origin)
    HookRoutes.add(to: router, origin: origin)
    AdministrationRoutes.add(to: router, origin: origin)
    AttachmentRoutes.add(to: router, origin: origin)
    SessionRoutes.add(to: router, origin: origin)
    OpsRoutes.add(to: router, origin: origin)

    // WebSocket upgrades have their own small router.
    let webSockets = Router(context: ChannelWebSocketContext.self)
    webSockets.ws("/gateway") { inbound, outbound, context in
        await GatewayConnection(origin: origin, logger: context.logger).run(inbound: inbound, outbound: outbound, context: context)
    }
    webSockets.ws("/edge/feed") { request, context in
        // Refused before the upgrade (the edge sees a 400); the reason is logged here.
        do {
            _ = try await origin.feedRequest(request, channel: context.channel)
        } catch {
            context.logger.warning("edge feed refused", metadata: [
                "reason": "\(ErrorResponses.map(error).message)", "edge_id": "\(request.uri.queryParameters["edge_id"] ?? "?")",
                "remote": "\(context.channel.remoteAddress?.description ?? "?")",
            ])
            throw error
        }
        return .upgrade([:])
    } onUpgrade: { inbound, outbound, context in
        guard let request = try? await origin.feedRequest(context.request, channel: nil) else { return }
        await EdgeFeedConnection(origin: origin, request: request, logger: context.logger).run(inbound: inbound, outbound: outbound)
    }

    var services: [any Service] = [StoreService(store: origin.store, events: origin.events), origin.http, origin.events,
                                   origin.presence, origin.sessions, origin.notifier, origin.unfurler,
                                   MaintenanceService(store: origin.store, configuration: origin.configuration),
                                   origin.chat.access, origin.integrations]
    if let certificates = origin.transport.certificates { services.append(CertificateReloader(certificates: certificates)) }

    return Application(
        responder: ErrorCatchingResponder(inner: router.buildResponder()),
        server: .switchboard(
            transport: origin.transport,
            webSocketRouter: webSockets,
            configuration: .switchboard(limits: origin.configuration.gateway)),
        configuration: .init(address: .hostname(origin.configuration.host, port: origin.configuration.port),
                             serverName: "switchboard-origin"),
        // Started in this order, stopped in reverse: the server (added last by Hummingbird)
        // stops first.
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

/// Opens the store and builds the origin in one call.
public func buildOrigin(_ configuration: OriginConfiguration,
                        logger: Logger = Logger(label: "switchboard.origin")) async throws -> some Service {
    buildOrigin(try await Origin(configuration: configuration), logger: logger)
}

/// Owns the store's lifetime: hears of commits by other origin processes sharing it (and
/// pokes the event hub), and closes it after every other service has stopped (it is first in
/// the list, so it is stopped last).
struct StoreService: Service {
    let store: any Store
    let events: EventHub

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await store.watchCommits { workspaceID in
                if let workspaceID { events.poke(workspaceID) } else { events.pokeAll() }
            }
        }
        await store.close()
    }
}

/// Periodic housekeeping: drops nonces older than the de-duplication window and events
/// beyond the log's retention.
struct MaintenanceService: Service {
    let store: any Store
    let configuration: OriginConfiguration

    func run() async throws {
        await runPeriodically(every: .seconds(60)) {
            let nowMs = WallClock.nowMs()
            try? await store.purgeNonces(olderThanMs: nowMs - 2 * Limits.nonceWindowMs)
            try? await store.purgeEvents(keepingLast: configuration.eventRetentionCount,
                                         olderThanMs: nowMs - min(nowMs, configuration.eventRetentionMs))
        }
    }
}
