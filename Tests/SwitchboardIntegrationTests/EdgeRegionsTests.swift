import Foundation
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardTesting
import Testing

/// Two edges in two regions on one origin: each delivers the other's users' messages, and a
/// drained edge's clients carry on at the other one without missing anything.
@Suite struct EdgeRegionsTests {
    func withTwoRegions(configureEast: @escaping (inout EdgeConfiguration) -> Void = { _ in },
                        _ body: (TestOrigin, TestWorkspace, String, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob", "carol"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "eu-west") { west in
                try await body(origin, ws, secret, west)
            }
        }
    }

    @Test func twoEdgesInTwoRegionsDeliverEachOthersUsersMessages() async throws {
        try await withTwoRegions { origin, ws, secret, west in
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "us-east") { east in
                let general = try await ws.client("alice").general()
                let alice = try await GatewaySocket.identify(east.gatewayURL, token: ws.client("alice").token!, focus: general.id)
                let bob = try await GatewaySocket.identify(west.gatewayURL, token: ws.client("bob").token!, focus: general.id)
                for (from, to, text) in [(alice, bob, "hello from us-east"), (bob, alice, "hello from eu-west")] {
                    try await from.socket.send(.send(.init(channelID: general.id, content: text, nonce: UUID().uuidString)))
                    let ack = try await from.socket.next(where: { $0.op == "ack" }).frame.payload(GatewayFrame.Ack.self)
                    let delivered = try await to.socket.next(where: { frame in
                        frame.isEvent(.messageCreated) && (try? frame.payload(Message.self).id) == ack.message.id
                    }).frame.payload(Message.self)
                    #expect(delivered.content == text)
                }
                let regions = Set(try await ws.client("alice").edges().map(\.region))
                #expect(regions == ["us-east", "eu-west"])
                await alice.socket.close()
                await bob.socket.close()
            }
        }
    }

    @Test func aDrainedEdgesClientsLandOnTheOtherEdgeAndMissNothing() async throws {
        try await withTwoRegions { origin, ws, secret, west in
            let general = try await ws.client("alice").general()
            let token = ws.client("alice").token!
            // Messages keep coming while the edge drains and the client moves.
            let sent = Locked<[Snowflake]>([])
            let poster = Task {
                for i in 0..<60 {
                    let id = try await ws.client("bob").post("m\(i)", to: general.id).message.id
                    sent.withLock { $0.append(id) }
                    try await Task.sleep(for: .milliseconds(15))
                }
            }
            let (onEast, early) = try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "us-east",
                                                 configure: { $0.drainWindowMs = 200 }) { east in
                let alice = try await GatewaySocket.identify(east.gatewayURL, token: token, focus: general.id)
                return (alice, try await alice.socket.frames(until: { $0.isEvent(.messageCreated) }))
            }  // the east edge shuts down here: it drains its clients

            var frames = early
            while let frame = try await onEast.socket.next(timeout: .seconds(10)) { frames.append(frame) }
            #expect(frames.last?.op == "reconnect")
            #expect(try frames.last?.payload(GatewayFrame.Reconnect.self).reason == "draining")
            #expect(onEast.socket.closeCode == GatewayCloseCode.draining.rawValue)
            // What the client holds: the working set of its `ready`, then the events.
            var seen = try onEast.ready.payload(ReadyPayload<WorkingSet>.self).bootstrap.messages.map(\.id)
            seen += try frames.filter { $0.isEvent(.messageCreated) }.map { try $0.payload(Message.self).id }

            // At the other edge: a fresh session, then the history since the last message seen.
            let alice = try await GatewaySocket.identify(west.gatewayURL, token: token, focus: general.id)
            try await poster.value
            var cursor = seen.last
            while true {
                let page = try await ws.client("alice").via(west).messages(in: general.id, after: cursor, limit: 100).messages
                guard let last = page.last else { break }
                seen += page.map(\.id)
                cursor = last.id
            }
            let expected = sent.withLock { $0 }
            #expect(Set(seen).isSuperset(of: expected))
            #expect(seen.filter(Set(expected).contains) == expected)  // in order, each once
            await alice.socket.close()
        }
    }

    /// What a ``LiveSession`` reported.
    final class Recorder: Sendable {
        let messages = Locked<[Snowflake]>([])
        let connections = Locked<[String]>([])
        let eastURL = Locked<String?>(nil)
        let sent = Locked<[Snowflake]>([])
    }

    @Test func aLiveSessionFollowsADrainToTheOtherEdgeAndReportsEveryMessageOnce() async throws {
        try await withTwoRegions { origin, ws, secret, west in
            let general = try await ws.client("alice").general()
            let recorder = Recorder()
            // Picks the east edge while it is up, the west one after.
            let session = LiveSession(token: ws.client("alice").token!, focus: general.id) {
                recorder.eastURL.withLock { $0 } ?? west.baseURL
            }
            var runner: Task<Void, Never>?
            var poster: Task<Void, any Error>?
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: "us-east") { east in
                recorder.eastURL.withLock { $0 = east.baseURL }
                runner = Task {
                    await session.run { update in
                        switch update {
                        case .message(let message): recorder.messages.withLock { $0.append(message.id) }
                        case .connected(let url, _): recorder.connections.withLock { $0.append(url) }
                        default: break
                        }
                    }
                }
                _ = try await eventually { recorder.connections.withLock { $0.isEmpty ? nil : true } }
                poster = Task {
                    for i in 0..<30 {
                        let id = try await ws.client("bob").post("m\(i)", to: general.id).message.id
                        recorder.sent.withLock { $0.append(id) }
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
                _ = try await eventually { recorder.messages.withLock { $0.count >= 5 ? true : nil } }
                recorder.eastURL.withLock { $0 = nil }
            }  // east drains: the session moves west
            try await poster?.value
            let expected = recorder.sent.withLock { $0 }
            _ = try await eventually { recorder.messages.withLock { Set($0).isSuperset(of: expected) ? true : nil } }
            #expect(recorder.messages.withLock { $0 } == expected)  // each once, in order
            let connections = recorder.connections.withLock { $0 }
            #expect(connections.count == 2 && connections.last == west.baseURL && connections.first != west.baseURL)
            runner?.cancel()
            await runner?.value
        }
    }
}
