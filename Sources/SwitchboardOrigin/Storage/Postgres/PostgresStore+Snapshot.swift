import PostgresNIO
import SwitchboardCore
// PostgresNIO also exports NIO's `Channel`; here a channel is a chat channel.
import struct SwitchboardCore.Channel

extension PostgresStore {
    public func channelsPage(workspaceID: Snowflake, after: Snowflake?, limit: Int) async throws -> [Channel] {
        try await client.withConnection { connection in
            // Viewer 0 is nobody: the caller fields come out empty and are dropped.
            try await Self.channels(connection, viewer: Snowflake(0), where: "c.workspace_id = $2 AND c.id > $3",
                                    binds: [workspaceID.int64, after?.int64 ?? -1], limit: limit, logger: logger)
                .map(\.withoutViewerFields)
        }
    }

    public func membershipStatesPage(workspaceID: Snowflake, after: (channel: Snowflake, user: Snowflake)?,
                                     limit: Int) async throws -> [MembershipState] {
        let visible = CountingRules.unread(.postgres, m: "m", channel: "mb.channel_id", reader: "mb.user_id",
                                           lastRead: "mb.last_read_id")
        let mentioned = CountingRules.mentions(.postgres, m: "m", reader: "mb.user_id")
        return try await rows("""
            SELECT mb.channel_id, mb.user_id, mb.last_read_id, mb.notify_level, mb.muted,
                (SELECT COUNT(*) FROM messages m WHERE \(unescaped: visible)) AS unread_count,
                (SELECT COUNT(*) FROM messages m WHERE \(unescaped: visible) AND \(unescaped: mentioned)) AS mention_count
            FROM memberships mb JOIN channels c ON c.id = mb.channel_id
            WHERE c.workspace_id = \(workspaceID)
                AND (mb.channel_id, mb.user_id) > (\(after?.channel.int64 ?? -1), \(after?.user.int64 ?? -1))
            ORDER BY mb.channel_id, mb.user_id LIMIT \(limit)
            """).map { row in
            let lastRead = try row[ "last_read_id"].decode(Int64.self)
            return MembershipState(channelID: try row.id("channel_id"), userID: try row.id("user_id"),
                                   lastReadID: lastRead > 0 ? Snowflake(int64: lastRead) : nil,
                                   unreadCount: try row.int("unread_count"), mentionCount: try row.int("mention_count"),
                                   preferences: ChannelPreferences.stored(level: try row["notify_level"].decode(String?.self),
                                                                          muted: try row.bool("muted")))
        }
    }

    public func latestMessages(channelIDs: [Snowflake], perChannel: Int) async throws -> [Message] {
        try await client.withConnection { connection in
            var rows: [PostgresRandomAccessRow] = []
            for channelID in channelIDs {
                var page: [PostgresRandomAccessRow] = []
                let statement = HistoryBeforeStatement(channelID: channelID, before: Int64.max, limit: perChannel)
                for try await row in try await connection.execute(statement, logger: logger) { page.append(row) }
                rows += page.reversed()
            }
            return try await Self.withReactors(connection, try await Self.messages(connection, rows: rows, viewer: Snowflake(0),
                                                                                   logger: logger), logger: logger)
        }
    }

    public func withReactors(_ messages: [Message]) async throws -> [Message] {
        try await client.withConnection { connection in try await Self.withReactors(connection, messages, logger: logger) }
    }

    /// Fills in who reacted, so that an edge can answer `me` for each of its users.
    static func withReactors(_ connection: PostgresConnection, _ messages: [Message], logger: Logger) async throws -> [Message] {
        var messages = messages
        let ids = messages.filter { !$0.reactions.isEmpty }.map(\.id)
        guard !ids.isEmpty else { return messages }
        var reactors: [Snowflake: [String: [Snowflake]]] = [:]
        for row in try await connection.rows("""
            SELECT message_id, emoji, user_id FROM reactions WHERE message_id = ANY(\(ids)) ORDER BY created_at_ms, user_id
            """, logger: logger) {
            reactors[try row.id("message_id"), default: [:]][try row.string("emoji"), default: []].append(try row.id("user_id"))
        }
        for index in messages.indices where !messages[index].reactions.isEmpty {
            for r in messages[index].reactions.indices {
                messages[index].reactions[r].userIDs = reactors[messages[index].id]?[messages[index].reactions[r].emoji]
            }
        }
        return messages
    }
}
