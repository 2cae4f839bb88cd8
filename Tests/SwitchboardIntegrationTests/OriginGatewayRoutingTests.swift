import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The origin's gateway routes each workspace's events once, through the shared router, and
/// sessions behind the live stream catch up on their own before joining it.
@Suite struct OriginGatewayRoutingTests {
    @Test func sessionsIdentifiedWhileMessagesFlowMissNothingAndSeeNothingTwice() async throws {
        // These sessions send no heartbeats: a slow machine must not time them out (2 × 30 s).
        try await TestOrigin.with(configure: { $0.messageRateLimit = 0; $0.gateway.heartbeatIntervalMs = 600_000 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob", "carol"])
            let general = try await ws.client("alice").general()
            let total = 120
            let poster = Task {
                var ids: [Snowflake] = []
                for i in 0..<total { ids.append(try await ws.client("carol").post("flow \(i)", to: general.id).message.id) }
                return ids
            }
            // Sessions identify one after another while the posts go on, so most read their
            // bootstrap at a position the live stream has already passed.
            var sessions: [GatewaySocket.Identified] = []
            for i in 0..<6 {
                let handle = ["alice", "bob"][i % 2]
                sessions.append(try await GatewaySocket.identify(origin.gatewayURL, token: ws.client(handle).token!,
                                                                 focus: general.id))
                try await Task.sleep(for: .milliseconds(40))
            }
            let posted = try await poster.value
            for session in sessions {
                let ready = try session.ready.payload(ReadyPayload<FullBootstrap>.self).bootstrap
                let horizon = ready.messages.map(\.id).max() ?? Snowflake(0)
                var heard: [Snowflake] = []
                while heard.last != posted.last {
                    heard.append(try await session.socket.expectEvent(.messageCreated).payload(Message.self).id)
                }
                // In order, each once, and every message the bootstrap did not hold.
                #expect(heard == heard.sorted() && Set(heard).count == heard.count)
                #expect(Set(posted.filter { $0 > horizon }).isSubset(of: Set(heard)))
                await session.socket.close()
            }
        }
    }

    @Test func aReaderThatStopsIsDroppedAndResumesWithNothingLost() async throws {
        try await TestOrigin.with(configure: { configuration in
            configuration.messageRateLimit = 0
            configuration.gateway.outboundQueueBytes = 64 << 10
            // These readers send no heartbeats: a slow machine must not time them out (2 × 30 s).
            configuration.gateway.heartbeatIntervalMs = 600_000
            configuration.gateway.replayBytes = 64 << 20
            configuration.gateway.replayEvents = 20_000
        }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob", "carol"])
            let general = try await ws.client("alice").general()
            let stalled = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("bob").token!,
                                                           focus: general.id, mailboxCapacity: 1)
            let alice = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!, focus: general.id)
            let big = String(repeating: "y", count: 3_900)
            var sent: [Snowflake] = []
            var received = 0
            while try await origin.anonymous.metric("switchboard_gateway_slow_consumers_total") < 1 {
                guard sent.count < 3_000 else { Issue.record("the stalled reader was never dropped"); return }
                // Bursts well under the queue, so the reader that keeps up is never dropped on a busy machine.
                for _ in 0..<10 { sent.append(try await ws.client("carol").post(big, to: general.id).message.id) }
                while received < sent.count {
                    #expect(try await alice.socket.expectEvent(.messageCreated).payload(Message.self).id == sent[received])
                    received += 1
                }
            }
            var seen: [ServerFrame] = []
            while let frame = try await stalled.socket.next(timeout: .seconds(10)) {
                if frame.op == "event" { seen.append(frame) }
            }
            #expect(stalled.socket.closeCode == GatewayCloseCode.slowConsumer.rawValue)
            // Sent while the session is dropped: the resume catches it up from where it stopped.
            for _ in 0..<3 { sent.append(try await ws.client("carol").post("while away", to: general.id).message.id) }
            var all = try seen.filter { $0.isEvent(.messageCreated) }.map { try $0.payload(Message.self).id }
            var s = seen.last?.s ?? 0
            var resumed: GatewaySocket?
            // A client resumes for as long as it gets dropped: the catch-up may overflow this
            // test's tiny queue again (before or after `resumed`), and each resume continues
            // where the last one stopped.
            for _ in 0..<10 where all.count < sent.count || resumed == nil {
                let socket = try await GatewaySocket.connect(origin.gatewayURL)
                _ = try await socket.expect("hello")
                try await socket.send(.resume(.init(token: ws.client("bob").token!, sessionID: stalled.hello.sessionID, s: s)))
                var caughtUp = false
                reading: while true {
                    let frame: ServerFrame?
                    do {
                        frame = try await socket.next(timeout: .seconds(caughtUp ? 2 : 30))
                    } catch is GatewaySocket.Timeout where caughtUp {
                        break reading
                    }
                    guard let frame else { caughtUp = false; break reading }  // dropped again
                    switch frame.op {
                    case "resumed": caughtUp = true
                    case "event":
                        s = frame.s ?? s
                        if frame.isEvent(.messageCreated) { all.append(try frame.payload(Message.self).id) }
                    case "error": Issue.record("resume refused: \(frame)"); return
                    default: break
                    }
                }
                resumed = caughtUp ? socket : nil
            }
            #expect(all == sent)
            let again = try #require(resumed)
            // And it is live again, on the shared stream.
            let live = try await ws.client("carol").post("live", to: general.id).message.id
            #expect(try await again.expectEvent(.messageCreated).payload(Message.self).id == live)
            await again.close()
            await alice.socket.close()
        }
    }
}
