import GRDB
import SwitchboardCore

extension SQLiteStore {
    /// Loads a batch of rows in one transaction, with the counts and indexes the normal paths
    /// keep (member counts, last message, reply counts, mentions, search). No events.
    public func importBatch(_ batch: ImportBatch, workspaceID: Snowflake) async throws -> ImportResult {
        try await pool.write { db in
            guard try db.fetchRow("SELECT 1 FROM workspaces WHERE id = ?", [workspaceID]) != nil else {
                throw SwitchboardError.notFound("workspace")
            }
            for user in batch.users {
                guard user.workspaceID == workspaceID else { throw SwitchboardError.badRequest("user \(user.id) is in another workspace") }
                try Self.insertUser(db, user)
            }
            for channel in batch.channels {
                guard channel.workspaceID == workspaceID else {
                    throw SwitchboardError.badRequest("channel \(channel.id) is in another workspace")
                }
                let dmKey = channel.kind.isDirect
                    ? (channel.memberIDs ?? []).sorted().map(\.description).joined(separator: ",") : nil
                try db.run("""
                    INSERT INTO channels (id, workspace_id, name, kind, topic, creator_id, created_at_ms, dm_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, [channel.id, workspaceID, channel.name, channel.kind.rawValue, channel.topic, channel.creatorID,
                          channel.createdAtMs.db, dmKey])
            }
            // Rows of other workspaces are refused: every channel named must be this workspace's.
            let named = Set(batch.memberships.map(\.channelID)).union(batch.messages.map(\.channelID))
            try Self.requireChannels(db, named, in: workspaceID)

            var touched: Set<Snowflake> = []
            for membership in batch.memberships {
                try db.run("""
                    INSERT OR IGNORE INTO memberships (channel_id, user_id, joined_at_ms, last_read_id)
                    SELECT ?, id, created_at_ms, ? FROM users WHERE id = ? AND workspace_id = ?
                    """, [membership.channelID, membership.lastReadID ?? Snowflake(0), membership.userID, workspaceID])
                touched.insert(membership.channelID)
            }
            for channel in touched {
                try db.run("UPDATE channels SET member_count = (SELECT COUNT(*) FROM memberships WHERE channel_id = ?) WHERE id = ?",
                           [channel, channel])
            }

            for message in batch.messages.sorted(by: { $0.id < $1.id }) {
                let mentions = Mentions(parsing: message.content)
                let alsoToChannel = message.threadID != nil && message.alsoToChannel
                try db.run("""
                    INSERT INTO messages (channel_id, id, author_id, content, created_at_ms, thread_id, also_to_channel,
                        mention_ids, mentions_here, mentions_channel)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [message.channelID, message.id, message.authorID, message.content, message.createdAtMs.db,
                          message.threadID, alsoToChannel, Self.encodeIDs(mentions.userIDs), mentions.here, mentions.channel])
                try db.run("INSERT INTO messages_fts (rowid, content, channel_id) VALUES (?, ?, ?)",
                           [message.id, message.content, message.channelID])
                try Self.insertMentions(db, messageID: message.id, channelID: message.channelID, userIDs: mentions.userIDs)
                for reaction in message.reactions {
                    for user in reaction.userIDs ?? [] {
                        try db.run("INSERT OR IGNORE INTO reactions (message_id, emoji, user_id, created_at_ms) VALUES (?, ?, ?, ?)",
                                   [message.id, reaction.emoji, user, message.createdAtMs.db])
                    }
                }
                if let thread = message.threadID {
                    try db.run("UPDATE messages SET reply_count = reply_count + 1, latest_reply_id = ? WHERE channel_id = ? AND id = ?",
                               [message.id, message.channelID, thread])
                }
                if message.threadID == nil || alsoToChannel {
                    try db.run("UPDATE channels SET last_message_id = MAX(COALESCE(last_message_id, 0), ?) WHERE id = ?",
                               [message.id, message.channelID])
                }
            }
            return ImportResult(users: batch.users.count, channels: batch.channels.count,
                                memberships: batch.memberships.count, messages: batch.messages.count)
        }
    }

    private static func requireChannels(_ db: Database, _ ids: Set<Snowflake>, in workspaceID: Snowflake) throws {
        for id in ids {
            guard try db.fetchRow("SELECT 1 FROM channels WHERE id = ? AND workspace_id = ?", [id, workspaceID]) != nil else {
                throw SwitchboardError.badRequest("channel \(id) is not in this workspace")
            }
        }
    }
}
