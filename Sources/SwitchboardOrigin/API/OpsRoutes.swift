import SwitchboardServer
import Hummingbird
import NIOCore
import SwitchboardCore

/// Liveness and metrics.
enum OpsRoutes {
    static let version = "0.1.0"

    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.get("/healthz") { _, _ in
            HealthResponse(status: "ok", role: "origin", version: version, uptimeMs: WallClock.nowMs() - origin.startedAtMs)
        }
        router.get("/api/edges") { _, _ in
            EdgesResponse(edges: origin.edges.edges)
        }
        // Edges announce their region and public URL every few seconds (edge key required).
        router.put("/api/edges/:edge") { request, context in
            try await origin.authorizeEdge(request.headers, channel: context.channel)
            let body = try await request.json(EdgeRegistration.self, context: context)
            guard let edgeID = context.parameters.get("edge"), !edgeID.isEmpty, edgeID.count <= 100 else {
                throw SwitchboardError.badRequest("invalid edge id")
            }
            origin.edges.register(edgeID: edgeID, region: try Validation.text(body.region, field: "region", max: 64),
                                  publicURL: try Validation.text(body.publicURL, field: "public_url", max: 500))
            return EmptyResponse()
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: origin.metrics.render() + ProcessMetrics.text())))
        }
    }
}
