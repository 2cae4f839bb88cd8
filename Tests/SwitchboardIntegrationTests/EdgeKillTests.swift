import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `kill -9` of an edge process under send load: the clients move to the other edge of their
/// list; every acknowledged send is stored once, the send in flight at the kill — sent again
/// with its nonce at the other edge — is never duplicated, and a viewer's stream has no gap.
@Suite struct EdgeKillTests {
    @Test func aKilledEdgesClientsCarryOnAtTheOtherEdgeWithNothingLostOrDoubled() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            let general = try await ws.client("alice").general().id
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-kill-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let doomed = try await EdgeProcess(originURL: origin.baseURL, tokenSecret: secret, dataDirectory: directory + "/doomed",
                                               region: "doomed")
            var killed = false
            defer { if !killed { doomed.stop() } }
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "survivor",
                                    configure: { $0.gateway.commandsPerWindow = 100_000 }) { survivor in
                let edges = [doomed.baseURL, survivor.baseURL]
                // The viewer's list of edges, the doomed one first (the nearest, say): the SDK's
                // session moves down the list when its edge stops answering.
                let viewer = FeedFaultTests.LiveRecorder()
                // (A dead edge refuses at once; the generous timeout is for a busy machine's live one.)
                let session = LiveSession(token: ws.client("bob").token!, focus: general) {
                    try await SwitchboardClient(baseURL: origin.baseURL, timeout: .testRequest).nearestEdge(among: [edges[0]], timeout: .seconds(10))
                        ?? edges[1]
                }
                let runner = Task { await session.run { viewer.record($0) } }
                defer { runner.cancel() }
                _ = try await eventually { viewer.connections > 0 ? true : nil }

                // The sender follows the protocol: on a lost socket it identifies at the next
                // edge and sends the unacknowledged message again, with the same nonce.
                let sender = ProtocolSender(try await GatewaySocket.identify(LiveSession.gatewayURL(edges[0]), token: ws.client("alice").token!,
                                                                             focus: general, mailboxCapacity: 4_096).socket) { lost in
                    _ = try await eventually(timeout: .seconds(5)) { lost.isClosed ? true : nil }
                    return try await GatewaySocket.identify(LiveSession.gatewayURL(edges[1]), token: ws.client("alice").token!,
                                                            focus: general, mailboxCapacity: 4_096).socket
                }
                var acknowledged: [Snowflake] = []
                for number in 1...300 {
                    acknowledged.append(try await sender.send(number, in: general, noncePrefix: "kill"))
                    if number == 100 {
                        doomed.kill()
                        killed = true
                        // One more send goes to the dead edge's socket before the client notices.
                    }
                }
                // The sender moved once, to the other edge.
                #expect(sender.losses.count == 1)
                let movedAfter = sender.losses.first
                print("edge kill: 300 sends, the sender moved at message \(movedAfter ?? 0)")

                // Stored once each (the nonce de-duplicated whatever the dead edge had already passed on).
                let stored = try await FeedFaultTests.history(general, client: ws.client("bob"))
                #expect(stored == acknowledged)
                let contents = try await ws.client("bob").messages(in: general, limit: 100).messages.map(\.content)
                #expect(Set(contents).count == contents.count)
                // The viewer's stream: every acknowledged message once, in order, across the move.
                _ = try await eventually(timeout: .seconds(60)) { viewer.messages.count >= acknowledged.count ? true : nil }
                let seen = viewer.messages
                let missing = acknowledged.filter { !seen.contains($0) }.map { acknowledged.firstIndex(of: $0)! + 1 }
                let doubled = Dictionary(grouping: seen, by: { $0 }).filter { $0.value.count > 1 }.keys.map { acknowledged.firstIndex(of: $0).map { $0 + 1 } ?? -1 }
                #expect(seen == acknowledged, "viewer: \(seen.count) of \(acknowledged.count); missing \(missing), doubled \(doubled.sorted())")
                #expect(viewer.connections == 2)
                await sender.socket.close()
            }
        }
    }
}
