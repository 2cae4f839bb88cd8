import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
@testable import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// The origin's `/edge/feed`: snapshot, replay from a cursor, live events, edge commands.
@Suite struct EdgeFeedTests {
    func openFeed(_ origin: TestOrigin, _ ws: TestWorkspace, after: UInt64?, edgeID: String = "edge-1") async throws -> FeedSocket {
        try await FeedSocket.openFeed(originURL: origin.baseURL, edgeKey: TestOrigin.edgeKey, workspaceID: ws.workspace.id,
                                      after: after, edgeID: edgeID, region: "eu-west", publicURL: "http://edge-1.example")
    }

    /// Reads a whole snapshot: items by kind, and the seq of `snapshot_end`.
    func readSnapshot(_ feed: FeedSocket) async throws -> (frames: [SnapshotKind: [Data]], seq: UInt64) {
        var frames: [SnapshotKind: [Data]] = [:]
        while let message = try await feed.next() {
            switch message {
            case .snapshotEnd(let seq): return (frames, seq)
            case .snapshot(let kind, let items): frames[kind, default: []].append(items)
            default: Issue.record("\(message) in a snapshot")
            }
        }
        throw FeedSocket.NotConnected()
    }

    @Test func snapshotEqualsTheDatabaseThenEventsFollow() async throws {
        try await withWorkspace(["alice", "bob", "carol"]) { origin, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let general = try await alice.general()
            let secret = try await alice.createChannel(name: "secret", kind: .private)
            _ = try await alice.openDM(with: [ws.user("bob").id])
            for i in 0..<60 { _ = try await bob.post("msg \(i) <@\(ws.user("alice").id)>", to: general.id) }
            let reacted = try await alice.post("react here", to: secret.id).message
            try await alice.react("tada", to: reacted.id, in: secret.id)
            try await alice.markRead(general.id, messageID: try await alice.messages(in: general.id, limit: 1).messages[0].id)
            // Alice was away for 60 mentions: the notifier logs them after the posts; let it finish
            // so that the log is still when the snapshot is compared with it.
            _ = try await eventually { try await alice.notifications().first { $0.count == 60 } }

            let feed = try await openFeed(origin, ws, after: nil)
            let (frames, seq) = try await readSnapshot(feed)
            let store = origin.origin.store
            #expect(seq == (try await store.eventLogBounds(workspaceID: ws.workspace.id)).lastSeq)

            let users = try frames[.users, default: []].flatMap { try JSON.decode([User].self, from: $0) }
            #expect(users == (try await store.usersPage(workspaceID: ws.workspace.id, after: nil, limit: 1_000)))
            let channels = try frames[.channels, default: []].flatMap { try JSON.decode([Channel].self, from: $0) }
            #expect(channels == (try await store.channelsPage(workspaceID: ws.workspace.id, after: nil, limit: 1_000)))
            #expect(channels.count == 3 && channels.allSatisfy { $0.unreadCount == nil })
            let memberships = try frames[.memberships, default: []].flatMap { try JSON.decode([MembershipState].self, from: $0) }
            #expect(memberships == (try await store.membershipStatesPage(workspaceID: ws.workspace.id, after: nil, limit: 10_000)))
            let aliceGeneral = try #require(memberships.first { $0.channelID == general.id && $0.userID == ws.user("alice").id })
            #expect(aliceGeneral.unreadCount == 0)
            let carolGeneral = try #require(memberships.first { $0.channelID == general.id && $0.userID == ws.user("carol").id })
            #expect(carolGeneral.unreadCount == 60 && carolGeneral.mentionCount == 0)
            let messages = try frames[.messages, default: []].flatMap { try JSON.decode([Message].self, from: $0) }
            #expect(messages == (try await store.latestMessages(channelIDs: channels.map(\.id), perChannel: 50)))
            #expect(messages.filter { $0.channelID == general.id }.count == 50)
            #expect(messages.first { $0.id == reacted.id }?.reactions.first?.userIDs == [ws.user("alice").id])
            let workspace = try #require(try frames[.workspace]?.first.map { try JSON.decode([Workspace].self, from: $0) }?.first)
            #expect(workspace.memberCount == 3)

            // Live events continue right after the snapshot's seq.
            _ = try await bob.post("live", to: general.id)
            let event = try #require(try await feed.next(where: { $0.event != nil }).frame.event)
            #expect(event.seq == seq + 1 && event.type == .messageCreated && event.channelID == general.id)
            guard case .messageCreated(let live)? = event.content else { Issue.record("\(event)"); return }
            #expect(live.content == "live")
            #expect(try JSON.decode(Message.self, from: Data(event.payload)) == live)  // the committed bytes, as they were
            #expect(try await origin.anonymous.metricsText().contains("switchboard_feed_snapshots_total 1"))
            await feed.close()
        }
    }

    @Test func aCursorInRetentionReplaysExactlyTheEventsAfterIt() async throws {
        try await withWorkspace { origin, ws in
            let general = try await ws.client("alice").general()
            let cursor = try await origin.origin.store.eventLogBounds(workspaceID: ws.workspace.id).lastSeq
            for i in 0..<30 { _ = try await ws.client("bob").post("m\(i)", to: general.id) }
            try await ws.client("carol").react("eyes", to: try await ws.client("carol").messages(in: general.id).messages[0].id,
                                               in: general.id)
            let feed = try await openFeed(origin, ws, after: cursor)
            // No snapshot: who is online (nobody is connected), then the events after the cursor.
            guard case .presenceState(let presence)? = try await feed.next() else { Issue.record("no presence_state"); return }
            #expect(presence.statuses.isEmpty)
            // Then where the log is: the edge is current once it has applied that far.
            guard case .position(let announced)? = try await feed.next() else { Issue.record("no position"); return }
            #expect(announced == cursor + 31)
            var seqs: [UInt64] = []
            while seqs.count < 31 {
                let event = try #require(try await feed.next()?.event)  // no snapshot
                seqs.append(event.seq)
            }
            #expect(seqs == Array((cursor + 1)...(cursor + 31)))
            _ = try await ws.client("bob").post("live", to: general.id)
            #expect(try await feed.next()?.event?.seq == cursor + 32)
            let metrics = try await origin.anonymous.metricsText()
            #expect(metrics.contains("switchboard_feed_replays_total 1") && metrics.contains("switchboard_feed_snapshots_total 0"))

            // A cursor the log no longer covers gets a snapshot instead.
            try await origin.origin.store.purgeEvents(keepingLast: 5, olderThanMs: 0)
            let stale = try await openFeed(origin, ws, after: cursor, edgeID: "edge-2")
            guard case .snapshot? = try await stale.next() else { Issue.record("no snapshot for a stale cursor"); return }
        }
    }

    @Test func edgeCommandsActForTheirUsers() async throws {
        try await withWorkspace { origin, ws in
            let general = try await ws.client("alice").general()
            let secret = try await ws.client("alice").createChannel(name: "secret", kind: .private)
            let feed = try await openFeed(origin, ws, after: nil)
            _ = try await readSnapshot(feed)
            #expect(try await origin.anonymous.edges() == [EdgeInfo(id: "edge-1", region: "eu-west", publicURL: "http://edge-1.example",
                                                                     workspaceIDs: [ws.workspace.id],
                                                                     connectedAtMs: origin.origin.edges.edges[0].connectedAtMs)])

            // send: acked after the commit, with the message; refused for a non-member, by ref.
            try await feed.send(.send(.init(ref: "r1", userID: ws.user("bob").id, channelID: general.id, content: "via edge", nonce: "e1")))
            guard case .ack(let ref, let encoded) = try await feed.next(where: { if case .ack = $0 { true } else { false } }).frame
            else { return }
            let acked = try encoded.decoded()
            #expect(ref == "r1" && acked.authorID == ws.user("bob").id)
            #expect(try await ws.client("alice").messages(in: general.id).messages.map(\.id) == [acked.id])
            try await feed.send(.send(.init(ref: "r2", userID: ws.user("bob").id, channelID: secret.id, content: "x", nonce: "e2")))
            guard case .error(let refused, let refusal) = try await feed.next(where: \.isError).frame else { return }
            #expect(refused == "r2" && refusal.code == .notAMember)

            // Presence reported by the edge reaches the origin's subscribers.
            let watcher = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!, focus: general.id)
            try await watcher.socket.send(.presenceSubscribe(.init(userIDs: [ws.user("carol").id])))
            #expect(try await watcher.socket.expectEvent(.presenceChanged).payload(PresenceChange.self).status == .offline)
            try await feed.send(.presenceSync(.init(connections: [ws.user("carol").id: 2])))
            #expect(try await watcher.socket.expectEvent(.presenceChanged).payload(PresenceChange.self).status == .active)

            // Typing from the edge reaches focused sessions; typing at the origin reaches the edge.
            try await feed.send(.typing(.init(userID: ws.user("carol").id, channelID: general.id)))
            #expect(try await watcher.socket.expectEvent(.typingStarted).payload(TypingStarted.self).userID == ws.user("carol").id)
            try await watcher.socket.send(.typing(.init(channelID: general.id)))
            // (The edge hears its own users' typing back too: it fans out from the feed alone.)
            let typing = try #require(try await feed.next(where: {
                guard case .typingStarted(let typing)? = $0.event?.content else { return false }
                return typing.userID == ws.user("alice").id
            }).frame.event)
            #expect(typing.seq == 0 && !typing.isLogged)

            // Read markers on behalf of a user.
            try await feed.send(.read(.init(userID: ws.user("carol").id, channelID: general.id, messageID: acked.id)))
            let read = try #require(try await feed.next(where: { $0.event?.type == .readUpdated }).frame.event)
            #expect(read.userID == ws.user("carol").id && read.channelID == nil)
            guard case .readUpdated(let state, let reader)? = read.content else { Issue.record("\(read)"); return }
            #expect(reader == ws.user("carol").id && state.lastReadID == acked.id)

            // Bad frames get an error and the feed lives on.
            try await feed.sendRaw(Array("nonsense".utf8))
            _ = try await feed.next(where: \.isError)
            await feed.close()
            // The origin forgets the edge once its feed has ended (however busy the machine).
            _ = try await eventually { try await origin.anonymous.edges().isEmpty ? true : nil }
        }
    }

    @Test func feedsNeedTheEdgeKey() async throws {
        try await withWorkspace { origin, ws in
            await #expect(throws: (any Error).self) {
                _ = try await FeedSocket.openFeed(originURL: origin.baseURL, edgeKey: "wrong", workspaceID: ws.workspace.id, after: nil)
            }
            await #expect(throws: (any Error).self) {
                _ = try await FeedSocket.openFeed(originURL: origin.baseURL, edgeKey: TestOrigin.edgeKey, workspaceID: Snowflake(1), after: nil)
            }
        }
    }
}

extension FeedMessage {
    var event: FeedEvent? { if case .event(let event) = self { event } else { nil } }
    var isError: Bool { if case .error = self { true } else { false } }
}
