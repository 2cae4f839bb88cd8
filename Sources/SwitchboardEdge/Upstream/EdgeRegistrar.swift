import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer
import SwitchboardLocking

/// Announces this edge (id, region, public URL) to the origin every few seconds, so that
/// `GET /api/edges` lists it and clients can pick the nearest edge.
struct EdgeRegistrar: Service {
    let configuration: EdgeConfiguration
    let http: HTTPClient
    let edgeID: String
    /// Nil until known (a port of 0 is chosen when the server binds).
    let publicURL: @Sendable () -> String?
    let logger: Logger
    static let intervalMs: UInt64 = 10_000

    func run() async throws {
        let nextMs = Locked<UInt64>(0)
        await runPeriodically(every: .milliseconds(100)) {
            let nowMs = WallClock.nowMs()
            guard nowMs >= nextMs.value, let url = publicURL() else { return }
            nextMs.withLock { $0 = nowMs + Self.intervalMs }
            // Every process lists every edge (`GET /api/edges` may reach any of them).
            for originURL in configuration.origins.urls { await announce(url, to: originURL) }
        }
    }

    private func announce(_ publicURL: String, to originURL: String) async {
        do {
            var request = HTTPClientRequest(url: originURL + "/api/edges/" + edgeID)
            request.method = .PUT
            request.headers.add(name: "X-Edge-Key", value: configuration.edgeKey)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSON.encode(EdgeRegistration(region: configuration.region,
                                                                                     publicURL: publicURL))))
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 64 << 10)
            if response.status.code != 200 {
                logger.warning("the origin refused the edge's registration", metadata: [
                    "origin": "\(originURL)", "status": "\(response.status.code)", "body": "\(String(buffer: body))",
                ])
            }
        } catch {
            logger.debug("registering with the origin failed", metadata: ["error": "\(error)"])
        }
    }
}
