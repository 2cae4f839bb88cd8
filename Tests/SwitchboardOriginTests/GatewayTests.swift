import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// The origin's `/gateway` with real WebSocket clients on an ephemeral port.
@Suite struct GatewayTests {
    func withGateway(handles: [String] = ["alice", "bob", "carol"], configure: @escaping (inout OriginConfiguration) -> Void = { _ in },
                     _ body: (TestOrigin, TestWorkspace) async throws -> Void) async throws {
        try await TestOrigin.with(configure: { configuration in
            configuration.messageRateLimit = 0
            configure(&configuration)
        }) { origin in
            try await body(origin, try await TestWorkspace.make(on: origin, handles: handles))
        }
    }

    func identify(_ origin: TestOrigin, _ ws: TestWorkspace, _ handle: String, focus: Snowflake? = nil) async throws -> GatewaySocket.Identified {
        try await GatewaySocket.identify(origin.gatewayURL, token: ws.client(handle).token!, focus: focus)
    }

    @Test func helloIdentifyReadyCarriesTheFullBootstrap() async throws {
        try await withGateway { origin, ws in
            let session = try await identify(origin, ws, "alice")
            #expect(session.hello.heartbeatIntervalMs == 30_000)
            #expect(!session.hello.sessionID.isEmpty)
            let bootstrap = try session.ready.payload(ReadyPayload<FullBootstrap>.self).bootstrap
            #expect(bootstrap.me.handle == "alice")
            #expect(bootstrap.users.count == 3)
            #expect(bootstrap.presence[ws.user("alice").id] == .active)  // connected now
            try await session.socket.send(.heartbeat(.init(s: 0)))
            _ = try await session.socket.expect("heartbeat_ack")
            await session.socket.close()
        }
    }

    @Test func twoSessionsSeeEachOthersMessagesInSendOrder() async throws {
        try await withGateway { origin, ws in
            let alice = try await identify(origin, ws, "alice"), bob = try await identify(origin, ws, "bob")
            let general = try await ws.client("alice").general()
            var sent: [Snowflake] = []
            var early: [[ServerFrame]] = [[], []]  // events that arrived before an ack
            for i in 0..<20 {
                let sender = i % 2 == 0 ? alice.socket : bob.socket
                try await sender.send(.send(.init(channelID: general.id, content: "message \(i)", nonce: "n\(i)")))
                let (ackFrame, skipped) = try await sender.next(where: { $0.op == "ack" })
                let ack = try ackFrame.payload(GatewayFrame.Ack.self)
                #expect(ack.nonce == "n\(i)" && ack.message.content == "message \(i)")
                early[i % 2] += skipped
                sent.append(ack.message.id)
            }
            for (index, socket) in [alice.socket, bob.socket].enumerated() {
                var frames = early[index].filter { $0.t == EventType.messageCreated.rawValue }
                while frames.count < 20 { frames.append(try await socket.expectEvent(.messageCreated)) }
                #expect(try frames.map { try $0.payload(Message.self).id } == sent)
                let numbers = frames.map(\.s!)
                #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
            }
        }
    }

    @Test func resumeReplaysExactlyTheMissedEvents() async throws {
        try await withGateway { origin, ws in
            let general = try await ws.client("alice").general()
            let alice = try await identify(origin, ws, "alice")
            _ = try await ws.client("bob").post("before", to: general.id)
            let seen = try await alice.socket.expectEvent(.messageCreated)
            await alice.socket.close()
            while !alice.socket.isClosed { try await Task.sleep(for: .milliseconds(10)) }

            var missed: [Snowflake] = []
            for i in 0..<5 { missed.append(try await ws.client("bob").post("missed \(i)", to: general.id).message.id) }
            try await Task.sleep(for: .milliseconds(100))  // let the events reach the detached session

            let resumed = try await GatewaySocket.resume(origin.gatewayURL, token: ws.client("alice").token!,
                                                         sessionID: alice.hello.sessionID, s: seen.s!)
            let events = resumed.replayed.filter { $0.op == "event" }
            #expect(try events.map { try $0.payload(Message.self).id } == missed)
            #expect(events.map(\.s!) == Array((seen.s! + 1)...(seen.s! + 5)))
            // Live events continue the same numbering, with no duplicate.
            let live = try await ws.client("bob").post("after", to: general.id).message
            let next = try await resumed.socket.expectEvent(.messageCreated)
            #expect(next.s == seen.s! + 6)
            #expect(try next.payload(Message.self).id == live.id)
        }
    }

    @Test func whatAHeartbeatAcknowledgesIsNoLongerKeptForAResume() async throws {
        try await withGateway { origin, ws in
            let general = try await ws.client("alice").general()
            let first = try await identify(origin, ws, "alice"), second = try await identify(origin, ws, "alice")
            for i in 0..<3 { _ = try await ws.client("bob").post("seen \(i)", to: general.id) }
            var numbers: [[UInt64]] = []
            for session in [first, second] {
                var seen: [UInt64] = []
                while seen.count < 3 { seen.append(try await session.socket.expectEvent(.messageCreated).s!) }
                // The client has everything up to its second event; it says so with its heartbeat.
                try await session.socket.send(.heartbeat(.init(s: seen[1])))
                _ = try await session.socket.expect("heartbeat_ack")
                await session.socket.close()
                while !session.socket.isClosed { try await Task.sleep(for: .milliseconds(10)) }
                numbers.append(seen)
            }
            let missed = try await ws.client("bob").post("missed", to: general.id).message.id
            try await Task.sleep(for: .milliseconds(100))  // let the event reach the detached sessions

            // A resume from before the acknowledged event is refused: those events are gone.
            let early = try await GatewaySocket.connect(origin.gatewayURL)
            _ = try await early.expect("hello")
            try await early.send(.resume(.init(token: ws.client("alice").token!, sessionID: first.hello.sessionID, s: numbers[0][0])))
            #expect(try await early.expect("error").payload(GatewayFrame.ErrorPayload.self).code == "session_expired")
            // From the acknowledged one on, nothing is missing.
            let resumed = try await GatewaySocket.resume(origin.gatewayURL, token: ws.client("alice").token!,
                                                         sessionID: second.hello.sessionID, s: numbers[1][1])
            let events = resumed.replayed.filter { $0.op == "event" }
            #expect(events.map(\.s!) == [numbers[1][2], numbers[1][2] + 1])
            #expect(try events.last?.payload(Message.self).id == missed)
        }
    }

    @Test func resumeOutsideTheWindowIsRefused() async throws {
        try await withGateway(configure: { $0.gateway.resumeWindowMs = 200 }) { origin, ws in
            let alice = try await identify(origin, ws, "alice")
            await alice.socket.close()
            try await Task.sleep(for: .milliseconds(600))
            let socket = try await GatewaySocket.connect(origin.gatewayURL)
            _ = try await socket.expect("hello")
            try await socket.send(.resume(.init(token: ws.client("alice").token!, sessionID: alice.hello.sessionID, s: 0)))
            let error = try await socket.expect("error").payload(GatewayFrame.ErrorPayload.self)
            #expect(error.code == "session_expired")
            // The same connection can identify afresh.
            try await socket.send(.identify(.init(token: ws.client("alice").token!)))
            _ = try await socket.expect("ready")
            // Another user's token cannot take over a session.
            let bob = try await identify(origin, ws, "bob")
            let thief = try await GatewaySocket.connect(origin.gatewayURL)
            _ = try await thief.expect("hello")
            try await thief.send(.resume(.init(token: ws.client("alice").token!, sessionID: bob.hello.sessionID, s: 0)))
            #expect(try await thief.expect("error").payload(GatewayFrame.ErrorPayload.self).code == "session_expired")
        }
    }

    @Test func nonMembersReceiveNothingFromAChannel() async throws {
        try await withGateway { origin, ws in
            let secret = try await ws.client("alice").createChannel(name: "secret", kind: .private)
            let carol = try await identify(origin, ws, "carol")
            _ = try await ws.client("alice").post("classified", to: secret.id)
            try await ws.client("alice").addMember(ws.user("bob").id, to: secret.id)
            _ = try await ws.client("bob").post("also classified", to: secret.id)
            let general = try await ws.client("alice").general()
            _ = try await ws.client("alice").post("public", to: general.id)
            let (frame, skipped) = try await carol.socket.next(where: { $0.t == EventType.messageCreated.rawValue })
            #expect(try frame.payload(Message.self).content == "public")
            #expect(skipped.allSatisfy { !String(decoding: $0.raw, as: UTF8.self).contains(secret.id.description) })

            // Once added, carol hears the channel; once she leaves, she hears no more.
            try await ws.client("alice").addMember(ws.user("carol").id, to: secret.id)
            _ = try await carol.socket.expectEvent(.memberJoined)
            _ = try await ws.client("alice").post("welcome carol", to: secret.id)
            #expect(try await carol.socket.expectEvent(.messageCreated).payload(Message.self).content == "welcome carol")
            try await ws.client("carol").leave(secret.id)
            _ = try await carol.socket.expectEvent(.memberLeft)
            _ = try await ws.client("alice").post("carol is gone", to: secret.id)
            _ = try await ws.client("alice").post("marker", to: general.id)
            #expect(try await carol.socket.expectEvent(.messageCreated).payload(Message.self).content == "marker")
        }
    }

    @Test func readMarkersReachTheReadersOtherSessions() async throws {
        try await withGateway { origin, ws in
            let general = try await ws.client("alice").general()
            let message = try await ws.client("alice").post("read me", to: general.id).message
            let phone = try await identify(origin, ws, "bob"), laptop = try await identify(origin, ws, "bob")
            let alice = try await identify(origin, ws, "alice")
            try await laptop.socket.send(.read(.init(channelID: general.id, messageID: message.id)))
            let read = try await phone.socket.expectEvent(.readUpdated).payload(ReadState.self)
            #expect(read.channelID == general.id && read.lastReadID == message.id && read.unreadCount == 0)
            _ = try await ws.client("alice").post("marker", to: general.id)
            let (_, skipped) = try await alice.socket.next(where: { $0.t == EventType.messageCreated.rawValue })
            #expect(!skipped.contains { $0.t == EventType.readUpdated.rawValue })
        }
    }

    @Test func typingGoesToFocusedSessionsAndIsThrottled() async throws {
        try await withGateway { origin, ws in
            let general = try await ws.client("alice").general()
            let other = try await ws.client("alice").createChannel(name: "other")
            _ = try await ws.client("bob").join(other.id)
            let alice = try await identify(origin, ws, "alice", focus: general.id)
            let bob = try await identify(origin, ws, "bob", focus: other.id)
            let carol = try await identify(origin, ws, "carol", focus: general.id)

            let before = WallClock.nowMs()
            try await carol.socket.send(.typing(.init(channelID: general.id)))
            try await carol.socket.send(.typing(.init(channelID: general.id)))  // within 3 s: dropped
            let typing = try await alice.socket.expectEvent(.typingStarted).payload(TypingStarted.self)
            #expect(typing.userID == ws.user("carol").id && typing.channelID == general.id)
            #expect(typing.expiresAtMs >= before + 10_000 && typing.expiresAtMs <= WallClock.nowMs() + 10_000)

            // Focus moves: bob now sees general's typing; alice, focused elsewhere, does not.
            try await bob.socket.send(.focus(.init(channelID: general.id)))
            try await alice.socket.send(.focus(.init(channelID: other.id)))
            try await alice.socket.send(.heartbeat(.init(s: nil)))
            _ = try await alice.socket.expect("heartbeat_ack")
            try await ws.client("alice").typing(in: general.id)  // REST typing broadcasts like the gateway's
            try await Task.sleep(for: .milliseconds(50))
            let carol2 = try await identify(origin, ws, "carol", focus: nil)
            try await carol2.socket.send(.focus(.init(channelID: general.id)))
            try await carol2.socket.send(.heartbeat(.init(s: nil)))
            _ = try await carol2.socket.expect("heartbeat_ack")
            try await bob.socket.send(.typing(.init(channelID: general.id)))
            #expect(try await carol2.socket.expectEvent(.typingStarted).payload(TypingStarted.self).userID == ws.user("bob").id)
            try await alice.socket.send(.heartbeat(.init(s: nil)))
            let (_, skipped) = try await alice.socket.next(where: { $0.op == "heartbeat_ack" })
            #expect(!skipped.contains { $0.t == EventType.typingStarted.rawValue })
            // The second typing frame within 3 s was dropped: carol's first session saw bob's once,
            // and alice's REST typing.
            try await carol.socket.send(.heartbeat(.init(s: nil)))
            let (_, carolSkipped) = try await carol.socket.next(where: { $0.op == "heartbeat_ack" })
            let typists = try carolSkipped.filter { $0.t == EventType.typingStarted.rawValue }.map { try $0.payload(TypingStarted.self).userID }
            #expect(typists.sorted() == [ws.user("alice").id, ws.user("bob").id].sorted())
        }
    }

    @Test func presenceReachesSubscribersWithGrace() async throws {
        // The grace period is long enough that a reconnect on a loaded machine still fits in it.
        try await withGateway(configure: { $0.presenceGraceMs = 4_000 }) { origin, ws in
            let bobID = ws.user("bob").id
            let alice = try await identify(origin, ws, "alice")
            try await alice.socket.send(.presenceSubscribe(.init(userIDs: [bobID])))
            #expect(try await alice.socket.expectEvent(.presenceChanged).payload(PresenceChange.self) == .init(userID: bobID, status: .offline))
            let carol = try await identify(origin, ws, "carol")  // not subscribed to bob

            let bob = try await identify(origin, ws, "bob")
            #expect(try await alice.socket.expectEvent(.presenceChanged).payload(PresenceChange.self).status == .active)
            try await bob.socket.send(.setPresence(.init(status: .dnd)))
            #expect(try await alice.socket.expectEvent(.presenceChanged).payload(PresenceChange.self).status == .dnd)
            try await bob.socket.send(.setPresence(.init(status: .active)))
            #expect(try await alice.socket.expectEvent(.presenceChanged).payload(PresenceChange.self).status == .active)

            // A quick reconnect inside the grace period shows nothing. (Only judged when the
            // reconnect was quick: on a loaded machine the new identify may itself take seconds.)
            let closed = ContinuousClock.now
            await bob.socket.close()
            try await Task.sleep(for: .milliseconds(100))
            let bobAgain = try await identify(origin, ws, "bob")
            let reconnect = ContinuousClock.now - closed
            try await Task.sleep(until: closed + .milliseconds(4_500))
            try await alice.socket.send(.heartbeat(.init(s: nil)))
            let (_, quiet) = try await alice.socket.next(where: { $0.op == "heartbeat_ack" })
            if reconnect < .seconds(3) {
                #expect(!quiet.contains { $0.t == EventType.presenceChanged.rawValue }, "reconnected after \(reconnect)")
            }

            // Gone for longer than the grace period: offline.
            await bobAgain.socket.close()
            #expect(try await alice.socket.expectEvent(.presenceChanged, timeout: .seconds(15)).payload(PresenceChange.self).status == .offline)
            try await carol.socket.send(.heartbeat(.init(s: nil)))
            let (_, carolFrames) = try await carol.socket.next(where: { $0.op == "heartbeat_ack" })
            #expect(!carolFrames.contains { $0.t == EventType.presenceChanged.rawValue })
        }
    }

    @Test func badFramesGetErrorsAndTheConnectionLives() async throws {
        try await withGateway { origin, ws in
            let secret = try await ws.client("bob").createChannel(name: "secret", kind: .private)
            let alice = try await identify(origin, ws, "alice")
            let socket = alice.socket
            func expectError(_ code: ErrorCode, _ bytes: [UInt8]) async throws {
                try await socket.sendRaw(bytes)
                let error = try await socket.next(where: { $0.op == "error" }).frame.payload(GatewayFrame.ErrorPayload.self)
                #expect(error.code == code.rawValue, "\(error.message)")
            }
            try await expectError(.badRequest, Array("not json".utf8))
            try await expectError(.badRequest, Array(#"{"op":"launch_rockets","d":{}}"#.utf8))
            try await expectError(.badRequest, Array(#"{"op":"send","d":{"channel_id":5,"content":"x","nonce":"n"}}"#.utf8))
            try await expectError(.badRequest, Array(#"{"op":"typing","d":{}}"#.utf8))
            try await expectError(.badRequest, [0x7B, 0xFF, 0xFE, 0x7D])
            try await expectError(.payloadTooLarge, Array(("{\"op\":\"heartbeat\",\"d\":{\"x\":\"" + String(repeating: "a", count: 70_000) + "\"}}").utf8))
            try await expectError(.notAMember, GatewayCommand.typing(.init(channelID: secret.id)).encoded())
            try await expectError(.notAMember, GatewayCommand.focus(.init(channelID: secret.id)).encoded())
            try await expectError(.notAMember, GatewayCommand.send(.init(channelID: secret.id, content: "x", nonce: "n1")).encoded())
            try await expectError(.badRequest, GatewayCommand.send(.init(channelID: secret.id, content: " ", nonce: "n2")).encoded())
            try await expectError(.badRequest, Array(#"{"op":"identify","d":{"token":"again"}}"#.utf8))
            try await socket.send(.heartbeat(.init(s: nil)))
            _ = try await socket.next(where: { $0.op == "heartbeat_ack" })

            // Commands before identify are refused; a bad token is refused.
            let fresh = try await GatewaySocket.connect(origin.gatewayURL)
            _ = try await fresh.expect("hello")
            try await fresh.send(.typing(.init(channelID: secret.id)))
            #expect(try await fresh.expect("error").payload(GatewayFrame.ErrorPayload.self).code == "unauthorized")
            try await fresh.send(.identify(.init(token: "forged")))
            #expect(try await fresh.expect("error").payload(GatewayFrame.ErrorPayload.self).code == "unauthorized")
        }
    }

    @Test func aFloodIsRateLimited() async throws {
        // One window for the whole test, so a slow machine cannot start a fresh one midway.
        try await withGateway(configure: { $0.gateway.commandsPerWindow = 20; $0.gateway.commandWindowMs = 600_000 }) { origin, ws in
            let alice = try await identify(origin, ws, "alice")
            for _ in 0..<25 { try await alice.socket.send(.heartbeat(.init(s: nil))) }
            var acks = 0, limited = 0
            for _ in 0..<25 {
                let frame = try await alice.socket.next(where: { $0.op == "heartbeat_ack" || $0.op == "error" }, timeout: .seconds(30)).frame
                if frame.op == "heartbeat_ack" { acks += 1 } else {
                    #expect(try frame.payload(GatewayFrame.ErrorPayload.self).code == "rate_limited")
                    limited += 1
                }
            }
            #expect(acks == 19 && limited == 6)  // identify was the window's first frame
            // A refused send is answered with its nonce, and nothing is posted.
            let general = try await ws.client("alice").general()
            try await alice.socket.send(.send(.init(channelID: general.id, content: "over the limit", nonce: "flood-1")))
            let refusal = try await alice.socket.expect("error", timeout: .seconds(30)).payload(GatewayFrame.ErrorPayload.self)
            #expect(refusal.code == "rate_limited" && refusal.nonce == "flood-1")
            #expect(try await ws.client("alice").messages(in: general.id).messages.allSatisfy { $0.content != "over the limit" })
            // Far over the limit: disconnected.
            for _ in 0..<60 { try? await alice.socket.send(.heartbeat(.init(s: nil))) }
            while try await alice.socket.next(timeout: .seconds(30)) != nil {}
            #expect(alice.socket.closeCode == GatewayCloseCode.flooding.rawValue)
        }
    }

    @Test func missedHeartbeatsCloseTheSocket() async throws {
        // 1 s: short for a test, long enough that the beating client below is never late on a
        // loaded machine (it failed with 100 ms).
        try await withGateway(configure: { $0.gateway.heartbeatIntervalMs = 1_000 }) { origin, ws in
            let alice = try await identify(origin, ws, "alice")
            while try await alice.socket.next(timeout: .seconds(5)) != nil {}
            #expect(alice.socket.closeCode == GatewayCloseCode.heartbeatTimeout.rawValue)
            // The session can be resumed by a client that keeps heartbeating.
            let socket = try await GatewaySocket.connect(origin.gatewayURL)
            let beating = Task {
                while !Task.isCancelled {
                    try? await socket.send(.heartbeat(.init(s: nil)))
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { beating.cancel() }
            try await socket.send(.resume(.init(token: ws.client("alice").token!, sessionID: alice.hello.sessionID, s: 0)))
            let answer = try await socket.next(where: { $0.op == "resumed" || $0.op == "error" }).frame
            #expect(answer.op == "resumed")
        }
    }
}

@Suite struct GatewayShutdownTests {
    @Test func aStoppingOriginTellsItsClientsToReconnect() async throws {
        let socket = try await TestOrigin.with { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
            return try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!).socket
        }  // the origin shuts down here
        var frames: [ServerFrame] = []
        while let frame = try await socket.next(timeout: .seconds(10)) { frames.append(frame) }
        #expect(frames.last?.op == "reconnect")
        #expect(try frames.last?.payload(GatewayFrame.Reconnect.self).reason == "draining")
        #expect(socket.closeCode == GatewayCloseCode.draining.rawValue)
    }
}
