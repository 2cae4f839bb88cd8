import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore
@testable import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Auto-away on the presence tracker, with a clock the test moves; and end to end through an edge.
@Suite struct AutoAwayTests {
    final class Clock: Sendable {
        let ms = Locked<UInt64>(1_000_000)
        func advance(_ by: UInt64) { ms.withLock { $0 += by } }
        var now: UInt64 { ms.withLock { $0 } }
    }

    @Test func idleUsersShowAwayUntilTheyDoSomething() throws {
        let clock = Clock()
        let published = Locked<[PresenceStatus]>([])
        let tracker = PresenceTracker(graceMs: 30_000, idleMs: 600_000, now: { clock.now }) { _, change in
            published.withLock { $0.append(change.status) }
        }
        let ws = Snowflake(1), alice = Snowflake(2)
        tracker.connection(user: alice, workspaceID: ws, delta: 1)
        clock.advance(599_000)
        tracker.sweep()
        #expect(tracker.status(of: alice) == .active)
        clock.advance(1_000)
        tracker.sweep()
        #expect(tracker.status(of: alice) == .away)
        tracker.sweep()
        tracker.activity(user: alice, workspaceID: ws)
        #expect(tracker.status(of: alice) == .active)
        #expect(published.withLock { $0 } == [.active, .away, .active])

        // A chosen status is never overridden by idleness; choosing active clears it.
        try tracker.choose(.dnd, user: alice, workspaceID: ws)
        clock.advance(3_600_000)
        tracker.sweep()
        #expect(tracker.status(of: alice) == .dnd)
        // Reconnecting counts as activity.
        tracker.connection(user: alice, workspaceID: ws, delta: -1)
        try tracker.choose(.active, user: alice, workspaceID: ws)
        clock.advance(700_000)
        tracker.sweep()
        #expect(tracker.status(of: alice) == .offline)
        tracker.connection(user: alice, workspaceID: ws, delta: 1)
        #expect(tracker.status(of: alice) == .active)
    }

    @Test func aUserIdleAtAnEdgeGoesAwayAndComesBackBySending() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.presenceAutoAwayMs = 400; $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let alice = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("alice").token!)
                let bob = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("bob").token!)
                let aliceID = ws.user("alice").id
                try await bob.socket.send(.presenceSubscribe(.init(userIDs: [aliceID])))
                var statuses: [PresenceStatus] = []
                while statuses.last != .away {
                    let change = try await bob.socket.expectEvent(.presenceChanged, timeout: .seconds(15)).payload(PresenceChange.self)
                    if change.userID == aliceID { statuses.append(change.status) }
                }
                let general = try await ws.client("alice").general()
                try await alice.socket.send(.send(.init(channelID: general.id, content: "back", nonce: "n1")))
                while statuses.last != .active {
                    let change = try await bob.socket.expectEvent(.presenceChanged, timeout: .seconds(15)).payload(PresenceChange.self)
                    if change.userID == aliceID { statuses.append(change.status) }
                }
                #expect(statuses.suffix(2) == [.away, .active])
                await alice.socket.close()
                await bob.socket.close()
            }
        }
    }
}
