import Foundation
import SwitchboardCore
@testable import SwitchboardEdge
import Testing

/// The LMDB state applied from a snapshot and events, without a network.
@Suite struct EdgeStoreTests {
    let ws = Snowflake(1), general = Snowflake(10), alice = Snowflake(100), bob = Snowflake(101)

    func withStore(_ body: (EdgeStore) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(try EdgeStore(directory: directory, mapSize: 64 << 20, messagesPerChannel: 5, durable: false))
    }

    func user(_ id: Snowflake, _ handle: String) -> User {
        User(id: id, workspaceID: ws, handle: handle, displayName: handle.capitalized, avatar: Avatar(base: "https://a/\(id)"),
             createdAtMs: 1, updatedAtMs: 1)
    }

    func seed(_ store: EdgeStore) throws {
        try store.beginSnapshot(ws)
        try store.applySnapshot(ws, kind: .workspace, payload: JSON.encode([Workspace(id: ws, name: "W", createdAtMs: 1, memberCount: 2, channelCount: 1)]))
        try store.applySnapshot(ws, kind: .users, payload: JSON.encode([user(alice, "alice"), user(bob, "bob")]))
        try store.applySnapshot(ws, kind: .channels, payload: JSON.encode([Channel(id: general, workspaceID: ws, name: "general",
                                                                                 kind: .public, creatorID: alice, createdAtMs: 1, memberCount: 2)]))
        try store.applySnapshot(ws, kind: .memberships, payload: JSON.encode([
            MembershipState(channelID: general, userID: alice, lastReadID: nil, unreadCount: 2, mentionCount: 1),
            MembershipState(channelID: general, userID: bob, lastReadID: nil, unreadCount: 0, mentionCount: 0),
        ]))
        try store.endSnapshot(ws, seq: 10)
    }

    func event(_ seq: UInt64, _ type: EventType, channel: Snowflake? = nil, user: Snowflake? = nil, _ payload: some Encodable) throws -> FeedEvent {
        try FeedEvent(seq: seq, type: type, channelID: channel, userID: user, payload: try JSON.encode(payload))
    }

    func message(_ id: UInt64, by author: Snowflake, _ content: String) -> Message {
        let mentions = Mentions(parsing: content)
        return Message(id: Snowflake(id), channelID: general, authorID: author, content: content, createdAtMs: id,
                       mentions: mentions.userIDs, mentionsHere: mentions.here, mentionsChannel: mentions.channel)
    }

    @Test func countsFollowMessagesReadsAndOwnPosts() throws {
        try withStore { store in
            try seed(store)
            #expect(try store.seq(ws) == 10)
            try store.apply([
                try event(11, .messageCreated, channel: general, message(1_000, by: bob, "hi <@\(alice)>")),
                try event(12, .messageCreated, channel: general, message(1_001, by: bob, "@channel lunch")),
                try event(13, .messageCreated, channel: general, message(1_002, by: bob, "<@\(alice)> @here both")),
            ], workspaceID: ws)
            var channel = try #require(try store.channel(ws, general, viewer: alice))
            #expect(channel.unreadCount == 5 && channel.mentionCount == 4)  // 2 + 3 unread, 1 + 1 direct + 2 broadcasts
            #expect(try store.channel(ws, general, viewer: bob)?.unreadCount == 0)  // his own posts are read

            try store.apply([try event(14, .readUpdated, user: alice,
                                       ReadState(channelID: general, lastReadID: Snowflake(1_001), unreadCount: 1, mentionCount: 1,
                                                 lastMessageID: Snowflake(1_002)))], workspaceID: ws)
            channel = try #require(try store.channel(ws, general, viewer: alice))
            #expect(channel.unreadCount == 1 && channel.mentionCount == 1 && channel.lastReadID == Snowflake(1_001))
            try store.apply([try event(15, .messageCreated, channel: general, message(1_003, by: alice, "my own"))], workspaceID: ws)
            channel = try #require(try store.channel(ws, general, viewer: alice))
            #expect(channel.unreadCount == 0 && channel.mentionCount == 0 && channel.lastMessageID == Snowflake(1_003))
            // A rename (the whole channel from the origin) keeps the counters posts moved.
            try store.apply([try event(16, .messageCreated, channel: general, message(1_004, by: bob, "after"))], workspaceID: ws)
            try store.apply([try event(17, .channelUpdated, channel: general,
                                       Channel(id: general, workspaceID: ws, name: "lobby", kind: .public, creatorID: alice, createdAtMs: 1,
                                               memberCount: 2, lastMessageID: Snowflake(1_004)))], workspaceID: ws)
            channel = try #require(try store.channel(ws, general, viewer: alice))
            #expect(channel.name == "lobby" && channel.unreadCount == 1 && channel.lastMessageID == Snowflake(1_004))
            #expect(try store.channel(ws, general, viewer: bob)?.unreadCount == 0)
            #expect(try store.seq(ws) == 17)
            // Already-applied events are skipped.
            try store.apply([try event(17, .messageCreated, channel: general, message(1_005, by: bob, "dup"))], workspaceID: ws)
            #expect(try store.cachedMessages(ws, channel: general, viewer: alice).map(\.id.rawValue) == [1_000, 1_001, 1_002, 1_003, 1_004])
        }
    }

    @Test func theMessageRingKeepsTheLatestN() throws {
        try withStore { store in
            try seed(store)
            try store.apply((0..<8).map { i in try event(11 + UInt64(i), .messageCreated, channel: general, message(2_000 + UInt64(i), by: bob, "m\(i)")) },
                            workspaceID: ws)
            #expect(try store.cachedMessages(ws, channel: general, viewer: alice).map(\.content) == ["m3", "m4", "m5", "m6", "m7"])
            #expect(try !store.cacheIsComplete(ws, channel: general))
        }
    }

    @Test func reactionsEditsDeletesAndMembership() throws {
        try withStore { store in
            try seed(store)
            let carol = Snowflake(102)
            try store.apply([
                try event(11, .messageCreated, channel: general, message(3_000, by: bob, "react")),
                try event(12, .reactionAdded, channel: general, ReactionChange(channelID: general, messageID: Snowflake(3_000), userID: alice, emoji: "tada")),
                try event(13, .reactionAdded, channel: general, ReactionChange(channelID: general, messageID: Snowflake(3_000), userID: bob, emoji: "tada")),
                try event(14, .reactionRemoved, channel: general, ReactionChange(channelID: general, messageID: Snowflake(3_000), userID: bob, emoji: "tada")),
                try event(15, .userCreated, user(carol, "carol")),
                try event(16, .memberJoined, channel: general, MembershipChange(channelID: general, userID: carol, memberCount: 3)),
            ], workspaceID: ws)
            #expect(try store.cachedMessages(ws, channel: general, viewer: alice)[0].reactions == [Reaction(emoji: "tada", count: 1, me: true)])
            #expect(try store.cachedMessages(ws, channel: general, viewer: bob)[0].reactions == [Reaction(emoji: "tada", count: 1, me: false)])
            #expect(try store.channel(ws, general, viewer: carol)?.unreadCount == 0)
            #expect(try store.members(ws, channel: general, after: nil, limit: 10) == [alice, bob, carol])
            #expect(try store.workspace(ws)?.memberCount == 3)

            var edited = message(3_000, by: bob, "edited")
            edited.editedAtMs = 5
            try store.apply([
                try event(17, .messageUpdated, channel: general, MessageUpdate(edited)),
                try event(18, .memberLeft, channel: general, user: carol, MembershipChange(channelID: general, userID: carol, memberCount: 2)),
            ], workspaceID: ws)
            #expect(try store.cachedMessages(ws, channel: general, viewer: alice)[0].content == "edited")
            #expect(try store.channel(ws, general, viewer: carol)?.isMember == false)
            try store.apply([try event(19, .messageDeleted, channel: general, MessageDeletion(id: Snowflake(3_000), channelID: general, threadID: nil))],
                            workspaceID: ws)
            #expect(try store.cachedMessages(ws, channel: general, viewer: alice).isEmpty)
            #expect(try store.channel(ws, general, viewer: alice)?.lastMessageID == nil)
        }
    }

    @Test func anInterruptedSnapshotIsNotAPosition() throws {
        try withStore { store in
            try seed(store)
            try store.beginSnapshot(ws)
            try store.applySnapshot(ws, kind: .users, payload: JSON.encode([user(alice, "alice")]))
            #expect(try store.seq(ws) == nil)  // the next connection asks for a snapshot again
            #expect(try store.syncedWorkspaces().isEmpty)
            try store.apply([try event(11, .userUpdated, user(bob, "bob"))], workspaceID: ws)  // ignored: not synced
            #expect(try store.user(ws, bob) == nil)
        }
    }

    @Test func workingSetPicksTheFocusAndTheProfilesItShows() throws {
        try withStore { store in
            try seed(store)
            try store.apply([try event(11, .messageCreated, channel: general, message(4_000, by: bob, "hello <@\(alice)>"))], workspaceID: ws)
            let set = try #require(try store.workingSet(ws, user: alice, focus: Snowflake(999)))
            #expect(set.focusChannelID == general)  // not a member of 999: #general instead
            #expect(set.messages.map(\.content) == ["hello <@\(alice)>"])
            #expect(set.users == [user(bob, "bob").short])
            #expect(set.channels.map(\.unreadCount) == [3])
            #expect(try store.workingSet(ws, user: Snowflake(5), focus: nil) == nil)
        }
    }

    /// A message is stored in the compact form a client is sent, its reactions in a head: it
    /// goes into the working set as stored, with each caller's `me` written from the head. One
    /// with attachments is decoded, and only such messages pass through `prepare` (where the
    /// edge signs attachment URLs).
    @Test func messagesGoIntoTheWorkingSetAsStoredWithTheCallersReactions() throws {
        try withStore { store in
            try seed(store)
            let plain = message(4_000, by: bob, "hello <@\(alice)>")
            var reacted = message(4_001, by: alice, "party \"time\"")
            reacted.reactions = [Reaction(emoji: "tada", count: 1, me: false, userIDs: [bob]),
                                 Reaction(emoji: "eyes", count: 2, me: false, userIDs: [alice, Snowflake(7)])]
            var attached = message(4_002, by: bob, "a file")
            attached.attachments = [Attachment(id: Snowflake(9), name: "a.txt", size: 1, contentType: "text/plain", url: "/files/9")]
            attached.reactions = [Reaction(emoji: "tada", count: 1, me: false, userIDs: [alice])]
            try store.apply([try event(11, .messageCreated, channel: general, plain),
                             try event(12, .messageCreated, channel: general, reacted),
                             try event(13, .messageCreated, channel: general, attached)], workspaceID: ws)
            for message in [plain, reacted, attached] {
                #expect(try EdgeStore.decode(Message.self, try EdgeStore.encode(message)) == message)
            }

            let stored = try #require(try store.storedWorkingSet(ws, user: bob, focus: nil))
            guard stored.messages.count == 3, case .stored(let head, let json) = stored.messages[0],
                  case .stored(let reactedHead, _) = stored.messages[1], case .decoded(let shown) = stored.messages[2] else {
                Issue.record("expected two stored messages and a decoded one: \(stored.messages)")
                return
            }
            #expect(head == MessageHead(plain) && reactedHead == MessageHead(reacted))
            #expect(reactedHead.reactions == reacted.reactions && !reactedHead.hasAttachments)
            // Stored compact: only the fields that are set (JSONEncoder's key order varies, so compare keys).
            let storedKeys = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]).keys
            #expect(Set(storedKeys) == ["id", "channel_id", "author_id", "content", "created_at_ms", "mentions"])
            #expect(shown.reactions == [Reaction(emoji: "tada", count: 1, me: false)])
            #expect(stored.users.map(\.id) == [alice])  // the caller is left out; the mentioned author is not

            // Each caller sees their own `me`, and no one sees who reacted.
            func reactions(seenBy user: Snowflake) throws -> [[Reaction]] {
                try #require(try store.workingSet(ws, user: user, focus: nil)).messages.map(\.reactions)
            }
            #expect(try reactions(seenBy: bob) == [[], [Reaction(emoji: "tada", count: 1, me: true), Reaction(emoji: "eyes", count: 2, me: false)],
                                                   [Reaction(emoji: "tada", count: 1, me: false)]])
            #expect(try reactions(seenBy: alice) == [[], [Reaction(emoji: "tada", count: 1, me: false), Reaction(emoji: "eyes", count: 2, me: true)],
                                                     [Reaction(emoji: "tada", count: 1, me: true)]])
            let seenByAlice = try #require(try store.workingSet(ws, user: alice, focus: nil))
            #expect(seenByAlice.messages.map(\.content) == [plain.content, reacted.content, attached.content])
            #expect(seenByAlice.messages[2].attachments == attached.attachments)

            let prepared = try JSON.decode(WorkingSet.self, from: Data(try stored.json(preparing: { message in
                var message = message
                message.content = "prepared"
                return message
            })))
            #expect(prepared.messages.map(\.content) == [plain.content, reacted.content, "prepared"])
        }
    }

    /// Channels and users are stored as a binary head ahead of their JSON, memberships in
    /// binary: each reads back as written, a working set reads only the heads, and a copy
    /// written before (plain JSON) reads the same.
    @Test func storedRecordsReadBackAndOlderPlainJSONStillReads() throws {
        var dm = Channel(id: Snowflake(20), workspaceID: ws, name: "", kind: .dm, creatorID: alice, createdAtMs: 1, memberCount: 2)
        dm.memberIDs = [alice, bob]
        dm.lastMessageID = Snowflake(4_321)
        let record = ChannelRecord(channel: dm, posted: 7, broadcasts: 2)
        let stored = try EdgeStore.encode(record)
        #expect(stored.first == FramedRecord.marker)
        #expect(try ChannelRecord.head(ofStored: stored) == record.head)
        #expect(record.head.memberIDs == [alice, bob] && record.head.lastMessageID == Snowflake(4_321))
        #expect(try EdgeStore.decode(ChannelRecord.self, stored).channel == dm)
        let plain = try EdgeStore.encode(AnyEncodable(record))
        #expect(plain.first == UInt8(ascii: "{"))
        #expect(try ChannelRecord.head(ofStored: plain) == record.head)
        #expect(try EdgeStore.decode(ChannelRecord.self, plain).channel == dm)
        // A post changes the head alone; the whole record reads the head's last message and
        // counters, framed or (stored before heads) plain.
        var posted = record.head
        (posted.lastMessageID, posted.posted, posted.broadcasts) = (Snowflake(5_000), 9, 3)
        for before in [stored, plain] {
            let after = try ChannelRecord.withHead(posted, ofStored: before)
            #expect(try ChannelRecord.head(ofStored: after) == posted)
            let whole = try EdgeStore.decode(ChannelRecord.self, after)
            #expect(whole.channel.lastMessageID == Snowflake(5_000) && whole.posted == 9 && whole.broadcasts == 3)
            #expect(whole.channel.memberIDs == [alice, bob] && whole.channel.kind == .dm)
        }

        let member = MemberRecord(lastReadID: Snowflake(99), unreadBase: 3, mentionBase: 1, postedBase: 5, broadcastsBase: 1,
                                  directMentions: 2, preferences: ChannelPreferences(level: .nothing, muted: true))
        #expect(try EdgeStore.decode(MemberRecord.self, try EdgeStore.encode(member)) == member)
        let defaults = MemberRecord(lastReadID: nil, unreadBase: 0, mentionBase: 0, postedBase: 0, broadcastsBase: 0)
        #expect(try EdgeStore.decode(MemberRecord.self, try EdgeStore.encode(defaults)) == defaults)
        #expect(try EdgeStore.decode(MemberRecord.self, try EdgeStore.encode(AnyEncodable(member))) == member)
        #expect(member.unreadCount(in: record.head) == 3 + 2 && member.mentionCount(in: record.head) == 1 + 1 + 2)

        let alice = user(self.alice, "alice")
        let storedUser = try EdgeStore.encode(alice)
        #expect(try User.short(ofStored: storedUser) == alice.short)
        #expect(try EdgeStore.decode(User.self, storedUser) == alice)
        #expect(try JSON.decode(User.self, from: Data(try FramedRecord.json(storedUser))) == alice)
        #expect(try User.short(ofStored: try EdgeStore.encode(AnyEncodable(alice))) == alice.short)
        // Whether the user's tokens are accepted reads from the head too; from the JSON for a
        // user stored as plain JSON or with a head written before it carried this.
        var gone = alice
        (gone.deleted, gone.sessionsValidFromMs, gone.createdAtMs) = (true, 55, 7)
        let storedGone = try EdgeStore.encode(gone)
        #expect(try User.tokenHolder(ofStored: storedGone) == TokenHolder(deleted: true, sessionsValidFromMs: 55, createdAtMs: 7))
        #expect(try User.tokenHolder(ofStored: try EdgeStore.encode(AnyEncodable(gone))) == gone.tokenHolder)
        var olderHead = ByteWriter()
        olderHead.id(gone.id)
        for field in [gone.handle, gone.displayName, gone.avatar.image48] { olderHead.string(field) }
        let olderFramed = FramedRecord.frame(head: olderHead.bytes, json: try FramedRecord.json(storedGone))
        #expect(try User.tokenHolder(ofStored: olderFramed) == gone.tokenHolder)
        #expect(try User.short(ofStored: olderFramed) == gone.short)
        #expect(!gone.acceptsToken(issuedAtMs: 100) && alice.acceptsToken(issuedAtMs: 1))

        // Cut short: an error, not a crash or a wrong value.
        #expect(throws: FramedRecord.Malformed.self) { try ChannelRecord.head(ofStored: Array(stored.prefix(12))) }
        #expect(throws: FramedRecord.Malformed.self) { try EdgeStore.decode(MemberRecord.self, [MemberRecord.marker, 1, 2]) }
    }

    @Test func aWorkingSetFromRecordsStoredAsPlainJSONIsTheSame() throws {
        try withStore { store in
            try seed(store)
            try store.apply([try event(11, .messageCreated, channel: general, message(4_000, by: bob, "hello <@\(alice)>"))], workspaceID: ws)
            let framed = try #require(try store.workingSet(ws, user: alice, focus: nil))
            // Rewrite every channel, membership, user and message as an edge before heads stored them.
            try store.env.write { txn in
                for (db, key) in [(store.channels, EdgeStore.key(ws, general)), (store.members, EdgeStore.key(ws, general, alice)),
                                  (store.users, EdgeStore.key(ws, alice)), (store.users, EdgeStore.key(ws, bob)),
                                  (store.messages, EdgeStore.key(ws, general, Snowflake(4_000)))] {
                    let stored = try #require(try txn.get(db, key))
                    let json: [UInt8] = switch db.name {
                    // A channel's JSON as it was before heads: with its last message and counters.
                    case store.channels.name: try EdgeStore.encode(AnyEncodable(try EdgeStore.decode(ChannelRecord.self, stored)))
                    case store.members.name: try EdgeStore.encode(AnyEncodable(try EdgeStore.decode(MemberRecord.self, stored)))
                    case store.messages.name: try EdgeStore.encode(AnyEncodable(try EdgeStore.decode(Message.self, stored)))
                    default: try FramedRecord.json(stored)
                    }
                    #expect(json.first == UInt8(ascii: "{"))
                    try txn.put(db, key, json)
                }
            }
            #expect(try store.workingSet(ws, user: alice, focus: nil) == framed)
        }
    }
}

/// Encodes a value with its Codable form only (the overloads for stored records do not apply).
private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
