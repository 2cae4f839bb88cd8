import LMDB
import SwitchboardCore

/// Reads the gateway's fan-out needs: a session's channels when it connects, badge counts
/// for the member sessions of a channel, thread followers, profiles to prefetch.
extension EdgeStore {
    /// The channels `user` belongs to, and the one a client without a choice looks at first
    /// (`#general`, else the first named channel, else the first DM), as the working set picks it.
    public func memberships(_ ws: Snowflake, user: Snowflake) throws -> (channels: Set<Snowflake>, defaultFocus: Snowflake?) {
        try env.read { txn in
            var ids: Set<Snowflake> = []
            var general: Snowflake?, firstNamed: Snowflake?, firstDirect: Snowflake?
            for (key, _) in try txn.prefixed(userChannels, Self.key(ws, user)) {
                let id = Self.id(key, at: 2)
                guard let channel = try txn.get(channels, Self.key(ws, id)).map({ try ChannelRecord.head(ofStored: $0) })
                else { continue }
                ids.insert(id)
                if channel.kind.isDirect {
                    firstDirect = firstDirect ?? id
                } else {
                    firstNamed = firstNamed ?? id
                    if channel.name == "general" { general = general ?? id }
                }
            }
            return (ids, general ?? firstNamed ?? firstDirect)
        }
    }

    /// `unread.updated` for each of `users` in `channel`, in one read transaction.
    public func badges(_ ws: Snowflake, channel: Snowflake, users: some Sequence<Snowflake>) throws -> [Snowflake: ReadState] {
        try env.read { txn in
            guard let record = try txn.get(channels, Self.key(ws, channel)).map({ try ChannelRecord.head(ofStored: $0) })
            else { return [:] }
            var result: [Snowflake: ReadState] = [:]
            for user in users where result[user] == nil {
                // A muted channel shows no badge.
                guard let member = try txn.get(members, Self.key(ws, channel, user)).map({ try Self.decode(MemberRecord.self, $0) }),
                      member.preferences?.showsBadges ?? true else { continue }
                result[user] = ReadState(channelID: channel, lastReadID: member.lastReadID,
                                         unreadCount: member.unreadCount(in: record),
                                         mentionCount: member.mentionCount(in: record),
                                         lastMessageID: record.lastMessageID)
            }
            return result
        }
    }

    /// Who follows a thread, as the origin said (snapshot and `thread.follow_changed`).
    public func followers(_ ws: Snowflake, thread: Snowflake) throws -> [Snowflake] {
        try env.read { txn in
            try txn.prefixed(threads, Self.key(ws, thread)).filter { $0.value.first != 0 }.map { Self.id($0.key, at: 2) }
        }
    }

    /// The profiles of `ids` that this edge knows, as their stored JSON.
    public func encodedUsers(_ ws: Snowflake, ids: some Sequence<Snowflake>) throws -> [Snowflake: [UInt8]] {
        try env.read { txn in
            var result: [Snowflake: [UInt8]] = [:]
            for id in ids where result[id] == nil {
                if let stored = try txn.get(users, Self.key(ws, id)) { result[id] = try FramedRecord.json(stored) }
            }
            return result
        }
    }
}
