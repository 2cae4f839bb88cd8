import Hummingbird

/// Counts requests and times them into ``OriginMetrics``, labelled by route template
/// (`/api/channels/{id}/messages`), never by raw path, so label cardinality stays bounded.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: OriginMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.requests(method: request.method.rawValue, route: route, status: response.status.code).increment()
        metrics.requestDuration(route: route).record(ContinuousClock.now - start)
        return response
    }
}
