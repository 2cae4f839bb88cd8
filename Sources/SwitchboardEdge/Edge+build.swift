import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardHTTP

/// Builds the edge's HTTP application. The executable and the tests both call this.
public func buildEdge(_ edge: Edge, logger: Logger = Logger(label: "switchboard.edge"),
                      onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router()
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: ProxyFallbackMiddleware(edge: edge))
    EdgeRoutes.add(to: router, edge: edge)
    return Application(
        responder: ErrorCatchingResponder(inner: router.buildResponder()),
        // Idle HTTP connections are closed after a while, so a drain never waits on them for long.
        server: .http1(configuration: .init(idleTimeout: .seconds(75))),
        configuration: .init(address: .hostname(edge.configuration.host, port: edge.configuration.port),
                             serverName: "switchboard-edge"),
        // The upstreams start before the server and stop after it.
        // Stopped in reverse: server, registrar, upstreams, and the HTTP client last.
        services: [edge.http, edge.upstreams,
                   EdgeRegistrar(configuration: edge.configuration, http: edge.http.client, edgeID: edge.edgeID,
                                 publicURL: edge.publicURL, logger: logger)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

/// Whatever the edge's router has no route for under `/api/` or `/hooks/` goes to the origin
/// unchanged, so a client needs only the edge's address. (The router's "not found" runs
/// through its middleware, so this sees it as a thrown 404.)
struct ProxyFallbackMiddleware<Context: RequestContext>: RouterMiddleware {
    let edge: Edge

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            guard path.hasPrefix("/api/") || path.hasPrefix("/hooks/") else { throw error }
            edge.metrics.proxied.increment()
            return try await edge.proxy.forward(request)
        }
    }
}
