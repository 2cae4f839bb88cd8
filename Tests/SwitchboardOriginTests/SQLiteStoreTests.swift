import Foundation
import SwitchboardCore
@testable import SwitchboardOrigin
import Testing

/// Store behaviour that the HTTP tests cannot reach directly (time windows, cursors).
@Suite struct SQLiteStoreTests {
    struct Fixture {
        let store: SQLiteStore
        let ids = SnowflakeGenerator(worker: 3)
        let workspace: Workspace
        let general: Snowflake
        let users: [User]
        let directory: String

        init(userCount: Int = 3) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
            store = try SQLiteStore(path: directory + "/origin.sqlite")
            general = ids.next()
            workspace = try await store.createWorkspace(id: ids.next(), generalChannelID: general, name: "W", nowMs: 1_000)
            var users: [User] = []
            for i in 0..<userCount {
                users.append(try await store.createUser(User(
                    id: ids.next(), workspaceID: workspace.id, handle: "u\(i)", displayName: "U\(i)",
                    avatar: Avatar(base: "https://a/\(i)"), createdAtMs: 1_000, updatedAtMs: 1_000)))
            }
            self.users = users
        }

        func draft(_ content: String, by user: Int = 0, nonce: String? = nil, at nowMs: UInt64) -> MessageDraft {
            MessageDraft(id: ids.next(), channelID: general, authorID: users[user].id, content: content, nonce: nonce,
                         threadID: nil, alsoToChannel: false, mentions: Mentions(parsing: content), nowMs: nowMs)
        }
    }

    @Test func nonceWindowIsFiveMinutes() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        let first = try await f.store.postMessage(f.draft("a", nonce: "n", at: 10_000))
        #expect(first.created)
        let replay = try await f.store.postMessage(f.draft("b", nonce: "n", at: 10_000 + Limits.nonceWindowMs))
        #expect(!replay.created && replay.message.id == first.message.id)
        let later = try await f.store.postMessage(f.draft("c", nonce: "n", at: 10_001 + Limits.nonceWindowMs))
        #expect(later.created && later.message.id != first.message.id)

        try await f.store.purgeNonces(olderThanMs: 20_000 + Limits.nonceWindowMs)
        #expect(try await f.store.nonceReplay(userID: f.users[0].id, nonce: "n", nowMs: 10_002 + Limits.nonceWindowMs) == nil)
    }

    @Test func postsSentTogetherCommitTogetherAndFailAlone() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        let drafts = (0..<60).map { f.draft("m\($0)", by: $0 % 3, nonce: "n\($0)", at: 5_000) }
        // Every fifth names a thread that does not exist: it fails, alone.
        let bad = Set(stride(from: 0, to: 60, by: 5))
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, draft) in drafts.enumerated() {
                var draft = draft
                if bad.contains(index) { draft.threadID = f.ids.next() }
                let sent = draft
                group.addTask { (index, (try? await f.store.postMessage(sent)) != nil) }
            }
            var results: [Int: Bool] = [:]
            for await (index, ok) in group { results[index] = ok }
            return results
        }
        #expect(results.filter { !$0.value }.keys.sorted() == bad.sorted())
        let stored = try await f.store.messages(channelID: f.general, viewer: f.users[0].id, before: nil, after: nil, limit: 100)
        #expect(Set(stored.messages.map(\.content)) == Set((0..<60).filter { !bad.contains($0) }.map { "m\($0)" }))
        // A failed post leaves no nonce behind; a successful one replays.
        #expect(try await f.store.nonceReplay(userID: f.users[0].id, nonce: "n0", nowMs: 5_000) == nil)
        #expect(try await f.store.nonceReplay(userID: f.users[1].id, nonce: "n1", nowMs: 5_000)?.content == "m1")
        // The event log has exactly one entry per stored message, in order.
        let events = try await f.store.events(workspaceID: f.workspace.id, after: 0, limit: 1_000).filter { $0.type == .messageCreated }
        #expect(events.count == 48 && events.map(\.seq) == events.map(\.seq).sorted())
    }

    @Test func membershipPagesWalkChannelsInOrder() async throws {
        let f = try await Fixture(userCount: 7)
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        let second = try await f.store.createChannel(Channel(id: f.ids.next(), workspaceID: f.workspace.id, name: "two",
                                                             kind: .public, creatorID: f.users[0].id, createdAtMs: 1))
        _ = try await f.store.addMember(channelID: second.id, userID: f.users[3].id, nowMs: 2)
        _ = try await f.store.addMember(channelID: second.id, userID: f.users[3].id, nowMs: 2)  // idempotent
        #expect(try await f.store.channel(second.id, viewer: f.users[3].id)?.memberCount == 2)

        var all: [(channel: Snowflake, user: Snowflake)] = []
        var cursor: (channel: Snowflake, user: Snowflake)?
        repeat {
            let page = try await f.store.membershipsPage(channelIDs: [f.general, second.id], after: cursor, limit: 3)
            all += page
            cursor = page.count == 3 ? page.last : nil
        } while cursor != nil
        #expect(all.count == 9)
        #expect(zip(all, all.dropFirst()).allSatisfy { ($0.channel, $0.user) < ($1.channel, $1.user) })
        #expect(all.filter { $0.channel == second.id }.map(\.user) == [f.users[0].id, f.users[3].id])

        try await f.store.removeMember(channelID: second.id, userID: f.users[3].id)
        try await f.store.removeMember(channelID: second.id, userID: f.users[3].id)
        #expect(try await f.store.channel(second.id, viewer: f.users[0].id)?.memberCount == 1)
    }

    @Test func newMembersStartWithHistoryRead() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        _ = try await f.store.postMessage(f.draft("before you came", at: 5_000))
        let late = try await f.store.createUser(User(id: f.ids.next(), workspaceID: f.workspace.id, handle: "late",
                                                     displayName: "Late", avatar: Avatar(base: "https://a/l"),
                                                     createdAtMs: 6_000, updatedAtMs: 6_000))
        #expect(try await f.store.channel(f.general, viewer: late.id)?.unreadCount == 0)
        _ = try await f.store.postMessage(f.draft("after", at: 7_000))
        #expect(try await f.store.channel(f.general, viewer: late.id)?.unreadCount == 1)
    }

    @Test func reopeningKeepsData() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        let posted = try await f.store.postMessage(f.draft("durable", at: 5_000)).message
        let reopened = try SQLiteStore(path: f.directory + "/origin.sqlite")
        #expect(try await reopened.message(channelID: f.general, id: posted.id, viewer: f.users[1].id)?.content == "durable")
        #expect(try await reopened.search(workspaceID: f.workspace.id, viewer: f.users[1].id, query: "dur", channelID: nil,
                                          authorID: nil, limit: 5).count == 1)
    }
}

@Suite struct EventLogTests {
    @Test func everyChangeAppendsOneEventInOrder() async throws {
        let f = try await SQLiteStoreTests.Fixture(userCount: 2)
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        let store = f.store
        let start = try await store.eventLogBounds(workspaceID: f.workspace.id).lastSeq
        #expect(start == 4)  // two users: user.created + member.joined each

        let message = try await store.postMessage(f.draft("hello <@\(f.users[1].id)>", at: 10)).message
        _ = try await store.postMessage(f.draft("hello again", nonce: "n", at: 11))
        _ = try await store.postMessage(f.draft("replayed", nonce: "n", at: 12))  // nonce replay: no event
        try await store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[1].id, emoji: "tada",
                                    present: true, nowMs: 13)
        try await store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[1].id, emoji: "tada",
                                    present: true, nowMs: 14)  // no change: no event
        _ = try await store.editMessage(channelID: f.general, id: message.id, editorID: f.users[0].id, content: "edited",
                                        mentions: Mentions(), nowMs: 15)
        try await store.markRead(channelID: f.general, userID: f.users[1].id, messageID: message.id)
        let channel = try await store.createChannel(Channel(id: f.ids.next(), workspaceID: f.workspace.id, name: "x",
                                                            kind: .private, creatorID: f.users[0].id, createdAtMs: 16))
        try await store.removeMember(channelID: channel.id, userID: f.users[0].id)
        try await store.deleteMessage(channelID: f.general, id: message.id, byUserID: f.users[0].id)

        let events = try await store.events(workspaceID: f.workspace.id, after: start, limit: 100)
        #expect(events.map(\.type) == [.messageCreated, .messageCreated, .reactionAdded, .messageUpdated, .readUpdated,
                                       .channelCreated, .memberJoined, .memberLeft, .messageDeleted])
        #expect(events.map(\.seq) == Array((start + 1)...(start + 9)))
        #expect(events[4].userID == f.users[1].id && events[4].channelID == nil)   // read.updated: the reader only
        #expect(events[5].channelID == channel.id)                                  // private channel: its members
        #expect(events[7].userID == f.users[0].id && events[7].channelID == channel.id)
        let created = try JSON.decode(Message.self, from: Data(events[0].payload))
        #expect(created.id == message.id && created.mentions == [f.users[1].id])
        let read = try JSON.decode(ReadState.self, from: Data(events[4].payload))
        #expect(read.lastReadID == message.id && read.unreadCount == 1)

        // Failed writes log nothing.
        await #expect(throws: SwitchboardError.self) {
            _ = try await store.editMessage(channelID: f.general, id: message.id, editorID: f.users[1].id, content: "x",
                                            mentions: Mentions(), nowMs: 20)
        }
        #expect(try await store.eventLogBounds(workspaceID: f.workspace.id).lastSeq == start + 9)
    }

    @Test func retentionByCountAndAge() async throws {
        let f = try await SQLiteStoreTests.Fixture(userCount: 1)
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        for i in 0..<10 { _ = try await f.store.postMessage(f.draft("m\(i)", at: 1_000 + UInt64(i))) }
        var bounds = try await f.store.eventLogBounds(workspaceID: f.workspace.id)
        #expect(bounds == EventLogBounds(firstSeq: 1, lastSeq: 12))
        #expect(bounds.canResume(from: 0) && bounds.canResume(from: 12) && !bounds.canResume(from: 13))

        try await f.store.purgeEvents(keepingLast: 5, olderThanMs: 0)
        bounds = try await f.store.eventLogBounds(workspaceID: f.workspace.id)
        #expect(bounds == EventLogBounds(firstSeq: 8, lastSeq: 12))
        #expect(bounds.canResume(from: 7) && !bounds.canResume(from: 6))
        try await f.store.purgeEvents(keepingLast: 1_000, olderThanMs: 1_008)
        #expect(try await f.store.events(workspaceID: f.workspace.id, after: 0, limit: 100).map(\.seq) == [11, 12])
        try await f.store.purgeEvents(keepingLast: 0, olderThanMs: 0)
        bounds = try await f.store.eventLogBounds(workspaceID: f.workspace.id)
        #expect(bounds == EventLogBounds(firstSeq: 13, lastSeq: 12))
        #expect(bounds.canResume(from: 12) && !bounds.canResume(from: 11))
    }
}
