import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `kill -9` of the origin process (on SQLite, or PostgreSQL in the PostgreSQL pass) while a
/// client sends through an edge; the origin is started again on its port. The edge's feed
/// resumes after the last seq it applied — no second snapshot —, the send in flight at the
/// kill is acknowledged late (the edge sends it again with its nonce), every acknowledged
/// message is stored once, and a viewer's stream has no gap.
@Suite struct OriginKillTests {
    @Test func aKilledOriginComesBackAndTheEdgeResumesBySeqWithNothingLostOrDoubled() async throws {
        let secret = TestOrigin.randomSecret()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("origin-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func start(port: Int) async throws -> OriginProcess {
            try await OriginProcess(dataDirectory: directory, adminKey: TestOrigin.adminKey, tokenSecret: secret, port: port,
                                    environment: ["SWITCHBOARD_EDGE_KEY": TestOrigin.edgeKey])
        }
        var origin: OriginProcess?
        for _ in 0..<20 where origin == nil {
            do { origin = try await start(port: try ReusablePort.pick()) } catch where "\(error)".contains("Address already in use") { continue }
        }
        var first = try #require(origin)
        let port = first.port
        defer { first.stop() }
        let admin = SwitchboardClient(baseURL: first.baseURL, adminKey: TestOrigin.adminKey, timeout: .testRequest)
        let workspace = try await admin.createWorkspace(name: "Kill")
        let alice = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "alice", displayName: "Alice")).token
        let bob = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "bob", displayName: "Bob")).token
        let general = try #require(workspace.generalChannelID)

        try await TestEdge.with(originURL: first.baseURL, tokenSecret: secret, configure: { $0.gateway.commandsPerWindow = 100_000 }) { edge in
            let viewer = FeedFaultTests.LiveRecorder()
            let session = LiveSession(token: bob, focus: general) { edge.baseURL }
            let runner = Task { await session.run { viewer.record($0) } }
            defer { runner.cancel() }
            _ = try await eventually { viewer.connections > 0 ? true : nil }

            // The sender follows the protocol: an `unavailable` send is sent again, same nonce.
            let sender = try await GatewaySocket.identify(edge.gatewayURL, token: alice, focus: general, mailboxCapacity: 4_096)
            // A busy machine stretches the sends past the heartbeat window: without heartbeats
            // the edge closes the sender's socket (as CI saw, NIOAsyncWriterError.alreadyFinished).
            let heartbeats = FeedFaultTests.heartbeat([sender])
            defer { heartbeats.cancel() }
            var acknowledged: [Snowflake] = []
            var retried = 0
            var restart: Task<OriginProcess, any Error>?
            for number in 1...300 {
                let (id, retries) = try await FeedFaultTests.send(number, in: general, over: sender.socket)
                acknowledged.append(id)
                retried += retries
                if number == 100 {
                    first.kill()
                    // Back a moment later, on the same port and store, while sends keep coming.
                    restart = Task {
                        try await Task.sleep(for: .milliseconds(500))
                        return try await EdgeRestartTests.onPort { try await start(port: port) }
                    }
                }
            }
            first = try await #require(restart).value
            print("origin kill: 300 sends through the edge, \(retried) answered unavailable and sent again")

            // Stored once each, in the order they were acknowledged.
            let reader = SwitchboardClient(baseURL: first.baseURL, token: bob, timeout: .testRequest)
            #expect(try await FeedFaultTests.history(general, client: reader) == acknowledged)
            // The viewer's stream: every acknowledged message once, in order, across the restart.
            _ = try await eventually(timeout: .seconds(60)) { viewer.messages.count >= acknowledged.count ? true : nil }
            #expect(viewer.messages == acknowledged)
            // Resumed by seq: the edge took one snapshot (its first feed), the new origin sent none.
            #expect(try await edge.anonymous.metric("switchboard_edge_snapshots_total") == 1)
            #expect(try await SwitchboardClient(baseURL: first.baseURL, timeout: .testRequest).metric("switchboard_feed_snapshots_total") == 0)
            #expect(try await edge.anonymous.metric("switchboard_edge_upstream_connects_total") >= 2)
            await sender.socket.close()
        }
    }
}
