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
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: origin.metrics.render())))
        }
    }
}
