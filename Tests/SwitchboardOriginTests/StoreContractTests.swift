import Foundation
import SwitchboardCore
@testable import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Every store behaviour the origin relies on, written once and run against each store:
/// SQLite always, PostgreSQL when the test script started one (`StoreKind.available`).
@Suite struct StoreContractTests {
    /// A fresh store with a workspace and `userCount` users (u0, u1, ...) in `#general`.
    struct Fixture {
        let testStore: TestStore
        var store: any Store { testStore.store }
        let ids = SnowflakeGenerator(worker: 3)
        let workspace: Workspace
        let general: Snowflake
        let users: [User]

        init(_ kind: StoreKind, userCount: Int = 3) async throws {
            testStore = try await TestStore.open(kind)
            let store = testStore.store
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

        func draft(_ content: String, by user: Int = 0, in channel: Snowflake? = nil, nonce: String? = nil,
                   thread: Snowflake? = nil, alsoToChannel: Bool = false, at nowMs: UInt64 = 5_000) -> MessageDraft {
            MessageDraft(ids: ids, channelID: channel ?? general, authorID: users[user].id, content: content,
                         nonce: nonce, threadID: thread, alsoToChannel: alsoToChannel, mentions: Mentions(parsing: content),
                         nowMs: nowMs)
        }

        @discardableResult
        func post(_ content: String, by user: Int = 0, in channel: Snowflake? = nil, thread: Snowflake? = nil,
                  alsoToChannel: Bool = false) async throws -> Message {
            try await store.postMessage(draft(content, by: user, in: channel, thread: thread, alsoToChannel: alsoToChannel)).message
        }

        func channel(_ name: String, kind: ChannelKind = .public, by user: Int = 0) async throws -> Channel {
            try await store.createChannel(Channel(id: ids.next(), workspaceID: workspace.id, name: name, kind: kind,
                                                  creatorID: users[user].id, createdAtMs: 2_000))
        }

        func destroy() async { await testStore.destroy() }
    }

    // MARK: Workspaces and users

    @Test(arguments: StoreKind.available) func workspacesAndUsers(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        #expect(try await f.store.workspace(f.workspace.id)?.generalChannelID == f.general)
        #expect(try await f.store.workspaces().map(\.id) == [f.workspace.id])
        let counted = try await f.store.workspaceWithCounts(f.workspace.id)
        #expect(counted?.memberCount == 3 && counted?.channelCount == 1)
        #expect(try await f.store.workspace(Snowflake(42)) == nil)

        // Handles are unique without regard to case, and found without regard to case.
        await #expect(throws: SwitchboardError.conflict("the handle 'U1' is taken")) {
            _ = try await f.store.createUser(User(id: f.ids.next(), workspaceID: f.workspace.id, handle: "U1", displayName: "x",
                                                  avatar: Avatar(base: "https://a"), createdAtMs: 1, updatedAtMs: 1))
        }
        #expect(try await f.store.user(workspaceID: f.workspace.id, handle: "U2")?.id == f.users[2].id)
        #expect(try await f.store.user(f.users[1].id)?.handle == "u1")

        // Asked order kept, unknown ids and duplicates left out.
        let asked = [f.users[2].id, Snowflake(7), f.users[0].id, f.users[2].id]
        #expect(try await f.store.users(workspaceID: f.workspace.id, ids: asked).map(\.id) == [f.users[2].id, f.users[0].id])
        #expect(try await f.store.users(workspaceID: f.workspace.id, ids: []).isEmpty)

        var pages: [Snowflake] = []
        var cursor: Snowflake?
        repeat {
            let page = try await f.store.usersPage(workspaceID: f.workspace.id, after: cursor, limit: 2)
            pages += page.map(\.id)
            cursor = page.count == 2 ? page.last?.id : nil
        } while cursor != nil
        #expect(pages == f.users.map(\.id))

        let updated = try await f.store.updateProfile(userID: f.users[0].id,
                                                      UpdateProfileRequest(realName: "Jane Smith", statusText: "busy"),
                                                      nowMs: 9_000)
        #expect(updated.realName == "Jane Smith" && updated.statusText == "busy" && updated.displayName == "U0")
        #expect(try await f.store.user(f.users[0].id) == updated)
        await #expect(throws: SwitchboardError.notFound("user")) {
            _ = try await f.store.updateProfile(userID: Snowflake(5), UpdateProfileRequest(title: "x"), nowMs: 1)
        }
    }

    @Test(arguments: StoreKind.available) func userSearchByPrefix(kind: StoreKind) async throws {
        let f = try await Fixture(kind, userCount: 0)
        defer { Task { await f.destroy() } }
        for (handle, display, real) in [("jsmith", "Jay", "Jane Smith"), ("smithy", "Smithy", "Bob Jones"),
                                        ("ann", "Annie", "Ann Smithers"), ("bob_1", "Robert", "Bob"), ("zed", "Zed", "Zed")] {
            _ = try await f.store.createUser(User(id: f.ids.next(), workspaceID: f.workspace.id, handle: handle,
                                                  displayName: display, realName: real, avatar: Avatar(base: "https://a"),
                                                  createdAtMs: 1, updatedAtMs: 1))
        }
        // Handle matches first, then the rest by handle; a later word of the real name counts.
        #expect(try await f.store.searchUsers(workspaceID: f.workspace.id, prefix: "SMI", limit: 10).map(\.handle)
                == ["smithy", "ann", "jsmith"])
        #expect(try await f.store.searchUsers(workspaceID: f.workspace.id, prefix: "smi", limit: 1).map(\.handle) == ["smithy"])
        // LIKE wildcards are literal.
        #expect(try await f.store.searchUsers(workspaceID: f.workspace.id, prefix: "bob_", limit: 10).map(\.handle) == ["bob_1"])
        #expect(try await f.store.searchUsers(workspaceID: f.workspace.id, prefix: "%", limit: 10).isEmpty)
    }

    // MARK: Channels

    @Test(arguments: StoreKind.available) func channelsMembershipAndVisibility(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let open = try await f.channel("open")
        let secret = try await f.channel("secret", kind: .private, by: 1)
        #expect(open.isMember == true && open.memberCount == 1 && open.unreadCount == 0)
        await #expect(throws: SwitchboardError.conflict("a channel named 'open' already exists")) { _ = try await f.channel("open") }

        // u0 sees the public channels and not u1's private one; u1 sees it.
        #expect(try await f.store.visibleChannels(workspaceID: f.workspace.id, viewer: f.users[0].id).map(\.id)
                == [f.general, open.id])
        #expect(try await f.store.visibleChannels(workspaceID: f.workspace.id, viewer: f.users[1].id).map(\.id)
                == [f.general, open.id, secret.id])
        #expect(try await f.store.channels(ofUser: f.users[1].id).map(\.id) == [f.general, secret.id])
        let asOutsider = try await f.store.channel(secret.id, viewer: f.users[0].id)
        #expect(asOutsider?.isMember == false && asOutsider?.unreadCount == nil)
        #expect(try await f.store.channel(Snowflake(99), viewer: f.users[0].id) == nil)

        #expect(try await f.store.isMember(channelID: secret.id, userID: f.users[1].id))
        #expect(try await !f.store.isMember(channelID: secret.id, userID: f.users[0].id))
        let joined = try await f.store.addMember(channelID: secret.id, userID: f.users[0].id, nowMs: 3_000)
        #expect(joined.isMember == true && joined.memberCount == 2)
        _ = try await f.store.addMember(channelID: secret.id, userID: f.users[0].id, nowMs: 3_000)  // idempotent
        #expect(try await f.store.members(channelID: secret.id, after: nil, limit: 10) == [f.users[0].id, f.users[1].id].sorted())
        #expect(try await f.store.members(channelID: secret.id, after: f.users[0].id, limit: 10) == [f.users[1].id])
        await #expect(throws: SwitchboardError.notFound("user")) {
            _ = try await f.store.addMember(channelID: secret.id, userID: Snowflake(3), nowMs: 1)
        }
        await #expect(throws: SwitchboardError.notFound("channel")) {
            _ = try await f.store.addMember(channelID: Snowflake(3), userID: f.users[0].id, nowMs: 1)
        }
        try await f.store.removeMember(channelID: secret.id, userID: f.users[0].id)
        try await f.store.removeMember(channelID: secret.id, userID: f.users[0].id)  // idempotent
        #expect(try await f.store.channel(secret.id, viewer: f.users[1].id)?.memberCount == 1)
    }

    @Test(arguments: StoreKind.available) func directMessagesAreFoundAgain(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let dm = try await f.store.openDirect(workspaceID: f.workspace.id, newID: f.ids.next(), creatorID: f.users[0].id,
                                              memberIDs: [f.users[1].id, f.users[0].id], nowMs: 3_000)
        #expect(dm.kind == .dm && dm.name == "u0, u1" && dm.memberIDs == [f.users[0].id, f.users[1].id].sorted())
        let again = try await f.store.openDirect(workspaceID: f.workspace.id, newID: f.ids.next(), creatorID: f.users[1].id,
                                                 memberIDs: [f.users[0].id, f.users[1].id, f.users[1].id], nowMs: 3_001)
        #expect(again.id == dm.id)
        let group = try await f.store.openDirect(workspaceID: f.workspace.id, newID: f.ids.next(), creatorID: f.users[0].id,
                                                 memberIDs: f.users.map(\.id), nowMs: 3_002)
        #expect(group.kind == .groupDM && group.memberCount == 3)
        // DMs are not listed as workspace channels, but are the members' channels.
        #expect(try await f.store.visibleChannels(workspaceID: f.workspace.id, viewer: f.users[0].id).map(\.id) == [f.general])
        #expect(Set(try await f.store.channels(ofUser: f.users[2].id).map(\.id)) == [f.general, group.id])
        await #expect(throws: SwitchboardError.notFound("user")) {
            _ = try await f.store.openDirect(workspaceID: f.workspace.id, newID: f.ids.next(), creatorID: f.users[0].id,
                                             memberIDs: [f.users[0].id, Snowflake(12)], nowMs: 1)
        }
    }

    @Test(arguments: StoreKind.available) func membershipPagesWalkChannelsInOrder(kind: StoreKind) async throws {
        let f = try await Fixture(kind, userCount: 7)
        defer { Task { await f.destroy() } }
        let second = try await f.channel("two")
        _ = try await f.store.addMember(channelID: second.id, userID: f.users[3].id, nowMs: 2)
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
        #expect(try await f.store.membershipsPage(channelIDs: [], after: nil, limit: 3).isEmpty)
    }

    // MARK: Messages

    @Test(arguments: StoreKind.available) func historyPagesByCursor(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        var posted: [Message] = []
        for i in 0..<7 { posted.append(try await f.post("m\(i)", by: i % 2)) }
        let viewer = f.users[2].id
        let latest = try await f.store.messages(channelID: f.general, viewer: viewer, before: nil, after: nil, limit: 3)
        #expect(latest.messages.map(\.content) == ["m4", "m5", "m6"] && latest.hasMore)
        let older = try await f.store.messages(channelID: f.general, viewer: viewer, before: posted[4].id, after: nil, limit: 3)
        #expect(older.messages.map(\.content) == ["m1", "m2", "m3"] && older.hasMore)
        let oldest = try await f.store.messages(channelID: f.general, viewer: viewer, before: posted[1].id, after: nil, limit: 3)
        #expect(oldest.messages.map(\.content) == ["m0"] && !oldest.hasMore)
        let newer = try await f.store.messages(channelID: f.general, viewer: viewer, before: nil, after: posted[2].id, limit: 3)
        #expect(newer.messages.map(\.content) == ["m3", "m4", "m5"] && newer.hasMore)
        let between = try await f.store.messages(channelID: f.general, viewer: viewer, before: posted[5].id,
                                                 after: posted[2].id, limit: 10)
        #expect(between.messages.map(\.content) == ["m3", "m4"] && !between.hasMore)
        #expect(try await f.store.message(channelID: f.general, id: posted[3].id, viewer: viewer)?.content == "m3")
        #expect(try await f.store.message(channelID: f.general, id: Snowflake(1), viewer: viewer) == nil)
    }

    @Test(arguments: StoreKind.available) func threadsCountRepliesAndStayOutOfTheTimeline(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let parent = try await f.post("parent")
        let r1 = try await f.post("reply 1", by: 1, thread: parent.id)
        let r2 = try await f.post("reply 2 also in channel", by: 2, thread: parent.id, alsoToChannel: true)
        let stored = try await f.store.message(channelID: f.general, id: parent.id, viewer: f.users[0].id)
        #expect(stored?.replyCount == 2 && stored?.latestReplyID == r2.id)
        let timeline = try await f.store.messages(channelID: f.general, viewer: f.users[0].id, before: nil, after: nil, limit: 10)
        #expect(timeline.messages.map(\.id) == [parent.id, r2.id])
        let replies = try await f.store.replies(channelID: f.general, threadID: parent.id, viewer: f.users[0].id,
                                                after: nil, limit: 1)
        #expect(replies.messages.map(\.id) == [r1.id] && replies.hasMore)
        #expect(try await f.store.replies(channelID: f.general, threadID: parent.id, viewer: f.users[0].id,
                                          after: r1.id, limit: 5).messages.map(\.id) == [r2.id])
        // A reply can't start a thread; an unknown parent is not found.
        await #expect(throws: SwitchboardError.badRequest("thread_id must name a top-level message, not a reply")) {
            _ = try await f.post("nested", thread: r1.id)
        }
        await #expect(throws: SwitchboardError.notFound("thread parent message")) { _ = try await f.post("x", thread: Snowflake(5)) }
        await #expect(throws: SwitchboardError.notFound("message")) {
            _ = try await f.store.replies(channelID: f.general, threadID: r1.id, viewer: f.users[0].id, after: nil, limit: 5)
        }
        // Deleting a reply updates the parent's counters.
        try await f.store.deleteMessage(channelID: f.general, id: r2.id, byUserID: f.users[2].id, moderator: false)
        let after = try await f.store.message(channelID: f.general, id: parent.id, viewer: f.users[0].id)
        #expect(after?.replyCount == 1 && after?.latestReplyID == r1.id)
    }

    @Test(arguments: StoreKind.available) func postingRequiresMembership(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let secret = try await f.channel("secret", kind: .private, by: 1)
        await #expect(throws: SwitchboardError.notAMember) { _ = try await f.post("hi", by: 0, in: secret.id) }
        await #expect(throws: SwitchboardError.notFound("channel")) { _ = try await f.post("hi", in: Snowflake(8)) }
        // Another workspace's channel is not confirmed to exist.
        let other = try await f.store.createWorkspace(id: f.ids.next(), generalChannelID: f.ids.next(), name: "Other", nowMs: 1)
        await #expect(throws: SwitchboardError.notFound("channel")) { _ = try await f.post("hi", in: other.generalChannelID) }
        await #expect(throws: SwitchboardError.notFound("channel")) {
            try await f.store.setReaction(channelID: other.generalChannelID!, messageID: Snowflake(1), userID: f.users[0].id,
                                          emoji: "x", present: true, nowMs: 1)
        }
        #expect(try await f.store.messages(channelID: secret.id, viewer: f.users[1].id, before: nil, after: nil, limit: 5)
                    .messages.isEmpty)
    }

    @Test(arguments: StoreKind.available) func nonceWindowIsFiveMinutes(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let first = try await f.store.postMessage(f.draft("a", nonce: "n", at: 10_000))
        #expect(first.created)
        let replay = try await f.store.postMessage(f.draft("b", nonce: "n", at: 10_000 + Limits.nonceWindowMs))
        #expect(!replay.created && replay.message.id == first.message.id && replay.message.content == "a")
        let later = try await f.store.postMessage(f.draft("c", nonce: "n", at: 10_001 + Limits.nonceWindowMs))
        #expect(later.created && later.message.id != first.message.id)
        // Another user's nonce is their own.
        #expect(try await f.store.postMessage(f.draft("d", by: 1, nonce: "n", at: 10_002 + Limits.nonceWindowMs)).created)

        try await f.store.purgeNonces(olderThanMs: 20_000 + Limits.nonceWindowMs)
        #expect(try await f.store.nonceReplay(userID: f.users[0].id, nonce: "n", nowMs: 10_002 + Limits.nonceWindowMs) == nil)
    }

    @Test(arguments: StoreKind.available) func postsSentTogetherCommitTogetherAndFailAlone(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let drafts = (0..<60).map { f.draft("m\($0)", by: $0 % 3, nonce: "n\($0)", at: 5_000) }
        // Every fifth names a thread that does not exist: it fails, alone.
        let bad = Set(stride(from: 0, to: 60, by: 5))
        let store = f.store
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, draft) in drafts.enumerated() {
                var draft = draft
                if bad.contains(index) { draft.threadID = f.ids.next() }
                let sent = draft
                group.addTask { (index, (try? await store.postMessage(sent)) != nil) }
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

    /// Another writer whose clock is behind (a second process, or this one restarted after the
    /// clock stepped back) still gets an id above the channel's newest, and its generator moves on.
    @Test(arguments: StoreKind.available) func aWriterWithALateClockPostsAboveTheChannelsNewest(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let newest = try await f.post("from the present")
        let late = SnowflakeGenerator(worker: 9, clock: { newest.id.timestampMs - 60_000 })
        let draft = MessageDraft(ids: late, channelID: f.general, authorID: f.users[1].id, content: "from a minute ago",
                                 nonce: "late", threadID: nil, alsoToChannel: false, mentions: Mentions(parsing: ""), nowMs: 5_000)
        let posted = try await f.store.postMessage(draft).message
        #expect(posted.id > newest.id)
        #expect(late.next() > posted.id)
        let page = try await f.store.messages(channelID: f.general, viewer: f.users[0].id, before: nil, after: nil, limit: 10)
        #expect(page.messages.map(\.content) == ["from the present", "from a minute ago"])
        // The event carries the id the message was stored with; a retry of it is a replay.
        let events = try await f.store.events(workspaceID: f.workspace.id, after: 0, limit: 100).filter { $0.type == .messageCreated }
        #expect(try JSON.decoder().decode(Message.self, from: Data(events.last!.payload)).id == posted.id)
        #expect(try await f.store.postMessage(draft).created == false)
    }

    @Test(arguments: StoreKind.available) func editDeleteAndPermissions(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let room = try await f.channel("room", by: 2)
        _ = try await f.store.addMember(channelID: room.id, userID: f.users[0].id, nowMs: 1)
        _ = try await f.store.addMember(channelID: room.id, userID: f.users[1].id, nowMs: 1)
        let first = try await f.post("first", by: 0, in: room.id)
        let second = try await f.post("second <@\(f.users[1].id)>", by: 0, in: room.id)

        await #expect(throws: SwitchboardError.forbidden("only the author can edit a message")) {
            _ = try await f.store.editMessage(channelID: room.id, id: second.id, editorID: f.users[1].id, content: "x",
                                              mentions: Mentions(), nowMs: 6_000)
        }
        let edited = try await f.store.editMessage(channelID: room.id, id: second.id, editorID: f.users[0].id,
                                                   content: "second, edited", mentions: Mentions(), nowMs: 6_000)
        #expect(edited.content == "second, edited" && edited.editedAtMs == 6_000 && edited.mentions.isEmpty)
        #expect(try await f.store.channel(room.id, viewer: f.users[1].id)?.mentionCount == 0)

        // Not the author and not the channel's creator: refused. The creator may.
        await #expect(throws: SwitchboardError.forbidden("only the author, the channel's creator or an admin can delete a message")) {
            try await f.store.deleteMessage(channelID: room.id, id: second.id, byUserID: f.users[1].id, moderator: false)
        }
        try await f.store.deleteMessage(channelID: room.id, id: second.id, byUserID: f.users[2].id, moderator: false)
        #expect(try await f.store.message(channelID: room.id, id: second.id, viewer: f.users[0].id) == nil)
        #expect(try await f.store.channel(room.id, viewer: f.users[0].id)?.lastMessageID == first.id)
        await #expect(throws: SwitchboardError.notFound("message")) {
            try await f.store.deleteMessage(channelID: room.id, id: second.id, byUserID: f.users[0].id, moderator: false)
        }
        #expect(try await f.store.search(workspaceID: f.workspace.id, viewer: f.users[0].id, query: "second", channelID: nil,
                                         authorID: nil, limit: 5).isEmpty)
    }

    @Test(arguments: StoreKind.available) func reactionsCountAndKnowWhoReacted(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let message = try await f.post("react to me")
        #expect(try await f.store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[1].id, emoji: "tada",
                                              present: true, nowMs: 6_000))
        #expect(try await !f.store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[1].id, emoji: "tada",
                                               present: true, nowMs: 6_001))
        try await f.store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[2].id, emoji: "tada",
                                      present: true, nowMs: 6_002)
        try await f.store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[2].id, emoji: "eyes",
                                      present: true, nowMs: 6_003)
        let seen = try await f.store.message(channelID: f.general, id: message.id, viewer: f.users[1].id)
        #expect(seen?.reactions.map(\.emoji) == ["tada", "eyes"])
        #expect(seen?.reactions.map(\.count) == [2, 1] && seen?.reactions.map(\.me) == [true, false])
        let withReactors = try await f.store.withReactors([seen!])
        #expect(withReactors[0].reactions[0].userIDs == [f.users[1].id, f.users[2].id])

        #expect(try await f.store.setReaction(channelID: f.general, messageID: message.id, userID: f.users[1].id, emoji: "tada",
                                              present: false, nowMs: 6_004))
        #expect(try await f.store.message(channelID: f.general, id: message.id, viewer: f.users[1].id)?.reactions.first?.count == 1)
        let outsider = try await f.channel("elsewhere", kind: .private, by: 2)
        await #expect(throws: SwitchboardError.notAMember) {
            try await f.store.setReaction(channelID: outsider.id, messageID: message.id, userID: f.users[0].id, emoji: "x",
                                          present: true, nowMs: 1)
        }
        await #expect(throws: SwitchboardError.notFound("message")) {
            try await f.store.setReaction(channelID: f.general, messageID: Snowflake(4), userID: f.users[0].id, emoji: "x",
                                          present: true, nowMs: 1)
        }
    }

    @Test(arguments: StoreKind.available) func unreadAndMentionCountsFollowReadMarkers(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let reader = f.users[1].id
        _ = try await f.post("mine", by: 1)      // your own messages are read
        _ = try await f.post("hello")
        let mention = try await f.post("hey <@\(reader)>")
        _ = try await f.post("all of you @here")
        let reply = try await f.post("in a thread", thread: mention.id)
        var channel = try await f.store.channel(f.general, viewer: reader)
        #expect(channel?.unreadCount == 3 && channel?.mentionCount == 2)
        #expect(try await f.store.channels(ofUser: reader).first?.unreadCount == 3)

        try await f.store.markRead(channelID: f.general, userID: reader, messageID: mention.id, receipt: false)
        channel = try await f.store.channel(f.general, viewer: reader)
        #expect(channel?.unreadCount == 1 && channel?.mentionCount == 1 && channel?.lastReadID == mention.id)
        await #expect(throws: SwitchboardError.notFound("message")) {
            try await f.store.markRead(channelID: f.general, userID: reader, messageID: Snowflake(3), receipt: false)
        }
        _ = reply
        // A new member starts with the history read.
        let late = try await f.store.createUser(User(id: f.ids.next(), workspaceID: f.workspace.id, handle: "late",
                                                     displayName: "Late", avatar: Avatar(base: "https://a/l"),
                                                     createdAtMs: 6_000, updatedAtMs: 6_000))
        #expect(try await f.store.channel(f.general, viewer: late.id)?.unreadCount == 0)
        _ = try await f.post("after")
        #expect(try await f.store.channel(f.general, viewer: late.id)?.unreadCount == 1)
    }

    @Test(arguments: StoreKind.available) func searchIsScopedToTheViewersChannels(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let secret = try await f.channel("secret", kind: .private, by: 1)
        let a = try await f.post("The Café opens at nine")
        let b = try await f.post("cafeteria menu", by: 1)
        let hidden = try await f.post("cafe secrets", by: 1, in: secret.id)
        _ = try await f.post("nothing to see")
        func search(_ q: String, as user: Int = 0, channel: Snowflake? = nil, author: Snowflake? = nil) async throws -> [Snowflake] {
            try await f.store.search(workspaceID: f.workspace.id, viewer: f.users[user].id, query: q, channelID: channel,
                                     authorID: author, limit: 10).map(\.id)
        }
        // Case and diacritics folded, the last word a prefix, newest first.
        #expect(try await search("cafe") == [b.id, a.id])
        #expect(try await search("CAFÉ opens") == [a.id])
        #expect(try await search("cafe", as: 1) == [hidden.id, b.id, a.id])
        #expect(try await search("cafe", as: 1, channel: secret.id) == [hidden.id])
        #expect(try await search("cafe", as: 1, author: f.users[0].id) == [a.id])
        // Query syntax is never interpreted.
        #expect(try await search("\"cafe* (") == [b.id, a.id])
        #expect(try await search("  \" * ").isEmpty)
        #expect(try await search("opens nine").isEmpty == false)
    }

    // MARK: Notifications

    @Test(arguments: StoreKind.available) func notificationsCoalescePerChannel(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let m1 = try await f.post("a"), m2 = try await f.post("b"), m3 = try await f.post("c")
        func record(_ message: Message, _ kind: NotificationKind, at nowMs: UInt64) async throws -> UserNotification {
            try await f.store.recordNotification(workspaceID: f.workspace.id, userID: f.users[1].id, channelID: f.general,
                                                 messageID: message.id, kind: kind, newID: f.ids.next(), nowMs: nowMs,
                                                 coalesceWindowMs: 60_000, describe: { "\($0) new in #general" })
        }
        let first = try await record(m1, .here, at: 100_000)
        let second = try await record(m2, .mention, at: 130_000)
        #expect(second.id == first.id && second.count == 2 && second.kind == .mention && second.text == "2 new in #general")
        let third = try await record(m3, .here, at: 200_000)   // outside the window: a new one
        #expect(third.id != first.id && third.count == 1)
        let listed = try await f.store.notifications(userID: f.users[1].id, after: nil, limit: 10)
        #expect(listed.map(\.id) == [first.id, third.id] && listed[0].messageID == m2.id)
        #expect(try await f.store.notifications(userID: f.users[1].id, after: first.id, limit: 10).map(\.id) == [third.id])
        #expect(try await f.store.notifications(userID: f.users[2].id, after: nil, limit: 10).isEmpty)
    }

    // MARK: Incoming webhooks

    @Test(arguments: StoreKind.available) func hooksAreFoundByTheirTokensHash(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let hook = StoredHook(id: f.ids.next(), workspaceID: f.workspace.id, channelID: f.general, botUserID: f.users[2].id,
                              name: "CI", tokenHash: "ab12", createdAtMs: 7_000)
        try await f.store.insertHook(hook)
        #expect(try await f.store.hook(tokenHash: "ab12") == hook)
        #expect(try await f.store.hook(tokenHash: "ab13") == nil)
        var twin = hook
        twin.id = f.ids.next()
        await #expect(throws: (any Error).self) { try await f.store.insertHook(twin) }   // the hash is unique
    }

    // MARK: Snapshots

    @Test(arguments: StoreKind.available) func snapshotPagesCarryMembersAndCounts(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let room = try await f.channel("room")
        let dm = try await f.store.openDirect(workspaceID: f.workspace.id, newID: f.ids.next(), creatorID: f.users[0].id,
                                              memberIDs: [f.users[0].id, f.users[2].id], nowMs: 3_000)
        let hello = try await f.post("hello <@\(f.users[1].id)>")
        try await f.store.setReaction(channelID: f.general, messageID: hello.id, userID: f.users[2].id, emoji: "wave",
                                      present: true, nowMs: 6_000)
        for i in 0..<4 { _ = try await f.post("room \(i)", in: room.id) }

        let channels = try await f.store.channelsPage(workspaceID: f.workspace.id, after: nil, limit: 2)
        #expect(channels.map(\.id) == [f.general, room.id] && channels.allSatisfy { $0.isMember == nil })
        let rest = try await f.store.channelsPage(workspaceID: f.workspace.id, after: room.id, limit: 2)
        #expect(rest.map(\.id) == [dm.id] && rest[0].memberIDs == [f.users[0].id, f.users[2].id].sorted())

        let states = try await f.store.membershipStatesPage(workspaceID: f.workspace.id, after: nil, limit: 100)
        #expect(states.count == 6)
        let u1General = states.first { $0.channelID == f.general && $0.userID == f.users[1].id }
        #expect(u1General?.unreadCount == 1 && u1General?.mentionCount == 1)
        #expect(states.first { $0.channelID == f.general && $0.userID == f.users[0].id }?.unreadCount == 0)
        let page = try await f.store.membershipStatesPage(workspaceID: f.workspace.id,
                                                          after: (states[2].channelID, states[2].userID), limit: 2)
        #expect(page.map(\.userID) == states[3...4].map(\.userID))

        let latest = try await f.store.latestMessages(channelIDs: [f.general, room.id], perChannel: 2)
        #expect(latest.map(\.content) == ["hello <@\(f.users[1].id)>", "room 2", "room 3"])
        #expect(latest[0].reactions.first?.userIDs == [f.users[2].id])
    }

    // MARK: Event log

    @Test(arguments: StoreKind.available) func everyChangeAppendsOneEventInOrder(kind: StoreKind) async throws {
        let f = try await Fixture(kind, userCount: 2)
        defer { Task { await f.destroy() } }
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
        try await store.markRead(channelID: f.general, userID: f.users[1].id, messageID: message.id, receipt: false)
        let channel = try await store.createChannel(Channel(id: f.ids.next(), workspaceID: f.workspace.id, name: "x",
                                                            kind: .private, creatorID: f.users[0].id, createdAtMs: 16))
        try await store.removeMember(channelID: channel.id, userID: f.users[0].id)
        try await store.deleteMessage(channelID: f.general, id: message.id, byUserID: f.users[0].id, moderator: false)

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
        #expect(try await store.events(workspaceID: f.workspace.id, after: start, limit: 2).count == 2)

        // Failed writes log nothing.
        await #expect(throws: SwitchboardError.self) {
            _ = try await store.editMessage(channelID: f.general, id: message.id, editorID: f.users[1].id, content: "x",
                                            mentions: Mentions(), nowMs: 20)
        }
        #expect(try await store.eventLogBounds(workspaceID: f.workspace.id).lastSeq == start + 9)
        await #expect(throws: SwitchboardError.notFound("workspace")) {
            _ = try await store.eventLogBounds(workspaceID: Snowflake(77))
        }
    }

    @Test(arguments: StoreKind.available) func retentionByCountAndAge(kind: StoreKind) async throws {
        let f = try await Fixture(kind, userCount: 1)
        defer { Task { await f.destroy() } }
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

    // MARK: Bulk import and durability

    @Test(arguments: StoreKind.available) func importKeepsCountsAndIndexes(kind: StoreKind) async throws {
        let f = try await Fixture(kind, userCount: 1)
        defer { Task { await f.destroy() } }
        let alice = User(id: f.ids.next(), workspaceID: f.workspace.id, handle: "alice", displayName: "Alice",
                         avatar: Avatar(base: "https://a/alice"), createdAtMs: 1, updatedAtMs: 1)
        let bob = User(id: f.ids.next(), workspaceID: f.workspace.id, handle: "bob", displayName: "Bob",
                       avatar: Avatar(base: "https://a/bob"), createdAtMs: 1, updatedAtMs: 1)
        let room = Channel(id: f.ids.next(), workspaceID: f.workspace.id, name: "imported", kind: .public,
                           creatorID: alice.id, createdAtMs: 1)
        let parent = Message(id: f.ids.next(), channelID: room.id, authorID: alice.id, content: "imported hello <@\(bob.id)>",
                             createdAtMs: 2, reactions: [Reaction(emoji: "wave", count: 1, me: false, userIDs: [bob.id])])
        let reply = Message(id: f.ids.next(), channelID: room.id, authorID: bob.id, content: "a reply", createdAtMs: 3,
                            threadID: parent.id)
        let result = try await f.store.importBatch(ImportBatch(
            users: [alice, bob], channels: [room],
            memberships: [ImportMembership(channelID: room.id, userID: alice.id, lastReadID: parent.id),
                          ImportMembership(channelID: room.id, userID: bob.id)],
            messages: [reply, parent]), workspaceID: f.workspace.id)
        #expect(result == ImportResult(users: 2, channels: 1, memberships: 2, messages: 2))

        let seen = try await f.store.channel(room.id, viewer: bob.id)
        #expect(seen?.memberCount == 2 && seen?.lastMessageID == parent.id && seen?.unreadCount == 1 && seen?.mentionCount == 1)
        let stored = try await f.store.message(channelID: room.id, id: parent.id, viewer: bob.id)
        #expect(stored?.replyCount == 1 && stored?.latestReplyID == reply.id && stored?.reactions.first?.me == true)
        #expect(try await f.store.search(workspaceID: f.workspace.id, viewer: bob.id, query: "imported", channelID: nil,
                                         authorID: nil, limit: 5).map(\.id) == [parent.id])
        #expect(try await f.store.user(workspaceID: f.workspace.id, handle: "ALICE")?.id == alice.id)

        // Rows of another workspace are refused, and nothing of the batch is kept.
        let stranger = Channel(id: f.ids.next(), workspaceID: Snowflake(9), name: "x", kind: .public, creatorID: alice.id,
                               createdAtMs: 1)
        await #expect(throws: SwitchboardError.self) {
            _ = try await f.store.importBatch(ImportBatch(channels: [stranger]), workspaceID: f.workspace.id)
        }
        let carol = User(id: f.ids.next(), workspaceID: f.workspace.id, handle: "carol", displayName: "Carol",
                         avatar: Avatar(base: "https://a/c"), createdAtMs: 1, updatedAtMs: 1)
        await #expect(throws: SwitchboardError.self) {
            _ = try await f.store.importBatch(ImportBatch(users: [carol], memberships: [
                ImportMembership(channelID: Snowflake(12345), userID: carol.id)]), workspaceID: f.workspace.id)
        }
        #expect(try await f.store.user(carol.id) == nil)
    }

    @Test(arguments: StoreKind.available) func reopeningKeepsData(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        defer { Task { await f.destroy() } }
        let posted = try await f.post("durable")
        let reopened = try await f.testStore.reopen()
        #expect(try await reopened.message(channelID: f.general, id: posted.id, viewer: f.users[1].id)?.content == "durable")
        #expect(try await reopened.search(workspaceID: f.workspace.id, viewer: f.users[1].id, query: "dur", channelID: nil,
                                          authorID: nil, limit: 5).count == 1)
        #expect(try await reopened.eventLogBounds(workspaceID: f.workspace.id) == f.store.eventLogBounds(workspaceID: f.workspace.id))
        await reopened.close()
    }
}

extension Store {
    /// A search by words only, as the contract tests ask it.
    func search(workspaceID: Snowflake, viewer: Snowflake, query: String, channelID: Snowflake?, authorID: Snowflake?,
                limit: Int) async throws -> [Message] {
        var filter = SearchFilter()
        filter.words = query.split(whereSeparator: \.isWhitespace).map(String.init)
        filter.channelID = channelID
        filter.authorID = authorID
        filter.limit = limit
        return try await search(workspaceID: workspaceID, viewer: viewer, filter)
    }
}
