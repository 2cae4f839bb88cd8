import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardTesting
import Testing

/// The edge's `/gateway` with real WebSocket clients: fan-out by viewers, badges, presence,
/// prefetch, typing, membership, slow readers, resume.
@Suite struct EdgeGatewayTests {
    func withOriginAndEdge(handles: [String] = ["alice", "bob", "carol", "dave"],
                           configureEdge: @escaping (inout EdgeConfiguration) -> Void = { _ in },
                           _ body: (TestOrigin, TestWorkspace, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: handles)
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, configure: configureEdge) { edge in
                try await body(origin, ws, edge)
            }
        }
    }

    func identify(_ edge: TestEdge, _ ws: TestWorkspace, _ handle: String, focus: Snowflake? = nil,
                  mailboxCapacity: Int = 256) async throws -> GatewaySocket.Identified {
        try await GatewaySocket.identify(edge.gatewayURL, token: ws.client(handle).token!, focus: focus,
                                         mailboxCapacity: mailboxCapacity)
    }

    @Test func readyCarriesTheWorkingSetAndSendIsAcknowledgedAfterTheCommit() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            _ = try await ws.client("bob").post("hello <@\(ws.user("carol").id)>", to: general.id)
            let alice = try await identify(edge, ws, "alice")
            let workingSet = try alice.ready.payload(ReadyPayload<WorkingSet>.self).bootstrap
            #expect(workingSet.me.handle == "alice" && workingSet.focusChannelID == general.id)
            #expect(workingSet.messages.map(\.content) == ["hello <@\(ws.user("carol").id)>"])
            #expect(Set(workingSet.users.map(\.handle)) == ["bob", "carol"])

            try await alice.socket.send(.send(.init(channelID: general.id, content: "through the edge", nonce: "n-1")))
            let (ackFrame, before) = try await alice.socket.next(where: { $0.op == "ack" })
            let ack = try ackFrame.payload(GatewayFrame.Ack.self)
            #expect(ack.nonce == "n-1")
            #expect(try await ws.client("bob").messages(in: general.id).messages.last?.id == ack.message.id)
            // The sender is a viewer too: its own message arrives as an event (before or after the ack).
            var echo = before.first { $0.isEvent(.messageCreated) }
            if echo == nil { echo = try await alice.socket.expectEvent(.messageCreated) }
            #expect(try echo?.payload(Message.self).id == ack.message.id)

            try await alice.socket.send(.send(.init(channelID: Snowflake(12345), content: "nowhere", nonce: "n-2")))
            let refused = try await alice.socket.next(where: { $0.op == "error" }).frame.payload(GatewayFrame.ErrorPayload.self)
            #expect(refused.nonce == "n-2" && ["not_found", "forbidden"].contains(refused.code))
            await alice.socket.close()
        }
    }

    @Test func viewersGetMessagesMembersGetBadgesNonMembersNothing() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let carol = ws.client("carol")
            let launch = try await carol.createChannel(name: "launch", kind: .private)
            for handle in ["alice", "bob"] { try await carol.addMember(ws.user(handle).id, to: launch.id) }
            let general = try await carol.general()
            let alice = try await identify(edge, ws, "alice", focus: launch.id)
            let bob = try await identify(edge, ws, "bob", focus: general.id)
            let dave = try await identify(edge, ws, "dave")

            var sent: [Snowflake] = []
            let started = ContinuousClock.now
            for i in 0..<20 { sent.append(try await carol.post("launch \(i)", to: launch.id).message.id) }

            // The viewer: every message, in order, with consecutive sequence numbers.
            var received: [ServerFrame] = []
            while received.count < 20 { received.append(try await alice.socket.expectEvent(.messageCreated)) }
            #expect(try received.map { try $0.payload(Message.self).id } == sent)
            let numbers = received.map(\.s!)
            #expect(numbers == Array(numbers[0]..<(numbers[0] + 20)))

            // The member looking elsewhere: coalesced badges, the last one with every message
            // counted, and never a message body.
            let bobFrames = try await bob.socket.frames(until: { frame in
                frame.isEvent(.unreadUpdated) && (try? frame.payload(ReadState.self).unreadCount) == 20
            })
            let badges = try bobFrames.filter { $0.isEvent(.unreadUpdated) }.map { try $0.payload(ReadState.self) }
            #expect(badges.allSatisfy { $0.channelID == launch.id })
            // At most one badge per 250 ms (the posts themselves may take seconds on a loaded machine).
            let window = (ContinuousClock.now - started) / .milliseconds(250)
            #expect(Double(badges.count) <= window.rounded(.up) + 1, "\(badges.count) badges in \(window) windows")
            #expect(badges.last?.lastMessageID == sent.last)
            #expect(!bobFrames.contains { $0.isEvent(.messageCreated) })

            // The non-member: nothing about the channel at all.
            let daveFrames = try await dave.socket.frames(for: .milliseconds(400))
            #expect(!daveFrames.contains { $0.mentions(launch.id) })
            #expect(!(try await bob.socket.frames(for: .milliseconds(300))).contains { $0.isEvent(.messageCreated) })
            for session in [alice, bob, dave] { await session.socket.close() }
        }
    }

    @Test func theMentionPrefetchArrivesBeforeTheMessageAndOnlyOnce() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            let alice = try await identify(edge, ws, "alice", focus: general.id)
            #expect(try alice.ready.payload(ReadyPayload<WorkingSet>.self).bootstrap.users.isEmpty)
            let carolID = ws.user("carol").id, daveID = ws.user("dave").id
            let first = try await ws.client("dave").post("hey <@\(carolID)>", to: general.id).message
            let frames = try await alice.socket.frames(until: { $0.isEvent(.messageCreated) })
            let profiles = try frames.filter { $0.isEvent(.userUpdated) }.map { try $0.payload(User.self) }
            #expect(Set(profiles.map(\.id)) == [carolID, daveID])
            #expect(profiles.allSatisfy { !$0.title.isEmpty || $0.handle.count > 0 })
            #expect(try frames.last?.payload(Message.self).id == first.id)

            // Known now: the next message comes alone.
            let second = try await ws.client("dave").post("again <@\(carolID)>", to: general.id).message
            let next = try await alice.socket.frames(until: { $0.isEvent(.messageCreated) })
            #expect(!next.contains { $0.isEvent(.userUpdated) })
            #expect(try next.last?.payload(Message.self).id == second.id)
            await alice.socket.close()
        }
    }

    @Test func presenceOnlyForSubscribedUsersAndAnsweredAtOnce() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let alice = try await identify(edge, ws, "alice")
            let bobID = ws.user("bob").id, carolID = ws.user("carol").id
            try await alice.socket.send(.presenceSubscribe(.init(userIDs: [bobID])))
            let initial = try await alice.socket.expectEvent(.presenceChanged).payload(PresenceChange.self)
            #expect(initial == PresenceChange(userID: bobID, status: .offline))

            // Carol and Bob connect (through the edge, reported to the origin, back through the feed).
            let carol = try await identify(edge, ws, "carol")
            let bob = try await identify(edge, ws, "bob")
            let frames = try await alice.socket.frames(until: { frame in
                frame.isEvent(.presenceChanged) && (try? frame.payload(PresenceChange.self).userID) == bobID
            })
            #expect(try frames.last?.payload(PresenceChange.self).status == .active)
            #expect(!frames.contains { $0.isEvent(.presenceChanged) && $0.mentions(carolID) })
            #expect(!(try await alice.socket.frames(for: .milliseconds(300))).contains { $0.isEvent(.presenceChanged) })

            // Re-subscribing answers from the edge's copy at once.
            try await alice.socket.send(.presenceSubscribe(.init(userIDs: [carolID])))
            #expect(try await alice.socket.expectEvent(.presenceChanged).payload(PresenceChange.self)
                    == PresenceChange(userID: carolID, status: .active))
            for session in [alice, bob, carol] { await session.socket.close() }
        }
    }

    @Test func typingReachesOnlyViewers() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            let random = try await ws.client("bob").createChannel(name: "random")
            let alice = try await identify(edge, ws, "alice", focus: general.id)
            let bob = try await identify(edge, ws, "bob", focus: random.id)
            let carol = try await identify(edge, ws, "carol", focus: general.id)
            try await carol.socket.send(.typing(.init(channelID: general.id)))
            let typing = try await alice.socket.expectEvent(.typingStarted).payload(TypingStarted.self)
            #expect(typing.channelID == general.id && typing.userID == ws.user("carol").id)
            #expect(typing.expiresAtMs > WallClock.nowMs())
            #expect(!(try await bob.socket.frames(for: .milliseconds(300))).contains { $0.isEvent(.typingStarted) })
            #expect(!(try await carol.socket.frames(for: .milliseconds(100))).contains { $0.isEvent(.typingStarted) })
            for session in [alice, bob, carol] { await session.socket.close() }
        }
    }

    @Test func theFirstSessionOfAWorkspaceAtAnEdgeSeesWhoIsAlreadyOnline() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            // alice is online at the origin before the edge holds the workspace at all.
            let alice = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!)
            let bob = try await identify(edge, ws, "bob")
            try await bob.socket.send(.presenceSubscribe(.init(userIDs: [ws.user("alice").id, ws.user("carol").id])))
            var statuses: [Snowflake: PresenceStatus] = [:]
            while statuses.count < 2 {
                let change = try await bob.socket.expectEvent(.presenceChanged).payload(PresenceChange.self)
                statuses[change.userID] = change.status
            }
            #expect(statuses == [ws.user("alice").id: .active, ws.user("carol").id: .offline])
            await alice.socket.close()
            await bob.socket.close()
        }
    }

    @Test func membershipChangesTakeEffectAtOnce() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let alice = ws.client("alice")
            let launch = try await alice.createChannel(name: "launch", kind: .private)
            let bob = try await identify(edge, ws, "bob")
            _ = try await alice.post("before bob", to: launch.id)

            try await alice.addMember(ws.user("bob").id, to: launch.id)
            let joined = try await bob.socket.expectEvent(.memberJoined).payload(MembershipChange.self)
            #expect(joined.channelID == launch.id && joined.userID == ws.user("bob").id)
            let posted = try await alice.post("welcome", to: launch.id).message
            let badge = try await bob.socket.expectEvent(.unreadUpdated).payload(ReadState.self)
            #expect(badge.channelID == launch.id && badge.unreadCount == 1 && badge.lastMessageID == posted.id)

            // Focus works now that bob is a member; then he leaves and hears nothing more.
            try await bob.socket.send(.focus(.init(channelID: launch.id)))
            // Commands are handled in order: once the heartbeat is answered the focus has taken effect.
            try await bob.socket.send(.heartbeat(.init(s: nil)))
            _ = try await bob.socket.expect("heartbeat_ack")
            _ = try await alice.post("seen", to: launch.id)
            #expect(try await bob.socket.expectEvent(.messageCreated).payload(Message.self).content == "seen")
            try await ws.client("bob").leave(launch.id)
            _ = try await bob.socket.expectEvent(.memberLeft)
            _ = try await alice.post("after bob", to: launch.id)
            try await alice.typing(in: launch.id)
            #expect(!(try await bob.socket.frames(for: .milliseconds(400))).contains { $0.mentions(launch.id) })
            try await bob.socket.send(.focus(.init(channelID: launch.id)))
            #expect(try await bob.socket.next(where: { $0.op == "error" }).frame.payload(GatewayFrame.ErrorPayload.self).code
                    == "not_a_member")
            await bob.socket.close()
        }
    }

    @Test func aReaderThatStopsIsDroppedWhileOthersKeepUpAndItCanResume() async throws {
        try await withOriginAndEdge(configureEdge: { configuration in
            configuration.gateway.outboundQueueBytes = 64 << 10
            // These readers send no heartbeats: a slow machine must not time them out (2 × 30 s).
            configuration.gateway.heartbeatIntervalMs = 600_000
            // The kernel's socket buffers hold megabytes before the queue fills: keep enough to resume.
            configuration.gateway.replayBytes = 64 << 20
            configuration.gateway.replayEvents = 20_000
        }) { origin, ws, edge in
            let general = try await ws.client("alice").general()
            // Takes one frame at a time and never reads: the socket stops being read.
            let stalled = try await identify(edge, ws, "bob", focus: general.id, mailboxCapacity: 1)
            let alice = try await identify(edge, ws, "alice", focus: general.id)
            let big = String(repeating: "x", count: 3_900)
            var sent: [Snowflake] = []
            var received = 0
            while try await edge.anonymous.metric("switchboard_edge_slow_consumers_total") < 1 {
                guard sent.count < 3_000 else { Issue.record("the stalled reader was never dropped"); return }
                // Bursts well under the queue, so the reader that keeps up is never dropped on a busy machine.
                for _ in 0..<10 { sent.append(try await ws.client("carol").post(big, to: general.id).message.id) }
                // The reader that keeps up gets everything, in order, meanwhile.
                while received < sent.count {
                    let message = try await alice.socket.expectEvent(.messageCreated).payload(Message.self)
                    #expect(message.id == sent[received])
                    received += 1
                }
            }
            // The dropped session is closed with its reason and resumes after the last event
            // its client took, with nothing lost.
            var seen: [ServerFrame] = []
            while let frame = try await stalled.socket.next(timeout: .seconds(10)) {
                if frame.op == "event" { seen.append(frame) }
            }
            #expect(stalled.socket.closeCode == GatewayCloseCode.slowConsumer.rawValue)
            let resumed = try await GatewaySocket.resume(edge.gatewayURL, token: ws.client("bob").token!,
                                                         sessionID: stalled.hello.sessionID, s: seen.last?.s ?? 0)
            let replayed = try resumed.replayed.filter { $0.isEvent(.messageCreated) }.map { try $0.payload(Message.self).id }
            let taken = try seen.filter { $0.isEvent(.messageCreated) }.map { try $0.payload(Message.self).id }
            #expect(taken + replayed == sent)
            print("slow reader dropped after \(sent.count) messages of 3,900 B; it had taken \(taken.count)")
            await resumed.socket.close()
            await alice.socket.close()
        }
    }

    @Test func aResumedSessionMissesNothing() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            let alice = try await identify(edge, ws, "alice", focus: general.id)
            _ = try await ws.client("bob").post("before", to: general.id)
            let seen = try await alice.socket.expectEvent(.messageCreated)
            await alice.socket.close()
            while !alice.socket.isClosed { try await Task.sleep(for: .milliseconds(10)) }

            var missed: [Snowflake] = []
            for i in 0..<5 { missed.append(try await ws.client("bob").post("missed \(i)", to: general.id).message.id) }
            try await Task.sleep(for: .milliseconds(200))  // let the events reach the detached session
            let resumed = try await GatewaySocket.resume(edge.gatewayURL, token: ws.client("alice").token!,
                                                         sessionID: alice.hello.sessionID, s: seen.s!)
            #expect(try resumed.replayed.filter { $0.isEvent(.messageCreated) }.map { try $0.payload(Message.self).id } == missed)
            let live = try await ws.client("bob").post("live", to: general.id).message
            #expect(try await resumed.socket.expectEvent(.messageCreated).payload(Message.self).id == live.id)
            await resumed.socket.close()

            await #expect(throws: APIError.self) {
                _ = try await GatewaySocket.resume(edge.gatewayURL, token: ws.client("alice").token!, sessionID: "nope", s: 0)
            }
        }
    }
}
