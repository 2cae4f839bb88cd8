import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import Testing
import SwitchboardLocking

/// `/healthz` answers while the process runs; `/readyz` says whether to send it traffic: an
/// origin while its store answers and it is not shutting down, an edge once the workspaces it
/// warms have their copies and until it drains.
@Suite struct ReadinessTests {
    static func readiness(_ client: SwitchboardClient) async throws -> (status: Int, body: ReadinessResponse) {
        let (status, body) = try await client.raw(.GET, "/readyz")
        return (status, try JSON.decode(ReadinessResponse.self, from: body))
    }

    @Test func theOriginIsReadyWithItsStoreAndSaysWhichBuildItIs() async throws {
        try await TestOrigin.with { origin in
            let health = try await origin.anonymous.health()
            let version = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../VERSION").path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(health.version.hasPrefix(version + "+"), "\(health.version)")
            // (A store that takes over 2 s to answer makes it not ready: a busy test machine may, at first.)
            let body = try await eventually(timeout: .seconds(30)) { () -> ReadinessResponse? in
                let (status, body) = try await Self.readiness(origin.anonymous)
                return status == 200 ? body : nil
            }
            #expect(body.status == "ready" && body.reasons.isEmpty && body.role == "origin")
        }
    }

    @Test func anEdgeIsNotReadyUntilItsWorkspacesAreLoadedNorWhileItDrains() async throws {
        let secret = TestOrigin.randomSecret()
        let originDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ready-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: originDirectory) }
        let port = try ReusablePort.pick()
        let ws = try await EdgeRestartTests.onPort {
            try await TestOrigin.with(dataDirectory: originDirectory, port: port, tokenSecret: secret) { origin in
                try await TestWorkspace.make(on: origin, handles: ["alice"])
            }
        }
        let probes = Locked<[(Int, ReadinessResponse)]>([])
        let prober = Locked<Task<Void, Never>?>(nil)
        try await TestEdge.with(originURL: "http://127.0.0.1:\(port)", tokenSecret: secret,
                                configure: { $0.workspaces = ["\(ws.workspace.id)"]; $0.drainWindowMs = 3_000 }) { edge in
            // The origin is down and the edge has no copy yet.
            let loading = try await Self.readiness(edge.anonymous)
            #expect(loading.status == 503 && loading.body.reasons.contains { $0.contains("\(ws.workspace.id)") }, "\(loading)")
            try await EdgeRestartTests.onPort {
                try await TestOrigin.with(dataDirectory: originDirectory, port: port, tokenSecret: secret) { _ in
                    let ready = try await eventually(timeout: .seconds(45)) { () -> ReadinessResponse? in
                        let (status, body) = try await Self.readiness(edge.anonymous)
                        return status == 200 ? body : nil
                    }
                    #expect(ready.feeds?["\(ws.workspace.id)"] == "current" && ready.reasons.isEmpty)
                }
            }
            // The origin went away again: the copy serves as it is, and the edge stays ready.
            let stale = try await eventually(timeout: .seconds(20)) { () -> ReadinessResponse? in
                let (status, body) = try await Self.readiness(edge.anonymous)
                return status == 200 && body.feeds?["\(ws.workspace.id)"] == "stale" ? body : nil
            }
            #expect(stale.isReady)
            // Probe through the shutdown that follows this block.
            let client = edge.anonymous
            prober.withLock { $0 = Task {
                for _ in 0..<200 {
                    guard let probe = try? await Self.readiness(client) else { return }  // closed: the drain is over
                    probes.withLock { $0.append(probe) }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            } }
            try await Task.sleep(for: .milliseconds(200))
        }
        await prober.value?.value
        let seen = probes.value
        #expect(seen.contains { $0.0 == 503 && $0.1.reasons == ["draining"] }, "\(seen.map { $0.0 })")
    }
}
