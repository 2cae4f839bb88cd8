import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func channelsPage(workspaceID: Snowflake, after: Snowflake?, limit: Int) async throws -> [Channel] {
        try await pool.read { db in
            // Viewer 0 is nobody: the caller fields come out empty and are dropped.
            try Self.channels(db, viewer: Snowflake(0), where: "c.workspace_id = :workspace AND c.id > :after",
                              ["workspace": workspaceID, "after": after?.int64 ?? -1], limit: limit)
                .map(\.withoutViewerFields)
        }
    }

    public func membershipStatesPage(workspaceID: Snowflake, after: (channel: Snowflake, user: Snowflake)?,
                                     limit: Int) async throws -> [MembershipState] {
        try await pool.read { db in
            let visible = CountingRules.unread(.sqlite, m: "m", channel: "mb.channel_id", reader: "mb.user_id",
                                               lastRead: "mb.last_read_id")
            return try db.fetchRows("""
                SELECT mb.channel_id, mb.user_id, mb.last_read_id, mb.notify_level, mb.muted,
                    (SELECT COUNT(*) FROM messages m WHERE \(visible)) AS unread_count,
                    (SELECT COUNT(*) FROM messages m WHERE \(visible)
                        AND \(CountingRules.mentions(.sqlite, m: "m", reader: "mb.user_id"))) AS mention_count
                FROM memberships mb JOIN channels c ON c.id = mb.channel_id
                WHERE c.workspace_id = ? AND (mb.channel_id, mb.user_id) > (?, ?)
                ORDER BY mb.channel_id, mb.user_id LIMIT ?
                """, [workspaceID, after?.channel.int64 ?? -1, after?.user.int64 ?? -1, limit]).map { row in
                let lastRead: Int64 = row["last_read_id"]
                return MembershipState(channelID: row.id("channel_id"), userID: row.id("user_id"),
                                       lastReadID: lastRead > 0 ? Snowflake(int64: lastRead) : nil,
                                       unreadCount: row["unread_count"], mentionCount: row["mention_count"],
                                       preferences: ChannelPreferences.stored(level: row["notify_level"], muted: row["muted"]))
            }
        }
    }

    public func latestMessages(channelIDs: [Snowflake], perChannel: Int) async throws -> [Message] {
        try await pool.read { db in
            var rows: [Row] = []
            for channelID in channelIDs {
                rows += try db.fetchRows("""
                    SELECT * FROM messages WHERE channel_id = ? AND \(Self.inTimeline) ORDER BY id DESC LIMIT ?
                    """, [channelID, perChannel]).reversed()
            }
            return try Self.withReactors(db, try Self.messages(db, rows: rows, viewer: Snowflake(0)))
        }
    }

    public func withReactors(_ messages: [Message]) async throws -> [Message] {
        try await pool.read { db in try Self.withReactors(db, messages) }
    }

    /// Fills in who reacted, so that an edge can answer `me` for each of its users.
    static func withReactors(_ db: Database, _ messages: [Message]) throws -> [Message] {
        var messages = messages
        let ids = messages.filter { !$0.reactions.isEmpty }.map(\.id)
        guard !ids.isEmpty else { return messages }
        var reactors: [Snowflake: [String: [Snowflake]]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT message_id, emoji, user_id FROM reactions WHERE message_id IN (\(databaseQuestionMarks(count: ids.count)))
            ORDER BY created_at_ms
            """, arguments: StatementArguments(ids)) {
            reactors[row.id("message_id"), default: [:]][row["emoji"] as String, default: []].append(row.id("user_id"))
        }
        for index in messages.indices where !messages[index].reactions.isEmpty {
            for r in messages[index].reactions.indices {
                messages[index].reactions[r].userIDs = reactors[messages[index].id]?[messages[index].reactions[r].emoji]
            }
        }
        return messages
    }
}
