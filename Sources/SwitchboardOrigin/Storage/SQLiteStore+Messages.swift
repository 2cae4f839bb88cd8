import Foundation
import GRDB
import SwitchboardCore

extension SQLiteStore {
    /// Messages that appear in a channel's timeline.
    static let inTimeline = CountingRules.inTimeline(.sqlite)

    /// Posts go through the group commit: messages sent at the same moment share a transaction.
    public func postMessage(_ draft: MessageDraft) async throws -> (message: Message, created: Bool) {
        try await messageWrites.submit(draft)
    }

    /// Commits waiting posts in one transaction, each in its own savepoint: one that fails
    /// (not a member, unknown thread, ...) leaves the others and nothing of itself.
    static func commitPosts(_ drafts: [MessageDraft], pool: DatabasePool) async throws -> [Result<(message: Message, created: Bool), any Error>] {
        try await pool.write { db in
            drafts.map { draft in
                Result {
                    var posted: (message: Message, created: Bool)?
                    try db.inSavepoint {
                        posted = try Self.postMessage(db, draft)
                        return .commit
                    }
                    return posted!
                }
            }
        }
    }

    static func postMessage(_ db: Database, _ draft: MessageDraft) throws -> (message: Message, created: Bool) {
        var draft = draft
        try Self.requireMember(db, channelID: draft.channelID, userID: draft.authorID)
        if try db.fetchRow("SELECT 1 FROM channels WHERE id = ? AND archived = 1", [draft.channelID]) != nil {
            throw PostRefusal.archived.error
        }
        if let nonce = draft.nonce {
            if let first = try Self.nonceReplay(db, userID: draft.authorID, nonce: nonce, nowMs: draft.nowMs) {
                return (first, false)
            }
            try db.run("DELETE FROM nonces WHERE user_id = ? AND nonce = ?", [draft.authorID, nonce])
        }
        if let threadID = draft.threadID {
            guard let parent = try db.fetchRow("SELECT thread_id FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0",
                                               [draft.channelID, threadID]) else {
                throw PostRefusal.noParent.error
            }
            if parent.optionalID("thread_id") != nil {
                throw PostRefusal.parentIsReply.error
            }
        }
        try Self.requireUnpostedUploads(db, draft)
        // Ids come in commit order (one writer); a clock stepped back across a restart must
        // not put a new message below its channel's newest.
        if let newest = try db.fetchRow("SELECT max(id) AS id FROM messages WHERE channel_id = ?", [draft.channelID])?
            .optionalID("id"), newest >= draft.id {
            draft.ids.advance(past: newest)
            draft.takeID()
        }
        let alsoToChannel = draft.threadID != nil && draft.alsoToChannel
        try db.run("""
            INSERT INTO messages (channel_id, id, author_id, content, created_at_ms, thread_id, also_to_channel,
                mention_ids, mentions_here, mentions_channel)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [draft.channelID, draft.id, draft.authorID, draft.content, draft.nowMs.db, draft.threadID,
                  alsoToChannel, Self.encodeIDs(draft.mentions.userIDs), draft.mentions.here, draft.mentions.channel])
        try db.run("INSERT INTO messages_fts (rowid, content, channel_id) VALUES (?, ?, ?)",
                   [draft.id, draft.content, draft.channelID])
        try Self.insertMentions(db, messageID: draft.id, channelID: draft.channelID, userIDs: draft.mentions.userIDs)
        if let threadID = draft.threadID {
            try db.run("UPDATE messages SET reply_count = reply_count + 1, latest_reply_id = ? WHERE channel_id = ? AND id = ?",
                       [draft.id, draft.channelID, threadID])
        }
        if draft.threadID == nil || alsoToChannel {
            try db.run("UPDATE channels SET last_message_id = ? WHERE id = ?", [draft.id, draft.channelID])
            // Your own message is read by you.
            try db.run("UPDATE memberships SET last_read_id = MAX(last_read_id, ?) WHERE channel_id = ? AND user_id = ?",
                       [draft.id, draft.channelID, draft.authorID])
        }
        for attachment in draft.attachments {
            try db.run("UPDATE attachments SET channel_id = ?, message_id = ? WHERE id = ?", [draft.channelID, draft.id, attachment.id])
        }
        if let nonce = draft.nonce {
            try db.run("INSERT INTO nonces (user_id, nonce, channel_id, message_id, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                       [draft.authorID, nonce, draft.channelID, draft.id, draft.nowMs.db])
        }
        let message = Message(id: draft.id, channelID: draft.channelID, authorID: draft.authorID, content: draft.content,
                              createdAtMs: draft.nowMs, threadID: draft.threadID, alsoToChannel: alsoToChannel,
                              mentions: draft.mentions.userIDs, mentionsHere: draft.mentions.here,
                              mentionsChannel: draft.mentions.channel, attachments: draft.attachments)
        let workspaceID = try Self.workspaceOf(db, channelID: draft.channelID)
        if let threadID = draft.threadID {
            // Logged before the reply, so that whoever routes the reply knows its followers.
            try Self.followOnReply(db, message, thread: threadID, workspaceID: workspaceID)
        }
        try Self.appendEvent(db, workspaceID: workspaceID, type: .messageCreated, channelID: draft.channelID,
                             encoded: Data(message.json(omittingDefaults: true)), nowMs: draft.nowMs)
        return (message, true)
    }

    public func nonceReplay(userID: Snowflake, nonce: String, nowMs: UInt64) async throws -> Message? {
        try await pool.read { db in try Self.nonceReplay(db, userID: userID, nonce: nonce, nowMs: nowMs) }
    }

    static func nonceReplay(_ db: Database, userID: Snowflake, nonce: String, nowMs: UInt64) throws -> Message? {
        guard let seen = try db.fetchRow("SELECT channel_id, message_id, created_at_ms FROM nonces WHERE user_id = ? AND nonce = ?",
                                         [userID, nonce]),
              seen.ms("created_at_ms") + Limits.nonceWindowMs >= nowMs else { return nil }
        // A message deleted since is not resurrected by a retry; the retry answers with nothing new either.
        return try message(db, channelID: seen.id("channel_id"), id: seen.id("message_id"), viewer: userID)
    }

    public func message(channelID: Snowflake, id: Snowflake, viewer: Snowflake) async throws -> Message? {
        try await pool.read { db in try Self.message(db, channelID: channelID, id: id, viewer: viewer) }
    }

    public func messages(channelID: Snowflake, viewer: Snowflake, before: Snowflake?, after: Snowflake?,
                         limit: Int) async throws -> (messages: [Message], hasMore: Bool) {
        try await pool.read { db in
            let rows: [Row]
            if let after {
                rows = try db.fetchRows("""
                    SELECT * FROM messages WHERE channel_id = ? AND id > ? AND id < ? AND \(Self.inTimeline)
                    ORDER BY id LIMIT ?
                    """, [channelID, after, before?.int64 ?? Int64.max, limit + 1])
            } else {
                rows = try db.fetchRows("""
                    SELECT * FROM messages WHERE channel_id = ? AND id < ? AND \(Self.inTimeline)
                    ORDER BY id DESC LIMIT ?
                    """, [channelID, before?.int64 ?? Int64.max, limit + 1]).reversed()
            }
            let hasMore = rows.count > limit
            let page = after != nil ? Array(rows.prefix(limit)) : Array(rows.suffix(limit))
            return (try Self.messages(db, rows: page, viewer: viewer), hasMore)
        }
    }

    public func replies(channelID: Snowflake, threadID: Snowflake, viewer: Snowflake, after: Snowflake?,
                        limit: Int) async throws -> (messages: [Message], hasMore: Bool) {
        try await pool.read { db in
            guard try db.fetchRow("SELECT 1 FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0 AND thread_id IS NULL",
                                  [channelID, threadID]) != nil else {
                throw SwitchboardError.notFound("message")
            }
            let rows = try db.fetchRows("""
                SELECT * FROM messages WHERE channel_id = ? AND thread_id = ? AND id > ? AND deleted = 0
                ORDER BY id LIMIT ?
                """, [channelID, threadID, after?.int64 ?? -1, limit + 1])
            return (try Self.messages(db, rows: Array(rows.prefix(limit)), viewer: viewer), rows.count > limit)
        }
    }

    public func editMessage(channelID: Snowflake, id: Snowflake, editorID: Snowflake, content: String,
                            mentions: Mentions, nowMs: UInt64) async throws -> Message {
        try await pool.write { db in
            let row = try Self.liveMessageRow(db, channelID: channelID, id: id)
            guard row.id("author_id") == editorID else { throw SwitchboardError.forbidden("only the author can edit a message") }
            try db.run("""
                UPDATE messages SET content = ?, edited_at_ms = ?, mention_ids = ?, mentions_here = ?, mentions_channel = ?
                WHERE channel_id = ? AND id = ?
                """, [content, nowMs.db, Self.encodeIDs(mentions.userIDs), mentions.here, mentions.channel, channelID, id])
            try db.run("UPDATE messages_fts SET content = ? WHERE rowid = ?", [content, id])
            try db.run("DELETE FROM mentions WHERE message_id = ? AND user_id IN (SELECT user_id FROM memberships WHERE channel_id = ?)",
                       [id, channelID])
            try Self.insertMentions(db, messageID: id, channelID: channelID, userIDs: mentions.userIDs)
            let edited = try Self.message(db, channelID: channelID, id: id, viewer: editorID)!
            try Self.appendEvent(db, workspaceID: try Self.workspaceOf(db, channelID: channelID), type: .messageUpdated,
                                 channelID: channelID, payload: MessageUpdate(edited), nowMs: nowMs)
            return edited
        }
    }

    public func deleteMessage(channelID: Snowflake, id: Snowflake, byUserID: Snowflake, moderator: Bool) async throws {
        try await pool.write { db in
            let row = try Self.liveMessageRow(db, channelID: channelID, id: id)
            if row.id("author_id") != byUserID && !moderator {
                let creator = try db.fetchRow("SELECT creator_id FROM channels WHERE id = ?", [channelID])
                guard creator?.id("creator_id") == byUserID else {
                    throw SwitchboardError.forbidden("only the author, the channel's creator or an admin can delete a message")
                }
            }
            // Soft delete keeps the row so a thread under it stays addressable; the content goes.
            try db.run("UPDATE messages SET deleted = 1, content = '', mention_ids = '' WHERE channel_id = ? AND id = ?",
                       [channelID, id])
            try db.run("DELETE FROM messages_fts WHERE rowid = ?", [id])
            try db.run("DELETE FROM reactions WHERE message_id = ?", [id])
            try db.run("DELETE FROM mentions WHERE message_id = ? AND user_id IN (SELECT user_id FROM memberships WHERE channel_id = ?)",
                       [id, channelID])
            if let threadID = row.optionalID("thread_id") {
                try db.run("""
                    UPDATE messages SET reply_count = MAX(reply_count - 1, 0),
                        latest_reply_id = (SELECT MAX(id) FROM messages WHERE channel_id = ?1 AND thread_id = ?2 AND deleted = 0)
                    WHERE channel_id = ?1 AND id = ?2
                    """, [channelID, threadID])
            }
            try db.run("""
                UPDATE channels SET last_message_id = (SELECT MAX(id) FROM messages WHERE channel_id = ?1 AND \(Self.inTimeline))
                WHERE id = ?1 AND last_message_id = ?2
                """, [channelID, id])
            try Self.appendEvent(db, workspaceID: try Self.workspaceOf(db, channelID: channelID), type: .messageDeleted,
                                 channelID: channelID,
                                 payload: MessageDeletion(id: id, channelID: channelID, threadID: row.optionalID("thread_id")),
                                 nowMs: WallClock.nowMs())
        }
    }

    public func setReaction(channelID: Snowflake, messageID: Snowflake, userID: Snowflake, emoji: String,
                            present: Bool, nowMs: UInt64) async throws -> Bool {
        try await pool.write { db in
            try Self.requireMember(db, channelID: channelID, userID: userID)
            _ = try Self.liveMessageRow(db, channelID: channelID, id: messageID)
            if present {
                try db.run("INSERT OR IGNORE INTO reactions (message_id, emoji, user_id, created_at_ms) VALUES (?, ?, ?, ?)",
                           [messageID, emoji, userID, nowMs.db])
            } else {
                try db.run("DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?", [messageID, emoji, userID])
            }
            guard db.changesCount > 0 else { return false }
            try Self.appendEvent(db, workspaceID: try Self.workspaceOf(db, channelID: channelID),
                                 type: present ? .reactionAdded : .reactionRemoved, channelID: channelID,
                                 payload: ReactionChange(channelID: channelID, messageID: messageID, userID: userID, emoji: emoji),
                                 nowMs: nowMs)
            return true
        }
    }

    public func markRead(channelID: Snowflake, userID: Snowflake, messageID: Snowflake, receipt: Bool) async throws {
        try await pool.write { db in
            try Self.requireMember(db, channelID: channelID, userID: userID)
            guard try db.fetchRow("SELECT 1 FROM messages WHERE channel_id = ? AND id = ?", [channelID, messageID]) != nil else {
                throw SwitchboardError.notFound("message")
            }
            try db.run("UPDATE memberships SET last_read_id = ? WHERE channel_id = ? AND user_id = ?", [messageID, channelID, userID])
            let channel = try Self.channel(db, id: channelID, viewer: userID)!
            // Only the reader's own sessions hear of it.
            try Self.appendEvent(db, workspaceID: channel.workspaceID, type: .readUpdated, userID: userID,
                                 payload: ReadState(channel), nowMs: WallClock.nowMs())
            if receipt {
                try Self.appendEvent(db, workspaceID: channel.workspaceID, type: .readReceipt, channelID: channelID,
                                     payload: ReadReceipt(channelID: channelID, userID: userID, lastReadID: messageID),
                                     nowMs: WallClock.nowMs())
            }
        }
    }

    public func readReceipts(channelID: Snowflake) async throws -> [ReadReceipt] {
        try await pool.read { db in
            try db.fetchRows("""
                SELECT mb.user_id, mb.last_read_id FROM memberships mb JOIN users u ON u.id = mb.user_id
                WHERE mb.channel_id = ? AND mb.last_read_id > 0 AND u.shares_read_receipts = 1 AND u.deleted = 0
                ORDER BY mb.user_id
                """, [channelID]).map { ReadReceipt(channelID: channelID, userID: $0.id("user_id"), lastReadID: $0.id("last_read_id")) }
        }
    }

    public func setLinkPreviews(channelID: Snowflake, messageID: Snowflake, _ previews: [LinkPreview],
                                nowMs: UInt64) async throws -> Message? {
        let encoded = String(decoding: try JSON.encode(previews), as: UTF8.self)
        return try await pool.write { db in
            try db.run("UPDATE messages SET link_previews = ? WHERE channel_id = ? AND id = ? AND deleted = 0",
                       [encoded, channelID, messageID])
            guard db.changesCount > 0, let message = try Self.message(db, channelID: channelID, id: messageID, viewer: Snowflake(0)) else {
                return nil
            }
            try Self.appendEvent(db, workspaceID: try Self.workspaceOf(db, channelID: channelID), type: .messageUpdated,
                                 channelID: channelID, payload: MessageUpdate(message), nowMs: nowMs)
            return message
        }
    }

    public func search(workspaceID: Snowflake, viewer: Snowflake, _ filter: SearchFilter) async throws -> [Message] {
        let match = filter.words.isEmpty ? nil : Self.ftsQuery(filter.words.joined(separator: " "))
        if !filter.words.isEmpty && match == nil { return [] }
        return try await pool.read { db in
            var sql: String
            var arguments: StatementArguments
            if let match {
                sql = """
                    SELECT m.* FROM messages_fts f
                    JOIN messages m ON m.channel_id = f.channel_id AND m.id = f.rowid
                    WHERE messages_fts MATCH ? AND f.channel_id IN (SELECT channel_id FROM memberships WHERE user_id = ?)
                        AND m.deleted = 0
                    """
                arguments = [match, viewer]
            } else {
                sql = """
                    SELECT m.* FROM messages m
                    WHERE m.channel_id IN (SELECT channel_id FROM memberships WHERE user_id = ?) AND m.deleted = 0
                    """
                arguments = [viewer]
            }
            if let channelID = filter.channelID { sql += " AND m.channel_id = ?"; arguments += [channelID] }
            if let authorID = filter.authorID { sql += " AND m.author_id = ?"; arguments += [authorID] }
            if let fromMs = filter.fromMs { sql += " AND m.created_at_ms >= ?"; arguments += [fromMs.db] }
            if let untilMs = filter.untilMs { sql += " AND m.created_at_ms < ?"; arguments += [untilMs.db] }
            if let beforeID = filter.beforeID { sql += " AND m.id < ?"; arguments += [beforeID] }
            if filter.hasLink { sql += " AND (m.content LIKE '%http://%' OR m.content LIKE '%https://%')" }
            if filter.hasFile { sql += " AND EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id)" }
            sql += " ORDER BY m.id DESC LIMIT ?"
            arguments += [filter.limit]
            return try Self.messages(db, rows: db.fetchRows(sql, arguments), viewer: viewer)
        }
    }

    // MARK: Helpers

    /// Quotes every word so that user input can never be FTS5 syntax; the last word matches
    /// as a prefix (search as you type). `nil` when nothing searchable is left.
    static func ftsQuery(_ query: String) -> String? {
        let words = query.split(whereSeparator: { $0.isWhitespace || $0 == "\"" }).map(String.init)
            .filter { $0.contains(where: { $0.isLetter || $0.isNumber }) }
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, word in
            "\"\(word)\"" + (index == words.count - 1 ? "*" : "")
        }.joined(separator: " ")
    }

    /// `not_a_member` for a channel of the user's workspace, `not_found` for any other id (a
    /// channel of another workspace is not confirmed to exist).
    static func requireMember(_ db: Database, channelID: Snowflake, userID: Snowflake) throws {
        guard try db.fetchRow("SELECT 1 FROM memberships WHERE channel_id = ? AND user_id = ?", [channelID, userID]) != nil else {
            if try db.fetchRow("""
                SELECT 1 FROM channels c JOIN users u ON u.workspace_id = c.workspace_id WHERE c.id = ? AND u.id = ?
                """, [channelID, userID]) == nil {
                throw SwitchboardError.notFound("channel")
            }
            throw SwitchboardError.notAMember
        }
    }

    static func liveMessageRow(_ db: Database, channelID: Snowflake, id: Snowflake) throws -> Row {
        guard let row = try db.fetchRow("SELECT * FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0", [channelID, id]) else {
            throw SwitchboardError.notFound("message")
        }
        return row
    }

    /// Mention rows are kept only for members: they drive the members' mention counts.
    static func insertMentions(_ db: Database, messageID: Snowflake, channelID: Snowflake, userIDs: [Snowflake]) throws {
        for userID in userIDs {
            try db.run("""
                INSERT OR IGNORE INTO mentions (user_id, message_id, channel_id)
                SELECT user_id, ?, channel_id FROM memberships WHERE channel_id = ? AND user_id = ?
                """, [messageID, channelID, userID])
        }
    }

    static func message(_ db: Database, channelID: Snowflake, id: Snowflake, viewer: Snowflake) throws -> Message? {
        guard let row = try db.fetchRow("SELECT * FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0", [channelID, id]) else {
            return nil
        }
        return try messages(db, rows: [row], viewer: viewer).first
    }

    /// Builds messages from rows, loading every message's reactions in one statement.
    static func messages(_ db: Database, rows: [Row], viewer: Snowflake) throws -> [Message] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0.id("id") }
        let reactionRows = try Row.fetchAll(db, sql: """
            SELECT message_id, emoji, COUNT(*) AS count, MAX(user_id = ?) AS me, MIN(created_at_ms) AS first_ms
            FROM reactions WHERE message_id IN (\(databaseQuestionMarks(count: ids.count)))
            GROUP BY message_id, emoji ORDER BY first_ms, emoji
            """, arguments: StatementArguments([viewer] + ids))
        var reactions: [Snowflake: [Reaction]] = [:]
        for row in reactionRows {
            reactions[row.id("message_id"), default: []].append(Reaction(emoji: row["emoji"], count: row["count"], me: row["me"]))
        }
        var files: [Snowflake: [Attachment]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT * FROM attachments WHERE message_id IN (\(databaseQuestionMarks(count: ids.count))) ORDER BY id
            """, arguments: StatementArguments(ids)) {
            files[row.id("message_id"), default: []].append(attachment(from: row).attachment)
        }
        return rows.map { row in
            let id = row.id("id")
            return Message(id: id, channelID: row.id("channel_id"), authorID: row.id("author_id"), content: row["content"],
                           createdAtMs: row.ms("created_at_ms"), editedAtMs: (row["edited_at_ms"] as Int64?).map { UInt64($0) },
                           threadID: row.optionalID("thread_id"), alsoToChannel: row["also_to_channel"],
                           replyCount: row["reply_count"], latestReplyID: row.optionalID("latest_reply_id"),
                           reactions: reactions[id] ?? [], mentions: decodeIDs(row["mention_ids"]),
                           mentionsHere: row["mentions_here"], mentionsChannel: row["mentions_channel"],
                           attachments: files[id] ?? [],
                           linkPreviews: (row["link_previews"] as String?).flatMap { try? JSON.decode([LinkPreview].self, from: Data($0.utf8)) })
        }
    }

    static func encodeIDs(_ ids: [Snowflake]) -> String { ids.map(\.description).joined(separator: ",") }
    static func decodeIDs(_ text: String) -> [Snowflake] { text.split(separator: ",").compactMap { Snowflake($0) } }
}
