import SwitchboardServer
import Hummingbird
import NIOCore
import SwitchboardCore

/// Liveness, readiness, the edge directory and metrics.
enum OpsRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.get("/healthz") { _, _ in
            Health.liveness(role: "origin", startedAtMs: origin.startedAtMs)
        }
        // Ready: not shutting down, and the store (open and migrated, or the origin would not
        // have started) answers a query within 2 s.
        router.get("/readyz") { _, context in
            var reasons: [String] = []
            if origin.draining.value { reasons.append("draining") }
            do {
                try await Health.within(.seconds(2), "the store") { try await origin.store.checkHealth() }
            } catch {
                context.logger.warning("not ready: the store did not answer", metadata: ["error": "\(error)"])
                reasons.append("storage: not answering")
            }
            return Health.readiness(role: "origin", reasons: reasons)
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
