import PostgresNIO
import SwitchboardCore

/// Thread follows. The follows a reply makes are written by `sb_post_message` (ThreadFollow's rule).
extension PostgresStore {
    public func setFollow(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, following: Bool,
                          nowMs: UInt64) async throws {
        try await transaction { connection in
            try await Self.requireMember(connection, channelID: channelID, userID: userID, logger: logger)
            guard let parent = try await connection.row("""
                SELECT thread_id FROM messages WHERE channel_id = \(channelID) AND id = \(threadID) AND NOT deleted
                """, logger: logger), try parent.optionalID("thread_id") == nil else {
                throw SwitchboardError.notFound("thread parent message")
            }
            let changed = try await connection.rows("""
                INSERT INTO thread_follows (thread_id, user_id, channel_id, following)
                VALUES (\(threadID), \(userID), \(channelID), \(following))
                ON CONFLICT (thread_id, user_id) DO UPDATE SET following = excluded.following
                    WHERE thread_follows.following <> excluded.following
                RETURNING user_id
                """, logger: logger)
            guard !changed.isEmpty else { return }
            try await connection.appendEvent(
                workspaceID: try await Self.workspaceOf(connection, channelID: channelID, logger: logger),
                type: .threadFollowChanged, channelID: channelID, userID: userID,
                payload: ThreadFollow(channelID: channelID, threadID: threadID, userID: userID, following: following),
                nowMs: nowMs, logger: logger)
        }
    }

    public func threadFollowers(threadID: Snowflake) async throws -> [Snowflake] {
        try await rows("""
            SELECT f.user_id FROM thread_follows f JOIN memberships mb ON mb.channel_id = f.channel_id AND mb.user_id = f.user_id
            WHERE f.thread_id = \(threadID) AND f.following ORDER BY f.user_id
            """).map { try $0.id("user_id") }
    }

    public func followedThreads(userID: Snowflake, limit: Int) async throws -> [ThreadSummary] {
        try await client.withConnection { connection in
            let rows = try await connection.rows("""
                SELECT m.*, f.last_read_id AS follow_read_id,
                    (SELECT COUNT(*) FROM messages r WHERE r.channel_id = m.channel_id AND r.thread_id = m.id
                        AND r.id > f.last_read_id AND NOT r.deleted AND r.author_id <> f.user_id)::int AS unread_replies
                FROM thread_follows f
                JOIN memberships mb ON mb.channel_id = f.channel_id AND mb.user_id = f.user_id
                JOIN messages m ON m.channel_id = f.channel_id AND m.id = f.thread_id AND NOT m.deleted
                WHERE f.user_id = \(userID) AND f.following
                ORDER BY COALESCE(m.latest_reply_id, m.id) DESC LIMIT \(limit)
                """, logger: logger)
            let parents = try await Self.messages(connection, rows: rows, viewer: userID, logger: logger)
            return try zip(rows, parents).map { row, parent in
                let lastRead = try row["follow_read_id"].decode(Int64.self)
                return ThreadSummary(channelID: parent.channelID, parent: parent, unreadReplies: try row.int("unread_replies"),
                                     lastReadID: lastRead > 0 ? Snowflake(int64: lastRead) : nil)
            }
        }
    }

    public func markThreadRead(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, messageID: Snowflake) async throws {
        try await transaction { connection in
            try await Self.requireMember(connection, channelID: channelID, userID: userID, logger: logger)
            guard try await connection.row("""
                SELECT 1 FROM messages WHERE channel_id = \(channelID) AND id = \(messageID)
                    AND (id = \(threadID) OR thread_id = \(threadID))
                """, logger: logger) != nil else {
                throw SwitchboardError.badRequest("message_id must name the thread's parent or one of its replies")
            }
            let updated = try await connection.rows("""
                UPDATE thread_follows SET last_read_id = GREATEST(last_read_id, \(messageID))
                WHERE thread_id = \(threadID) AND user_id = \(userID) RETURNING user_id
                """, logger: logger)
            guard !updated.isEmpty else { throw SwitchboardError.badRequest("you do not follow this thread") }
        }
    }

    public func followsPage(workspaceID: Snowflake, after: (thread: Snowflake, user: Snowflake)?, limit: Int) async throws -> [ThreadFollow] {
        try await rows("""
            SELECT f.* FROM thread_follows f JOIN channels c ON c.id = f.channel_id
            WHERE c.workspace_id = \(workspaceID)
                AND (f.thread_id, f.user_id) > (\(after?.thread.int64 ?? -1), \(after?.user.int64 ?? -1))
            ORDER BY f.thread_id, f.user_id LIMIT \(limit)
            """).map { row in
            ThreadFollow(channelID: try row.id("channel_id"), threadID: try row.id("thread_id"), userID: try row.id("user_id"),
                         following: try row.bool("following"))
        }
    }
}
