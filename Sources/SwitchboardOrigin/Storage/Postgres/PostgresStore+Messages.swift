import Foundation
import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    /// Messages that appear in a channel's timeline.
    static let inTimeline = CountingRules.inTimeline(.postgres)

    /// Posts go through the group commit: messages sent at the same moment share a transaction.
    public func postMessage(_ draft: MessageDraft) async throws -> (message: Message, created: Bool) {
        try await messageWrites.submit(draft)
    }

    /// Commits waiting posts with one statement (`sb_post_messages`: one round trip, one
    /// transaction). Refusals come back as outcomes and fail alone; if the statement itself
    /// fails (a deadlock between processes, a duplicate id), each post is retried on its own so
    /// that only the faulty one fails.
    static func commitPosts(_ drafts: [MessageDraft], client: PostgresClient,
                            logger: Logger) async throws -> [Result<(message: Message, created: Bool), any Error>] {
        var results = try await postIsolated(drafts, client: client, logger: logger)
        // A post refused as behind its channel's newest id (another process wrote it) is given
        // an id above that one and posted again; it still precedes this process's later posts.
        for index in results.indices {
            var draft = drafts[index]
            for _ in 0..<3 {
                guard case .failure(let error) = results[index], let behind = error as? PostBehind else { break }
                draft.ids.advance(past: behind.newest)
                draft.takeID()
                results[index] = try await postIsolated([draft], client: client, logger: logger)[0]
            }
        }
        return results
    }

    /// The newest id of the channel was not below the post's (answered `behind` by the database).
    struct PostBehind: Error { let newest: Snowflake }

    private static func postIsolated(_ drafts: [MessageDraft], client: PostgresClient,
                                     logger: Logger) async throws -> [Result<(message: Message, created: Bool), any Error>] {
        do {
            return try await post(drafts, client: client, logger: logger)
        } catch where drafts.count > 1 {
            var results: [Result<(message: Message, created: Bool), any Error>] = []
            for draft in drafts {
                do {
                    results.append(contentsOf: try await post([draft], client: client, logger: logger))
                } catch {
                    results.append(.failure(storeError(error)))
                }
            }
            return results
        }
    }

    /// One statement for the group; a refusal is a failed `Result`, a database error throws.
    private static func post(_ drafts: [MessageDraft], client: PostgresClient,
                             logger: Logger) async throws -> [Result<(message: Message, created: Bool), any Error>] {
        var created: [Message] = []
        var posts: [PostMessagesStatement.Post] = []
        for draft in drafts {
            let alsoToChannel = draft.threadID != nil && draft.alsoToChannel
            let message = Message(id: draft.id, channelID: draft.channelID, authorID: draft.authorID, content: draft.content,
                                  createdAtMs: draft.nowMs, threadID: draft.threadID, alsoToChannel: alsoToChannel,
                                  mentions: draft.mentions.userIDs, mentionsHere: draft.mentions.here,
                                  mentionsChannel: draft.mentions.channel, attachments: draft.attachments)
            created.append(message)
            posts.append(PostMessagesStatement.Post(draft, alsoToChannel: alsoToChannel, event: Data(message.json(omittingDefaults: true))))
        }
        var outcomes: [PostMessagesStatement.Row] = []
        for try await row in try await client.execute(PostMessagesStatement(posts: try JSON.encode(posts)), logger: logger) {
            outcomes.append(row)
        }
        guard outcomes.count == drafts.count else {
            throw SwitchboardError(.internalError, "\(outcomes.count) outcomes for \(drafts.count) posts")
        }
        var results: [Result<(message: Message, created: Bool), any Error>] = []
        for (index, outcome) in outcomes.enumerated() {
            if let refusal = PostRefusal(rawValue: outcome.outcome) {
                results.append(.failure(refusal.error))
                continue
            }
            switch outcome.outcome {
            case "created":
                results.append(.success((created[index], true)))
            case "replay":
                // The first message sent with this nonce, as its author sees it.
                let first = try await client.withConnection { connection in
                    try await message(connection, channelID: outcome.replayChannel ?? Snowflake(0), id: outcome.replayID ?? Snowflake(0),
                                      viewer: drafts[index].authorID, logger: logger)
                }
                results.append(first.map { .success(($0, false)) } ?? .failure(SwitchboardError.notFound("message")))
            case "behind": results.append(.failure(PostBehind(newest: outcome.replayID ?? Snowflake(0))))
            default:
                results.append(.failure(SwitchboardError(.internalError, "unexpected outcome \(outcome.outcome) posting a message")))
            }
        }
        return results
    }

    public func nonceReplay(userID: Snowflake, nonce: String, nowMs: UInt64) async throws -> Message? {
        // Asked before every post that carries a nonce: a prepared statement.
        var seen: NonceStatement.Row?
        for try await row in try await client.execute(NonceStatement(userID: userID, nonce: nonce), logger: logger) { seen = row }
        guard let seen, seen.createdAtMs + Limits.nonceWindowMs >= nowMs else { return nil }
        return try await message(channelID: seen.channelID, id: seen.messageID, viewer: userID)
    }

    public func message(channelID: Snowflake, id: Snowflake, viewer: Snowflake) async throws -> Message? {
        try await client.withConnection { connection in
            try await Self.message(connection, channelID: channelID, id: id, viewer: viewer, logger: logger)
        }
    }

    public func messages(channelID: Snowflake, viewer: Snowflake, before: Snowflake?, after: Snowflake?,
                         limit: Int) async throws -> (messages: [Message], hasMore: Bool) {
        try await client.withConnection { connection in
            var rows: [PostgresRandomAccessRow] = []
            if let after {
                let statement = HistoryAfterStatement(channelID: channelID, after: after, before: before?.int64 ?? Int64.max,
                                                      limit: limit + 1)
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            } else {
                let statement = HistoryBeforeStatement(channelID: channelID, before: before?.int64 ?? Int64.max, limit: limit + 1)
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                rows.reverse()
            }
            let hasMore = rows.count > limit
            let page = after != nil ? Array(rows.prefix(limit)) : Array(rows.suffix(limit))
            return (try await Self.messages(connection, rows: page, viewer: viewer, logger: logger), hasMore)
        }
    }

    public func replies(channelID: Snowflake, threadID: Snowflake, viewer: Snowflake, after: Snowflake?,
                        limit: Int) async throws -> (messages: [Message], hasMore: Bool) {
        try await client.withConnection { connection in
            guard try await connection.row("""
                SELECT 1 FROM messages WHERE channel_id = \(channelID) AND id = \(threadID) AND NOT deleted AND thread_id IS NULL
                """, logger: logger) != nil else {
                throw SwitchboardError.notFound("message")
            }
            let rows = try await connection.rows("""
                SELECT * FROM messages
                WHERE channel_id = \(channelID) AND thread_id = \(threadID) AND id > \(after?.int64 ?? -1) AND NOT deleted
                ORDER BY id LIMIT \(limit + 1)
                """, logger: logger)
            return (try await Self.messages(connection, rows: Array(rows.prefix(limit)), viewer: viewer, logger: logger),
                    rows.count > limit)
        }
    }

    public func editMessage(channelID: Snowflake, id: Snowflake, editorID: Snowflake, content: String,
                            mentions: Mentions, nowMs: UInt64) async throws -> Message {
        try await transaction { connection in
            let row = try await Self.liveMessageRow(connection, channelID: channelID, id: id, logger: logger)
            guard try row.id("author_id") == editorID else {
                throw SwitchboardError.forbidden("only the author can edit a message")
            }
            try await connection.query("""
                UPDATE messages SET content = \(content), search = to_tsvector('simple', \(Self.searchable(content))),
                    edited_at_ms = \(nowMs.db), mention_ids = \(mentions.userIDs), mentions_here = \(mentions.here),
                    mentions_channel = \(mentions.channel)
                WHERE channel_id = \(channelID) AND id = \(id)
                """, logger: logger)
            try await connection.query("DELETE FROM mentions WHERE message_id = \(id)", logger: logger)
            try await Self.insertMentions(connection, messageID: id, channelID: channelID, userIDs: mentions.userIDs, logger: logger)
            let edited = try await Self.message(connection, channelID: channelID, id: id, viewer: editorID, logger: logger)!
            try await connection.appendEvent(workspaceID: try await Self.workspaceOf(connection, channelID: channelID, logger: logger),
                                             type: .messageUpdated, channelID: channelID, payload: MessageUpdate(edited),
                                             nowMs: nowMs, logger: logger)
            return edited
        }
    }

    public func deleteMessage(channelID: Snowflake, id: Snowflake, byUserID: Snowflake, moderator: Bool) async throws {
        try await transaction { connection in
            let row = try await Self.liveMessageRow(connection, channelID: channelID, id: id, logger: logger)
            if try row.id("author_id") != byUserID && !moderator {
                let creator = try await connection.row("SELECT creator_id FROM channels WHERE id = \(channelID)", logger: logger)
                guard try creator?.id("creator_id") == byUserID else {
                    throw SwitchboardError.forbidden("only the author, the channel's creator or an admin can delete a message")
                }
            }
            // Soft delete keeps the row so a thread under it stays addressable; the content goes.
            try await connection.query("""
                UPDATE messages SET deleted = true, content = '', search = ''::tsvector, mention_ids = '{}'
                WHERE channel_id = \(channelID) AND id = \(id)
                """, logger: logger)
            try await connection.query("DELETE FROM reactions WHERE message_id = \(id)", logger: logger)
            try await connection.query("DELETE FROM mentions WHERE message_id = \(id)", logger: logger)
            let threadID = try row.optionalID("thread_id")
            if let threadID {
                try await connection.query("""
                    UPDATE messages SET reply_count = GREATEST(reply_count - 1, 0),
                        latest_reply_id = (SELECT MAX(id) FROM messages
                                           WHERE channel_id = \(channelID) AND thread_id = \(threadID) AND NOT deleted)
                    WHERE channel_id = \(channelID) AND id = \(threadID)
                    """, logger: logger)
            }
            try await connection.query("""
                UPDATE channels SET last_message_id = (SELECT MAX(id) FROM messages
                                                       WHERE channel_id = \(channelID) AND \(unescaped: Self.inTimeline))
                WHERE id = \(channelID) AND last_message_id = \(id)
                """, logger: logger)
            try await connection.appendEvent(workspaceID: try await Self.workspaceOf(connection, channelID: channelID, logger: logger),
                                             type: .messageDeleted, channelID: channelID,
                                             payload: MessageDeletion(id: id, channelID: channelID, threadID: threadID),
                                             nowMs: WallClock.nowMs(), logger: logger)
        }
    }

    public func setReaction(channelID: Snowflake, messageID: Snowflake, userID: Snowflake, emoji: String,
                            present: Bool, nowMs: UInt64) async throws -> Bool {
        try await transaction { connection in
            try await Self.requireMember(connection, channelID: channelID, userID: userID, logger: logger)
            _ = try await Self.liveMessageRow(connection, channelID: channelID, id: messageID, logger: logger)
            let changed: [PostgresRandomAccessRow]
            if present {
                changed = try await connection.rows("""
                    INSERT INTO reactions (message_id, emoji, user_id, created_at_ms)
                    VALUES (\(messageID), \(emoji), \(userID), \(nowMs.db)) ON CONFLICT DO NOTHING RETURNING user_id
                    """, logger: logger)
            } else {
                changed = try await connection.rows("""
                    DELETE FROM reactions WHERE message_id = \(messageID) AND emoji = \(emoji) AND user_id = \(userID)
                    RETURNING user_id
                    """, logger: logger)
            }
            guard !changed.isEmpty else { return false }
            try await connection.appendEvent(workspaceID: try await Self.workspaceOf(connection, channelID: channelID, logger: logger),
                                             type: present ? .reactionAdded : .reactionRemoved, channelID: channelID,
                                             payload: ReactionChange(channelID: channelID, messageID: messageID, userID: userID,
                                                                     emoji: emoji),
                                             nowMs: nowMs, logger: logger)
            return true
        }
    }

    public func markRead(channelID: Snowflake, userID: Snowflake, messageID: Snowflake, receipt: Bool) async throws {
        try await transaction { connection in
            try await Self.requireMember(connection, channelID: channelID, userID: userID, logger: logger)
            guard try await connection.row("SELECT 1 FROM messages WHERE channel_id = \(channelID) AND id = \(messageID)",
                                           logger: logger) != nil else {
                throw SwitchboardError.notFound("message")
            }
            try await connection.query("""
                UPDATE memberships SET last_read_id = \(messageID) WHERE channel_id = \(channelID) AND user_id = \(userID)
                """, logger: logger)
            let channel = try await Self.channel(connection, id: channelID, viewer: userID, logger: logger)!
            // Only the reader's own sessions hear of it.
            try await connection.appendEvent(workspaceID: channel.workspaceID, type: .readUpdated, userID: userID,
                                             payload: ReadState(channel), nowMs: WallClock.nowMs(), logger: logger)
            if receipt {
                try await connection.appendEvent(workspaceID: channel.workspaceID, type: .readReceipt, channelID: channelID,
                                                 payload: ReadReceipt(channelID: channelID, userID: userID, lastReadID: messageID),
                                                 nowMs: WallClock.nowMs(), logger: logger)
            }
        }
    }

    public func readReceipts(channelID: Snowflake) async throws -> [ReadReceipt] {
        try await rows("""
            SELECT mb.user_id, mb.last_read_id FROM memberships mb JOIN users u ON u.id = mb.user_id
            WHERE mb.channel_id = \(channelID) AND mb.last_read_id > 0 AND u.shares_read_receipts AND NOT u.deleted
            ORDER BY mb.user_id
            """).map { ReadReceipt(channelID: channelID, userID: try $0.id("user_id"), lastReadID: try $0.id("last_read_id")) }
    }

    public func setLinkPreviews(channelID: Snowflake, messageID: Snowflake, _ previews: [LinkPreview],
                                nowMs: UInt64) async throws -> Message? {
        let encoded = String(decoding: try JSON.encode(previews), as: UTF8.self)
        return try await transaction { connection in
            let updated = try await connection.rows("""
                UPDATE messages SET link_previews = \(encoded)
                WHERE channel_id = \(channelID) AND id = \(messageID) AND NOT deleted RETURNING id
                """, logger: logger)
            guard !updated.isEmpty,
                  let message = try await Self.message(connection, channelID: channelID, id: messageID, viewer: Snowflake(0),
                                                       logger: logger) else { return nil }
            try await connection.appendEvent(workspaceID: try await Self.workspaceOf(connection, channelID: channelID, logger: logger),
                                             type: .messageUpdated, channelID: channelID, payload: MessageUpdate(message),
                                             nowMs: nowMs, logger: logger)
            return message
        }
    }

    public func search(workspaceID: Snowflake, viewer: Snowflake, _ filter: SearchFilter) async throws -> [Message] {
        let tsquery = filter.words.isEmpty ? nil : Self.tsQuery(filter.words.joined(separator: " "))
        if !filter.words.isEmpty && tsquery == nil { return [] }
        return try await client.withConnection { connection in
            let rows = try await connection.rows("""
                SELECT m.* FROM messages m
                WHERE (\(tsquery)::text IS NULL OR m.search @@ to_tsquery('simple', \(tsquery)))
                    AND m.channel_id IN (SELECT channel_id FROM memberships WHERE user_id = \(viewer))
                    AND NOT m.deleted
                    AND (\(filter.channelID)::bigint IS NULL OR m.channel_id = \(filter.channelID))
                    AND (\(filter.authorID)::bigint IS NULL OR m.author_id = \(filter.authorID))
                    AND (\(filter.fromMs?.db)::bigint IS NULL OR m.created_at_ms >= \(filter.fromMs?.db))
                    AND (\(filter.untilMs?.db)::bigint IS NULL OR m.created_at_ms < \(filter.untilMs?.db))
                    AND (\(filter.beforeID)::bigint IS NULL OR m.id < \(filter.beforeID))
                    AND (NOT \(filter.hasLink) OR m.content LIKE '%http://%' OR m.content LIKE '%https://%')
                    AND (NOT \(filter.hasFile) OR EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id))
                ORDER BY m.id DESC LIMIT \(filter.limit)
                """, logger: logger)
            return try await Self.messages(connection, rows: rows, viewer: viewer, logger: logger)
        }
    }

    // MARK: Helpers

    /// The text the search index holds: case and diacritics folded, as SQLite's `unicode61
    /// remove_diacritics` tokenizer does.
    static func searchable(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Every word of the query must match; the last as a prefix (search as you type). Words are
    /// reduced to letters and digits, so user input is never tsquery syntax. `nil` when nothing
    /// searchable is left.
    static func tsQuery(_ query: String) -> String? {
        let words = searchable(query).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, word in
            "'\(word)'" + (index == words.count - 1 ? ":*" : "")
        }.joined(separator: " & ")
    }

    static func requireMember(_ connection: PostgresConnection, channelID: Snowflake, userID: Snowflake,
                              logger: Logger) async throws {
        guard try await connection.row("SELECT 1 FROM memberships WHERE channel_id = \(channelID) AND user_id = \(userID)",
                                       logger: logger) != nil else {
            // A channel of another workspace is not confirmed to exist.
            if try await connection.row("""
                SELECT 1 FROM channels c JOIN users u ON u.workspace_id = c.workspace_id
                WHERE c.id = \(channelID) AND u.id = \(userID)
                """, logger: logger) == nil {
                throw SwitchboardError.notFound("channel")
            }
            throw SwitchboardError.notAMember
        }
    }

    static func liveMessageRow(_ connection: PostgresConnection, channelID: Snowflake, id: Snowflake,
                               logger: Logger) async throws -> PostgresRandomAccessRow {
        guard let row = try await connection.row("""
            SELECT * FROM messages WHERE channel_id = \(channelID) AND id = \(id) AND NOT deleted FOR UPDATE
            """, logger: logger) else {
            throw SwitchboardError.notFound("message")
        }
        return row
    }

    /// Mention rows are kept only for members: they drive the members' mention counts.
    static func insertMentions(_ connection: PostgresConnection, messageID: Snowflake, channelID: Snowflake,
                               userIDs: [Snowflake], logger: Logger) async throws {
        guard !userIDs.isEmpty else { return }
        try await connection.query("""
            INSERT INTO mentions (user_id, message_id, channel_id)
            SELECT user_id, \(messageID), channel_id FROM memberships WHERE channel_id = \(channelID) AND user_id = ANY(\(userIDs))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    static func message(_ connection: PostgresConnection, channelID: Snowflake, id: Snowflake, viewer: Snowflake,
                        logger: Logger) async throws -> Message? {
        guard let row = try await connection.row("""
            SELECT * FROM messages WHERE channel_id = \(channelID) AND id = \(id) AND NOT deleted
            """, logger: logger) else { return nil }
        return try await messages(connection, rows: [row], viewer: viewer, logger: logger).first
    }

    /// Builds messages from rows, loading every message's reactions in one statement.
    static func messages(_ connection: PostgresConnection, rows: [PostgresRandomAccessRow], viewer: Snowflake,
                         logger: Logger) async throws -> [Message] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.id("id") }
        var reactions: [Snowflake: [Reaction]] = [:]
        for row in try await connection.rows("""
            SELECT message_id, emoji, COUNT(*) AS count, bool_or(user_id = \(viewer)) AS me, MIN(created_at_ms) AS first_ms
            FROM reactions WHERE message_id = ANY(\(ids))
            GROUP BY message_id, emoji ORDER BY first_ms, emoji
            """, logger: logger) {
            reactions[try row.id("message_id"), default: []].append(
                Reaction(emoji: try row.string("emoji"), count: try row.int("count"), me: try row.bool("me")))
        }
        var files: [Snowflake: [Attachment]] = [:]
        for row in try await connection.rows("SELECT * FROM attachments WHERE message_id = ANY(\(ids)) ORDER BY id",
                                             logger: logger) {
            files[try row.id("message_id"), default: []].append(try attachment(from: row).attachment)
        }
        return try rows.map { row in
            let id = try row.id("id")
            return Message(id: id, channelID: try row.id("channel_id"), authorID: try row.id("author_id"),
                           content: try row.string("content"), createdAtMs: try row.ms("created_at_ms"),
                           editedAtMs: try row.optionalMs("edited_at_ms"), threadID: try row.optionalID("thread_id"),
                           alsoToChannel: try row.bool("also_to_channel"), replyCount: try row.int("reply_count"),
                           latestReplyID: try row.optionalID("latest_reply_id"), reactions: reactions[id] ?? [],
                           mentions: try row["mention_ids"].decode([Snowflake].self),
                           mentionsHere: try row.bool("mentions_here"), mentionsChannel: try row.bool("mentions_channel"),
                           attachments: files[id] ?? [],
                           linkPreviews: try row.optionalString("link_previews").flatMap {
                               try? JSON.decode([LinkPreview].self, from: Data($0.utf8))
                           })
        }
    }
}

// MARK: Prepared statements of the hot paths (parsed once per connection)

/// Posts a group of messages: `sb_post_messages` over a JSON array, in one round trip.
struct PostMessagesStatement: PostgresPreparedStatement {
    static let sql = "SELECT outcome, replay_channel, replay_id FROM sb_post_messages($1::text::jsonb, $2::bigint)"

    /// One post, as `sb_post_messages` reads it (ids as JSON numbers).
    struct Post: Encodable {
        let channel_id: Int64, id: Int64, author_id: Int64
        let content: String, search: String
        let now_ms: Int64
        let thread_id: Int64?
        let also_to_channel: Bool
        let mentions: [Int64]
        let here: Bool, everyone: Bool
        let nonce: String?
        /// The `message.created` payload, as text.
        let event: String
        let attachments: [Int64]

        init(_ draft: MessageDraft, alsoToChannel: Bool, event: Data) {
            channel_id = draft.channelID.int64
            id = draft.id.int64
            author_id = draft.authorID.int64
            content = draft.content
            search = PostgresStore.searchable(draft.content)
            now_ms = draft.nowMs.db
            thread_id = draft.threadID?.int64
            also_to_channel = alsoToChannel
            mentions = draft.mentions.userIDs.map(\.int64)
            here = draft.mentions.here
            everyone = draft.mentions.channel
            nonce = draft.nonce
            self.event = String(decoding: event, as: UTF8.self)
            attachments = draft.attachments.map(\.id.int64)
        }
    }

    struct Row {
        var outcome: String
        var replayChannel: Snowflake?
        var replayID: Snowflake?
    }

    let posts: Data

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 2)
        binds.append(String(decoding: posts, as: UTF8.self))
        binds.append(Int64(Limits.nonceWindowMs))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (outcome, channel, id) = try row.decode((String, Snowflake?, Snowflake?).self)
        return Row(outcome: outcome, replayChannel: channel, replayID: id)
    }
}

/// The message a user sent with a nonce.
struct NonceStatement: PostgresPreparedStatement {
    static let sql = "SELECT channel_id, message_id, created_at_ms FROM nonces WHERE user_id = $1 AND nonce = $2"
    struct Row {
        var channelID: Snowflake
        var messageID: Snowflake
        var createdAtMs: UInt64
    }

    let userID: Snowflake
    let nonce: String

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 2)
        binds.append(userID)
        binds.append(nonce)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (channelID, messageID, createdAtMs) = try row.decode((Snowflake, Snowflake, Int64).self)
        return Row(channelID: channelID, messageID: messageID, createdAtMs: UInt64(max(0, createdAtMs)))
    }
}

/// The latest page of a channel's timeline before a cursor, newest first.
struct HistoryBeforeStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT * FROM messages WHERE channel_id = $1 AND id < $2 AND \(PostgresStore.inTimeline)
        ORDER BY id DESC LIMIT $3
        """
    let channelID: Snowflake
    let before: Int64
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 3)
        binds.append(channelID)
        binds.append(before)
        binds.append(Int64(limit))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

/// The page of a channel's timeline after a cursor (and before another), oldest first.
struct HistoryAfterStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT * FROM messages
        WHERE channel_id = $1 AND id > $2 AND id < $3 AND \(PostgresStore.inTimeline)
        ORDER BY id LIMIT $4
        """
    let channelID: Snowflake
    let after: Snowflake
    let before: Int64
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 4)
        binds.append(channelID)
        binds.append(after)
        binds.append(before)
        binds.append(Int64(limit))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}
