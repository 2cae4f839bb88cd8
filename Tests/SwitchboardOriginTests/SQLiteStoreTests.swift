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
