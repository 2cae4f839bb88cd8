import GRDB
import SwitchboardCore

extension SQLiteStore {
    /// ``ThreadFollow``'s rule for a new reply; each follow that changes is logged.
    static func followOnReply(_ db: Database, _ reply: Message, thread: Snowflake, workspaceID: Snowflake) throws {
        for user in ThreadFollow.takingPart(in: reply) {
            let isMember = try db.fetchRow("SELECT 1 FROM memberships WHERE channel_id = ? AND user_id = ?",
                                           [reply.channelID, user]) != nil
            guard user == reply.authorID || isMember else { continue }
            try db.run("""
                INSERT INTO thread_follows (thread_id, user_id, channel_id, following) VALUES (?, ?, ?, 1)
                ON CONFLICT (thread_id, user_id) DO UPDATE SET following = 1 WHERE following = 0
                """, [thread, user, reply.channelID])
            if db.changesCount > 0 {
                try logFollow(db, ThreadFollow(channelID: reply.channelID, threadID: thread, userID: user, following: true),
                              workspaceID: workspaceID, nowMs: reply.createdAtMs)
            }
        }
        if ThreadFollow.parentAuthorFollowsUnlessUnfollowed,
           let parent = try db.fetchRow("SELECT author_id FROM messages WHERE channel_id = ? AND id = ?", [reply.channelID, thread]) {
            let author = parent.id("author_id")
            try db.run("INSERT OR IGNORE INTO thread_follows (thread_id, user_id, channel_id, following) VALUES (?, ?, ?, 1)",
                       [thread, author, reply.channelID])
            if db.changesCount > 0 {
                try logFollow(db, ThreadFollow(channelID: reply.channelID, threadID: thread, userID: author, following: true),
                              workspaceID: workspaceID, nowMs: reply.createdAtMs)
            }
        }
    }

    private static func logFollow(_ db: Database, _ follow: ThreadFollow, workspaceID: Snowflake, nowMs: UInt64) throws {
        try appendEvent(db, workspaceID: workspaceID, type: .threadFollowChanged, channelID: follow.channelID,
                        userID: follow.userID, payload: follow, nowMs: nowMs)
    }

    public func setFollow(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, following: Bool,
                          nowMs: UInt64) async throws {
        try await pool.write { db in
            try Self.requireMember(db, channelID: channelID, userID: userID)
            guard let parent = try db.fetchRow("SELECT thread_id FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0",
                                               [channelID, threadID]), parent.optionalID("thread_id") == nil else {
                throw SwitchboardError.notFound("thread parent message")
            }
            try db.run("""
                INSERT INTO thread_follows (thread_id, user_id, channel_id, following) VALUES (?, ?, ?, ?)
                ON CONFLICT (thread_id, user_id) DO UPDATE SET following = excluded.following WHERE following != excluded.following
                """, [threadID, userID, channelID, following])
            if db.changesCount > 0 {
                try Self.logFollow(db, ThreadFollow(channelID: channelID, threadID: threadID, userID: userID, following: following),
                                   workspaceID: try Self.workspaceOf(db, channelID: channelID), nowMs: nowMs)
            }
        }
    }

    public func threadFollowers(threadID: Snowflake) async throws -> [Snowflake] {
        try await pool.read { db in
            try db.fetchRows("""
                SELECT f.user_id FROM thread_follows f JOIN memberships mb ON mb.channel_id = f.channel_id AND mb.user_id = f.user_id
                WHERE f.thread_id = ? AND f.following = 1 ORDER BY f.user_id
                """, [threadID]).map { $0.id("user_id") }
        }
    }

    public func followedThreads(userID: Snowflake, limit: Int) async throws -> [ThreadSummary] {
        try await pool.read { db in
            let rows = try db.fetchRows("""
                SELECT m.*, f.last_read_id AS follow_read_id,
                    (SELECT COUNT(*) FROM messages r WHERE r.channel_id = m.channel_id AND r.thread_id = m.id
                        AND r.id > f.last_read_id AND r.deleted = 0 AND r.author_id != f.user_id) AS unread_replies
                FROM thread_follows f
                JOIN memberships mb ON mb.channel_id = f.channel_id AND mb.user_id = f.user_id
                JOIN messages m ON m.channel_id = f.channel_id AND m.id = f.thread_id AND m.deleted = 0
                WHERE f.user_id = ? AND f.following = 1
                ORDER BY COALESCE(m.latest_reply_id, m.id) DESC LIMIT ?
                """, [userID, limit])
            let parents = try Self.messages(db, rows: rows, viewer: userID)
            return zip(rows, parents).map { row, parent in
                let lastRead: Int64 = row["follow_read_id"]
                return ThreadSummary(channelID: parent.channelID, parent: parent, unreadReplies: row["unread_replies"],
                                     lastReadID: lastRead > 0 ? Snowflake(int64: lastRead) : nil)
            }
        }
    }

    public func markThreadRead(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, messageID: Snowflake) async throws {
        try await pool.write { db in
            try Self.requireMember(db, channelID: channelID, userID: userID)
            guard try db.fetchRow("SELECT 1 FROM messages WHERE channel_id = ?1 AND id = ?2 AND (id = ?3 OR thread_id = ?3)",
                                  [channelID, messageID, threadID]) != nil else {
                throw SwitchboardError.badRequest("message_id must name the thread's parent or one of its replies")
            }
            try db.run("UPDATE thread_follows SET last_read_id = MAX(last_read_id, ?) WHERE thread_id = ? AND user_id = ?",
                       [messageID, threadID, userID])
            guard db.changesCount > 0 else { throw SwitchboardError.badRequest("you do not follow this thread") }
        }
    }

    public func followsPage(workspaceID: Snowflake, after: (thread: Snowflake, user: Snowflake)?, limit: Int) async throws -> [ThreadFollow] {
        try await pool.read { db in
            try db.fetchRows("""
                SELECT f.* FROM thread_follows f JOIN channels c ON c.id = f.channel_id
                WHERE c.workspace_id = ? AND (f.thread_id, f.user_id) > (?, ?)
                ORDER BY f.thread_id, f.user_id LIMIT ?
                """, [workspaceID, after?.thread.int64 ?? -1, after?.user.int64 ?? -1, limit]).map { row in
                ThreadFollow(channelID: row.id("channel_id"), threadID: row.id("thread_id"), userID: row.id("user_id"),
                             following: row["following"])
            }
        }
    }
}
