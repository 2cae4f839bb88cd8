import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer

/// Builds the edge: its HTTP application, run so that a shutdown first drains the gateway's
/// clients over `drainWindowMs` (they reconnect elsewhere) while events still flow. The
/// executable and the tests both call this.
public func buildEdge(_ edge: Edge, logger: Logger = Logger(label: "switchboard.edge"),
                      onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
    DrainingService(buildEdgeApplication(edge, logger: logger, onServerRunning: { port in
        edge.boundPort.withLock { $0 = port }
        await onServerRunning(port)
    }), logger: logger) {
        await edge.gateway.drain(over: .milliseconds(Int(edge.configuration.drainWindowMs)))
    }
}

func buildEdgeApplication(_ edge: Edge, logger: Logger,
                          onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
    let router = Router(context: EdgeRequestContext.self)
    // Outermost, so that every answer (errors too) carries the request's id and is logged.
    router.add(middleware: RequestLogMiddleware())
    // Outside the error mapping, so that error answers carry the CORS headers too.
    router.add(middleware: WebClient.crossOrigin(EdgeRequestContext.self))
    router.add(middleware: ErrorMiddleware())
    if let root = edge.configuration.webRoot ?? WebClient.shippedRoot {
        router.add(middleware: WebClient.middleware(root: root, context: EdgeRequestContext.self))
    }
    router.add(middleware: ProxyFallbackMiddleware(edge: edge))
    EdgeRoutes.add(to: router, edge: edge)

    let webSockets = Router(context: ChannelWebSocketContext.self)
    webSockets.ws("/gateway") { inbound, outbound, context in
        await EdgeGatewayConnection(edge: edge, logger: context.logger).run(inbound: inbound, outbound: outbound, context: context)
    }

    var services: [any Service] = [edge.http, edge.origins, edge.gateway, edge.upstreams,
                                   EdgeRegistrar(configuration: edge.configuration, http: edge.http.client, edgeID: edge.edgeID,
                                                 publicURL: { edge.publicURL }, logger: logger)]
    if let certificates = edge.transport.certificates { services.append(CertificateReloader(certificates: certificates)) }

    return Application(
        responder: ErrorCatchingResponder(inner: router.buildResponder()),
        server: .switchboard(
            transport: edge.transport,
            webSocketRouter: webSockets,
            configuration: .switchboard(limits: edge.configuration.gateway)),
        configuration: .init(address: .hostname(edge.configuration.host, port: edge.configuration.port),
                             serverName: "switchboard-edge"),
        // Started in this order, stopped in reverse: the server first (its clients are told
        // to reconnect elsewhere while the feeds still run), then the registrar, the
        // upstreams, the gateway's timers, the origin probes, and the HTTP client last.
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

/// Whatever the edge's router has no route for under `/api/` or `/hooks/` goes to the origin
/// unchanged, so a client needs only the edge's address. (The router's "not found" runs
/// through its middleware, so this sees it as a thrown 404.)
struct ProxyFallbackMiddleware: RouterMiddleware {
    let edge: Edge

    func handle(_ request: Request, context: EdgeRequestContext,
                next: (Request, EdgeRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            guard path.hasPrefix("/api/") || path.hasPrefix("/hooks/") || path.hasPrefix("/files/") else { throw error }
            edge.metrics.proxied.increment()
            let caller = try? await edge.caller(request.headers[.authorization])
            return try await edge.proxy.forward(request, workspaceID: caller?.workspaceID, requestID: context.requestID,
                                                client: context.channel.remoteAddress?.ipAddress,
                                                scheme: edge.transport.certificates == nil ? "http" : "https")
        }
    }
}
