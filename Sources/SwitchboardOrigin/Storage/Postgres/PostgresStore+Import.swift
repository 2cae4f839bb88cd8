import PostgresNIO
import SwitchboardCore
// PostgresNIO also exports NIO's `Channel`; here a channel is a chat channel.
import struct SwitchboardCore.Channel

extension PostgresStore {
    /// Loads a batch in one transaction, one statement per table (`unnest` of column arrays),
    /// keeping the counts and indexes the normal paths keep. No events.
    public func importBatch(_ batch: ImportBatch, workspaceID: Snowflake) async throws -> ImportResult {
        if let user = batch.users.first(where: { $0.workspaceID != workspaceID }) {
            throw SwitchboardError.badRequest("user \(user.id) is in another workspace")
        }
        if let channel = batch.channels.first(where: { $0.workspaceID != workspaceID }) {
            throw SwitchboardError.badRequest("channel \(channel.id) is in another workspace")
        }
        return try await transaction { connection in
            guard try await connection.row("SELECT 1 FROM workspaces WHERE id = \(workspaceID)", logger: logger) != nil else {
                throw SwitchboardError.notFound("workspace")
            }
            try await Self.importUsers(batch.users, workspaceID: workspaceID, connection, logger: logger)
            try await Self.importChannels(batch.channels, workspaceID: workspaceID, connection, logger: logger)
            // Rows of other workspaces are refused: every channel named must be this workspace's.
            let named = Array(Set(batch.memberships.map(\.channelID)).union(batch.messages.map(\.channelID)))
            let known = try await connection.row("""
                SELECT COUNT(*) AS n FROM channels WHERE id = ANY(\(named)) AND workspace_id = \(workspaceID)
                """, logger: logger)?.int("n") ?? 0
            guard known == named.count else { throw SwitchboardError.badRequest("a channel named is not in this workspace") }
            try await Self.importMemberships(batch.memberships, workspaceID: workspaceID, connection, logger: logger)
            try await Self.importMessages(batch.messages, connection, logger: logger)
            return ImportResult(users: batch.users.count, channels: batch.channels.count,
                                memberships: batch.memberships.count, messages: batch.messages.count)
        }
    }

    private static func importUsers(_ users: [User], workspaceID: Snowflake, _ connection: PostgresConnection,
                                    logger: Logger) async throws {
        guard !users.isEmpty else { return }
        try await connection.query("""
            INSERT INTO users (id, workspace_id, handle, display_name, real_name, title, email, tz, status_text, status_emoji,
                avatar_base, is_bot, deleted, created_at_ms, updated_at_ms)
            SELECT id, \(workspaceID), handle, display_name, real_name, title, email, tz, status_text, status_emoji,
                avatar_base, is_bot, deleted, created_at_ms, updated_at_ms
            FROM unnest(\(users.map(\.id)), \(users.map(\.handle)), \(users.map(\.displayName)), \(users.map(\.realName)),
                        \(users.map(\.title)), \(users.map(\.email)), \(users.map(\.tz)), \(users.map(\.statusText)),
                        \(users.map(\.statusEmoji)), \(users.map(SQLiteStore.avatarBase(of:))), \(users.map(\.isBot)),
                        \(users.map(\.deleted)), \(users.map(\.createdAtMs.db)), \(users.map(\.updatedAtMs.db)))
                AS u(id, handle, display_name, real_name, title, email, tz, status_text, status_emoji, avatar_base, is_bot,
                     deleted, created_at_ms, updated_at_ms)
            """, logger: logger)
    }

    private static func importChannels(_ channels: [Channel], workspaceID: Snowflake, _ connection: PostgresConnection,
                                       logger: Logger) async throws {
        guard !channels.isEmpty else { return }
        let dmKeys = channels.map { channel in
            channel.kind.isDirect ? (channel.memberIDs ?? []).sorted().map(\.description).joined(separator: ",") : ""
        }
        try await connection.query("""
            INSERT INTO channels (id, workspace_id, name, kind, topic, creator_id, created_at_ms, dm_key)
            SELECT id, \(workspaceID), name, kind, topic, creator_id, created_at_ms, NULLIF(dm_key, '')
            FROM unnest(\(channels.map(\.id)), \(channels.map(\.name)), \(channels.map(\.kind.rawValue)),
                        \(channels.map(\.topic)), \(channels.map(\.creatorID)), \(channels.map(\.createdAtMs.db)), \(dmKeys))
                AS c(id, name, kind, topic, creator_id, created_at_ms, dm_key)
            """, logger: logger)
    }

    private static func importMemberships(_ memberships: [ImportMembership], workspaceID: Snowflake,
                                          _ connection: PostgresConnection, logger: Logger) async throws {
        guard !memberships.isEmpty else { return }
        try await connection.query("""
            INSERT INTO memberships (channel_id, user_id, joined_at_ms, last_read_id)
            SELECT m.channel_id, u.id, u.created_at_ms, m.last_read_id
            FROM unnest(\(memberships.map(\.channelID)), \(memberships.map(\.userID)),
                        \(memberships.map { $0.lastReadID?.int64 ?? 0 })) AS m(channel_id, user_id, last_read_id)
            JOIN users u ON u.id = m.user_id AND u.workspace_id = \(workspaceID)
            ON CONFLICT DO NOTHING
            """, logger: logger)
        let touched = Array(Set(memberships.map(\.channelID)))
        try await connection.query("""
            UPDATE channels c SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.channel_id = c.id)
            WHERE c.id = ANY(\(touched))
            """, logger: logger)
    }

    private static func importMessages(_ messages: [Message], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !messages.isEmpty else { return }
        let mentions = messages.map { Mentions(parsing: $0.content) }
        try await connection.query("""
            WITH input AS (
                SELECT * FROM unnest(\(messages.map(\.channelID)), \(messages.map(\.id)), \(messages.map(\.authorID)),
                                     \(messages.map(\.content)), \(messages.map { searchable($0.content) }),
                                     \(messages.map(\.createdAtMs.db)), \(messages.map { $0.threadID?.int64 ?? 0 }),
                                     \(messages.map { $0.threadID != nil && $0.alsoToChannel }),
                                     \(mentions.map { $0.userIDs.map(\.description).joined(separator: ",") }),
                                     \(mentions.map(\.here)), \(mentions.map(\.channel)))
                    AS i(channel_id, id, author_id, content, search, created_at_ms, thread_id, also_to_channel, mention_ids,
                         mentions_here, mentions_channel)
            ), inserted AS (
                INSERT INTO messages (channel_id, id, author_id, content, search, created_at_ms, thread_id, also_to_channel,
                                      mention_ids, mentions_here, mentions_channel)
                SELECT channel_id, id, author_id, content, to_tsvector('simple', search), created_at_ms, NULLIF(thread_id, 0),
                       also_to_channel, COALESCE(string_to_array(NULLIF(mention_ids, ''), ',')::bigint[], '{}'), mentions_here, mentions_channel
                FROM input
                RETURNING channel_id, id, mention_ids
            )
            INSERT INTO mentions (user_id, message_id, channel_id)
            SELECT mb.user_id, inserted.id, inserted.channel_id
            FROM inserted JOIN memberships mb ON mb.channel_id = inserted.channel_id AND mb.user_id = ANY(inserted.mention_ids)
            ON CONFLICT DO NOTHING
            """, logger: logger)
        var reactionMessages: [Snowflake] = [], emojis: [String] = [], reactors: [Snowflake] = [], times: [Int64] = []
        for message in messages {
            for reaction in message.reactions {
                for user in reaction.userIDs ?? [] {
                    reactionMessages.append(message.id)
                    emojis.append(reaction.emoji)
                    reactors.append(user)
                    times.append(message.createdAtMs.db)
                }
            }
        }
        if !reactionMessages.isEmpty {
            try await connection.query("""
                INSERT INTO reactions (message_id, emoji, user_id, created_at_ms)
                SELECT * FROM unnest(\(reactionMessages), \(emojis), \(reactors), \(times))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        let replies = messages.filter { $0.threadID != nil }
        if !replies.isEmpty {
            try await connection.query("""
                UPDATE messages p SET reply_count = p.reply_count + r.n,
                    latest_reply_id = GREATEST(COALESCE(p.latest_reply_id, 0), r.latest)
                FROM (SELECT channel_id, thread_id, COUNT(*) AS n, MAX(id) AS latest
                      FROM unnest(\(replies.map(\.channelID)), \(replies.map { $0.threadID! }), \(replies.map(\.id)))
                          AS r(channel_id, thread_id, id)
                      GROUP BY channel_id, thread_id) r
                WHERE p.channel_id = r.channel_id AND p.id = r.thread_id
                """, logger: logger)
        }
        let timeline = messages.filter { $0.threadID == nil || $0.alsoToChannel }
        if !timeline.isEmpty {
            try await connection.query("""
                UPDATE channels c SET last_message_id = GREATEST(COALESCE(c.last_message_id, 0), r.latest)
                FROM (SELECT channel_id, MAX(id) AS latest FROM unnest(\(timeline.map(\.channelID)), \(timeline.map(\.id)))
                          AS t(channel_id, id)
                      GROUP BY channel_id) r
                WHERE c.id = r.channel_id
                """, logger: logger)
        }
    }
}
