import Foundation
import LMDB
import SwitchboardCore

extension EdgeStore {
    // MARK: Snapshot

    /// A snapshot is starting: forget the workspace (and its position, so that a snapshot cut
    /// short is never taken for a complete copy).
    public func beginSnapshot(_ workspaceID: Snowflake) throws {
        try env.write { txn in
            let prefix = Self.key(workspaceID)
            for db in [meta, users, channels, members, userChannels, messages, threads, revoked] {
                for (key, _) in try txn.prefixed(db, prefix) { try txn.delete(db, key) }
            }
        }
    }

    /// Stores one snapshot chunk.
    public func applySnapshot(_ workspaceID: Snowflake, kind: SnapshotKind, payload: Data) throws {
        try env.write { txn in
            switch kind {
            case .workspace:
                for workspace in try JSON.decode([Workspace].self, from: payload) {
                    try txn.put(meta, Self.metaKey(workspaceID, "w"), try Self.encode(workspace))
                }
            case .users:
                for user in try JSON.decode([User].self, from: payload) {
                    try txn.put(users, Self.key(workspaceID, user.id), try Self.encode(user))
                }
            case .channels:
                for channel in try JSON.decode([Channel].self, from: payload) {
                    try txn.put(channels, Self.key(workspaceID, channel.id), try Self.encode(ChannelRecord(channel: channel)))
                }
            case .memberships:
                for state in try JSON.decode([MembershipState].self, from: payload) {
                    let record = MemberRecord(lastReadID: state.lastReadID, unreadBase: state.unreadCount,
                                              mentionBase: state.mentionCount, postedBase: 0, broadcastsBase: 0,
                                              preferences: state.preferences)
                    try txn.put(members, Self.key(workspaceID, state.channelID, state.userID), try Self.encode(record))
                    try txn.put(userChannels, Self.key(workspaceID, state.userID, state.channelID), [])
                }
            case .messages:
                for message in try JSON.decode([Message].self, from: payload) {
                    try txn.put(messages, Self.key(workspaceID, message.channelID, message.id), try Self.encode(message))
                }
            case .follows:
                for follow in try JSON.decode([ThreadFollow].self, from: payload) { try putFollow(workspaceID, follow, txn) }
            case .revocations:
                for revocation in try JSON.decode([SessionRevocation].self, from: payload) {
                    try putRevocation(workspaceID, revocation, txn)
                }
            }
        }
    }

    /// The snapshot is complete up to `seq`.
    public func endSnapshot(_ workspaceID: Snowflake, seq: UInt64) throws {
        try env.write { txn in try txn.put(meta, Self.metaKey(workspaceID, "s"), LMDBKey.uint64(seq)) }
    }

    // MARK: Events

    /// Applies consecutive events and records the last one's seq, in one write transaction.
    /// Events at or below the stored seq are skipped (a replay after a crash between commit
    /// and acknowledgement is harmless).
    public func apply(_ events: [FeedEvent], workspaceID: Snowflake) throws {
        guard !events.isEmpty else { return }
        try env.write { txn in
            let seqKey = Self.metaKey(workspaceID, "s")
            guard let stored = try txn.get(meta, seqKey).map({ LMDBKey.readUInt64($0) }) else { return }
            var applied = stored
            for event in events where event.seq > applied {
                try apply(event, workspaceID: workspaceID, txn: txn)
                applied = event.seq
            }
            if applied != stored { try txn.put(meta, seqKey, LMDBKey.uint64(applied)) }
        }
    }

    private func apply(_ event: FeedEvent, workspaceID ws: Snowflake, txn: borrowing LMDBTransaction) throws {
        // Unreadable by this build (a newer origin): its position is kept, its change is not.
        guard let content = event.content else { return }
        switch content {
        case .messageCreated(let message):
            try messageCreated(message, ws, txn)
        case .messageUpdated(let update):
            try updateCachedMessage(ws, update.channelID, update.id, txn) { message in
                message.content = update.content
                message.editedAtMs = update.editedAtMs
                message.mentions = update.mentions
                message.mentionsHere = update.mentionsHere
                message.mentionsChannel = update.mentionsChannel
                message.linkPreviews = update.linkPreviews
            }
        case .messageDeleted(let deletion):
            try txn.delete(messages, Self.key(ws, deletion.channelID, deletion.id))
            if let thread = deletion.threadID {
                try updateCachedMessage(ws, deletion.channelID, thread, txn) { $0.replyCount = max(0, $0.replyCount - 1) }
            }
            try updateChannel(ws, deletion.channelID, txn) { record in
                if record.channel.lastMessageID == deletion.id {
                    record.channel.lastMessageID = try self.cachedTimeline(ws, deletion.channelID, txn, last: 1).last?.id
                }
            }
        case .reactionAdded(let change), .reactionRemoved(let change):
            let added = event.type == .reactionAdded
            try updateCachedMessage(ws, change.channelID, change.messageID, txn) { message in
                var index = message.reactions.firstIndex { $0.emoji == change.emoji }
                if index == nil, added {
                    message.reactions.append(Reaction(emoji: change.emoji, count: 0, me: false, userIDs: []))
                    index = message.reactions.count - 1
                }
                guard let index else { return }
                var users = message.reactions[index].userIDs ?? []
                if added, !users.contains(change.userID) { users.append(change.userID) }
                if !added { users.removeAll { $0 == change.userID } }
                message.reactions[index].userIDs = users
                message.reactions[index].count = users.count
                if users.isEmpty { message.reactions.remove(at: index) }
            }
        case .channelCreated(let channel), .channelUpdated(let channel):
            let key = Self.key(ws, channel.id)
            let existing = try txn.get(channels, key).map { try Self.decode(ChannelRecord.self, $0) }
            let isNew = existing == nil
            var record = existing ?? ChannelRecord(channel: channel)
            record.channel = channel
            try txn.put(channels, key, try Self.encode(record))
            // DM members arrive with the channel, not as member.joined events.
            for member in channel.memberIDs ?? [] {
                try addMember(ws, channel.id, member, record, txn)
            }
            if isNew, !channel.kind.isDirect { try updateWorkspace(ws, txn) { $0.channelCount = ($0.channelCount ?? 0) + 1 } }
        case .memberJoined(let change):
            try updateChannel(ws, change.channelID, txn) { $0.channel.memberCount = change.memberCount }
            if let record = try txn.get(channels, Self.key(ws, change.channelID)).map({ try Self.decode(ChannelRecord.self, $0) }) {
                try addMember(ws, change.channelID, change.userID, record, txn)
            }
        case .memberLeft(let change):
            try updateChannel(ws, change.channelID, txn) { $0.channel.memberCount = change.memberCount }
            try txn.delete(members, Self.key(ws, change.channelID, change.userID))
            try txn.delete(userChannels, Self.key(ws, change.userID, change.channelID))
        case .userCreated(let user), .userUpdated(let user):
            let key = Self.key(ws, user.id)
            let isNew = try txn.get(users, key) == nil
            try txn.put(users, key, try Self.encode(user))
            if isNew { try updateWorkspace(ws, txn) { $0.memberCount = ($0.memberCount ?? 0) + 1 } }
        case .readUpdated(let read, let user):
            guard let record = try txn.get(channels, Self.key(ws, read.channelID)).map({ try Self.decode(ChannelRecord.self, $0) })
            else { return }
            try updateMember(ws, read.channelID, user, txn) { member in
                member.sync(lastReadID: read.lastReadID, unread: read.unreadCount, mentions: read.mentionCount, channel: record)
            }
        case .threadFollowChanged(let follow):
            try putFollow(ws, follow, txn)
        case .preferencesUpdated(let change):
            try updateMember(ws, change.channelID, change.userID, txn) { $0.preferences = change.preferences }
        case .sessionRevoked(let revocation):
            try putRevocation(ws, revocation, txn)
        case .notificationCreated, .presenceChanged, .typingStarted, .unreadUpdated, .readReceipt:
            return
        }
    }

    /// Keeps a sign-out until its token expires; those already expired are dropped meanwhile
    /// (a workspace holds a handful: sign-outs within one token lifetime).
    private func putRevocation(_ ws: Snowflake, _ revocation: SessionRevocation, _ txn: borrowing LMDBTransaction) throws {
        let nowMs = WallClock.nowMs()
        for (key, value) in try txn.prefixed(revoked, Self.key(ws)) where LMDBKey.readUInt64(value) <= nowMs {
            try txn.delete(revoked, key)
        }
        guard revocation.expiresAtMs > nowMs else { return }
        try txn.put(revoked, Self.key(ws) + Array(revocation.sessionID.utf8), LMDBKey.uint64(revocation.expiresAtMs))
    }

    private func messageCreated(_ message: Message, _ ws: Snowflake, _ txn: borrowing LMDBTransaction) throws {
        let inTimeline = message.threadID == nil || message.alsoToChannel
        if let thread = message.threadID {
            // Who follows now came just before, as `thread.follow_changed` (the origin's rule).
            try updateCachedMessage(ws, message.channelID, thread, txn) { parent in
                parent.replyCount += 1
                parent.latestReplyID = message.id
            }
        }
        let channelKey = Self.key(ws, message.channelID)
        guard inTimeline, let stored = try txn.get(channels, channelKey) else { return }
        var channel = try ChannelRecord.head(ofStored: stored)

        try txn.put(messages, Self.key(ws, message.channelID, message.id), try Self.encode(message))
        // Keep the latest N: drop the oldest beyond the ring's size.
        let cached = try txn.prefixedKeys(messages, Self.key(ws, message.channelID))
        for key in cached.prefix(max(0, cached.count - messagesPerChannel)) { try txn.delete(messages, key) }

        let broadcast = message.mentionsHere || message.mentionsChannel
        channel.posted += 1
        if broadcast { channel.broadcasts += 1 }
        channel.lastMessageID = message.id
        try txn.put(channels, channelKey, try ChannelRecord.withHead(channel, ofStored: stored))
        if !broadcast {
            for user in message.mentions where user != message.authorID {
                try updateMember(ws, message.channelID, user, txn) { $0.directMentions += 1 }
            }
        }
        // Posting marks the channel read for its author, as at the origin.
        try updateMember(ws, message.channelID, message.authorID, txn) { member in
            member.sync(lastReadID: message.id, unread: 0, mentions: 0, channel: channel)
        }
    }

    /// `[1]` following, `[0]` unfollowed (kept: the parent's author does not follow again by itself).
    private func putFollow(_ ws: Snowflake, _ follow: ThreadFollow, _ txn: borrowing LMDBTransaction) throws {
        try txn.put(threads, Self.key(ws, follow.threadID, follow.userID), [follow.following ? 1 : 0])
    }

    private func addMember(_ ws: Snowflake, _ channelID: Snowflake, _ userID: Snowflake, _ record: ChannelRecord,
                           _ txn: borrowing LMDBTransaction) throws {
        let key = Self.key(ws, channelID, userID)
        guard try txn.get(members, key) == nil else { return }
        // A new member starts with the history read.
        var member = MemberRecord(lastReadID: nil, unreadBase: 0, mentionBase: 0, postedBase: 0, broadcastsBase: 0)
        member.sync(lastReadID: record.channel.lastMessageID, unread: 0, mentions: 0, channel: record)
        try txn.put(members, key, try Self.encode(member))
        try txn.put(userChannels, Self.key(ws, userID, channelID), [])
    }

    private func updateChannel(_ ws: Snowflake, _ channelID: Snowflake, _ txn: borrowing LMDBTransaction,
                               _ change: (inout ChannelRecord) throws -> Void) throws {
        let key = Self.key(ws, channelID)
        guard var record = try txn.get(channels, key).map({ try Self.decode(ChannelRecord.self, $0) }) else { return }
        try change(&record)
        try txn.put(channels, key, try Self.encode(record))
    }

    private func updateMember(_ ws: Snowflake, _ channelID: Snowflake, _ userID: Snowflake, _ txn: borrowing LMDBTransaction,
                              _ change: (inout MemberRecord) -> Void) throws {
        let key = Self.key(ws, channelID, userID)
        guard var member = try txn.get(members, key).map({ try Self.decode(MemberRecord.self, $0) }) else { return }
        change(&member)
        try txn.put(members, key, try Self.encode(member))
    }

    private func updateCachedMessage(_ ws: Snowflake, _ channelID: Snowflake, _ messageID: Snowflake,
                                     _ txn: borrowing LMDBTransaction, _ change: (inout Message) -> Void) throws {
        let key = Self.key(ws, channelID, messageID)
        guard var message = try txn.get(messages, key).map({ try Self.decode(Message.self, $0) }) else { return }
        change(&message)
        try txn.put(messages, key, try Self.encode(message))
    }

    private func updateWorkspace(_ ws: Snowflake, _ txn: borrowing LMDBTransaction, _ change: (inout Workspace) -> Void) throws {
        let key = Self.metaKey(ws, "w")
        guard var workspace = try txn.get(meta, key).map({ try Self.decode(Workspace.self, $0) }) else { return }
        change(&workspace)
        try txn.put(meta, key, try Self.encode(workspace))
    }

    /// The channel's cached messages, oldest first; only the newest `last` are decoded (the
    /// working set shows 30 of the 50 kept, and decoding is most of what it costs).
    func cachedTimeline(_ ws: Snowflake, _ channelID: Snowflake, _ txn: borrowing LMDBTransaction,
                        last: Int = .max) throws -> [Message] {
        try txn.prefixed(messages, Self.key(ws, channelID)).suffix(last).map { try Self.decode(Message.self, $0.value) }
    }
}
