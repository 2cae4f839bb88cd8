import Foundation
import LMDB
import SwitchboardCore

extension EdgeStore {
    public func workspace(_ ws: Snowflake) throws -> Workspace? {
        try env.read { txn in try txn.get(meta, Self.metaKey(ws, "w")).map { try Self.decode(Workspace.self, $0) } }
    }

    public func user(_ ws: Snowflake, _ id: Snowflake) throws -> User? {
        try env.read { txn in try txn.get(users, Self.key(ws, id)).map { try Self.decode(User.self, $0) } }
    }

    /// What decides whether the user's tokens are accepted, from the stored head.
    public func tokenHolder(_ ws: Snowflake, _ id: Snowflake) throws -> TokenHolder? {
        try env.read { txn in try txn.get(users, Self.key(ws, id)).map { try User.tokenHolder(ofStored: $0) } }
    }

    /// Whether that sign-in was ended (`session.revoked`) and its token has not expired yet.
    public func isRevoked(_ ws: Snowflake, sessionID: String) throws -> Bool {
        guard !sessionID.isEmpty else { return false }
        return try env.read { txn in
            try txn.get(revoked, Self.key(ws) + Array(sessionID.utf8)).map { LMDBKey.readUInt64($0) > WallClock.nowMs() } ?? false
        }
    }

    /// Users among `ids`, in the order asked, unknown ones left out.
    public func users(_ ws: Snowflake, ids: [Snowflake]) throws -> [User] {
        try env.read { txn in
            var seen = Set<Snowflake>()
            return try ids.compactMap { id in
                guard seen.insert(id).inserted else { return nil }
                return try txn.get(users, Self.key(ws, id)).map { try Self.decode(User.self, $0) }
            }
        }
    }

    /// Users whose handle, display name, real name or a later word of it starts with `prefix`
    /// (case-insensitive), handle matches first, then by handle.
    public func searchUsers(_ ws: Snowflake, prefix: String, limit: Int) throws -> [User] {
        let needle = prefix.lowercased()
        var byHandle: [User] = [], byName: [User] = []
        try env.read { txn in
            let start = Self.key(ws)
            try txn.scan(users, from: start) { key, value in
                guard key.starts(with: start) else { return false }
                let user = try Self.decode(User.self, value)
                guard !user.deleted else { return true }
                if user.handle.hasPrefix(needle) {
                    byHandle.append(user)
                } else if [user.displayName, user.realName].contains(where: { name in
                    name.lowercased().split(separator: " ").contains { $0.hasPrefix(needle) }
                }) {
                    byName.append(user)
                }
                return true
            }
        }
        return Array((byHandle.sorted { $0.handle < $1.handle } + byName.sorted { $0.handle < $1.handle }).prefix(limit))
    }

    public func isMember(_ ws: Snowflake, channel: Snowflake, user: Snowflake) throws -> Bool {
        try env.read { txn in try txn.get(members, Self.key(ws, channel, user)) != nil }
    }

    /// A channel as `viewer` sees it (caller fields when a member), or nil.
    public func channel(_ ws: Snowflake, _ id: Snowflake, viewer: Snowflake) throws -> Channel? {
        try env.read { txn in try self.viewerChannel(ws, id, viewer, txn) }
    }

    /// Whether `user` belongs to any channel or DM here.
    public func hasChannels(_ ws: Snowflake, user: Snowflake) throws -> Bool {
        try env.read { txn in try !txn.prefixed(userChannels, Self.key(ws, user), limit: 1).isEmpty }
    }

    /// The channels `user` belongs to, with unread and mention counts, in id order.
    public func channels(_ ws: Snowflake, of user: Snowflake) throws -> [Channel] {
        try env.read { txn in
            try txn.prefixed(userChannels, Self.key(ws, user)).compactMap { key, _ in
                try self.viewerChannel(ws, Self.id(key, at: 2), user, txn)
            }
        }
    }

    /// The named channels `viewer` may see and join — every public one, and the private ones
    /// they belong to — with their membership, in id order (the channel browser).
    public func browsableChannels(_ ws: Snowflake, viewer: Snowflake) throws -> [Channel] {
        try env.read { txn in
            try txn.prefixed(channels, Self.key(ws)).compactMap { key, _ in
                guard let channel = try self.viewerChannel(ws, Self.id(key, at: 1), viewer, txn), !channel.kind.isDirect,
                      channel.kind == .public || channel.isMember == true else { return nil }
                return channel
            }
        }
    }

    /// Member ids of a channel after the cursor, ascending.
    public func members(_ ws: Snowflake, channel: Snowflake, after: Snowflake?, limit: Int) throws -> [Snowflake] {
        try env.read { txn in
            let prefix = Self.key(ws, channel)
            var result: [Snowflake] = []
            let start = after.map { Self.key(ws, channel, Snowflake($0.rawValue + 1)) } ?? prefix
            try txn.scan(members, from: start) { key, _ in
                guard key.starts(with: prefix), result.count < limit else { return false }
                result.append(Self.id(key, at: 2))
                return true
            }
            return result
        }
    }

    /// The cached latest messages of a channel, ascending, with `me` answered for `viewer`.
    public func cachedMessages(_ ws: Snowflake, channel: Snowflake, viewer: Snowflake) throws -> [Message] {
        try env.read { txn in try cachedTimeline(ws, channel, txn) }.map { Self.present($0, to: viewer) }
    }

    /// Whether the cache holds the channel's whole recent history (the origin has no older
    /// timeline messages than the cache's first, as far as the edge knows).
    public func cacheIsComplete(_ ws: Snowflake, channel: Snowflake) throws -> Bool {
        try env.read { txn in
            try txn.prefixed(messages, Self.key(ws, channel)).count < messagesPerChannel
        }
    }

    /// A message as a viewer sees it: `me` on reactions, no reactor lists.
    static func present(_ message: Message, to viewer: Snowflake) -> Message {
        var message = message
        message.reactions = message.reactions.map { $0.presented(to: viewer) }
        return message
    }

    func viewerChannel(_ ws: Snowflake, _ id: Snowflake, _ viewer: Snowflake, _ txn: borrowing LMDBTransaction) throws -> Channel? {
        guard let record = try txn.get(channels, Self.key(ws, id)).map({ try Self.decode(ChannelRecord.self, $0) }) else {
            return nil
        }
        var channel = record.channel
        if let member = try txn.get(members, Self.key(ws, id, viewer)).map({ try Self.decode(MemberRecord.self, $0) }) {
            channel.isMember = true
            channel.unreadCount = member.unreadCount(in: record)
            channel.mentionCount = member.mentionCount(in: record)
            channel.lastReadID = member.lastReadID
            channel.preferences = member.preferences ?? .defaults(for: channel.kind)
        } else {
            channel.isMember = false
        }
        return channel
    }
}
