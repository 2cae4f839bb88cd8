import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func createChannel(_ channel: Channel) async throws -> Channel {
        try await pool.write { db in
            if try db.fetchRow("SELECT 1 FROM channels WHERE workspace_id = ? AND name = ? AND dm_key IS NULL",
                               [channel.workspaceID, channel.name]) != nil {
                throw SwitchboardError.conflict("a channel named '\(channel.name)' already exists")
            }
            try db.run("""
                INSERT INTO channels (id, workspace_id, name, kind, topic, purpose, creator_id, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [channel.id, channel.workspaceID, channel.name, channel.kind.rawValue, channel.topic, channel.purpose,
                      channel.creatorID, channel.createdAtMs.db])
            let created = try Self.channel(db, id: channel.id, viewer: channel.creatorID)!
            try Self.appendEvent(db, workspaceID: channel.workspaceID, type: .channelCreated,
                                 channelID: channel.kind == .public ? nil : channel.id,
                                 payload: created.withoutViewerFields, nowMs: channel.createdAtMs)
            try Self.insertMembership(db, workspaceID: channel.workspaceID, channelID: channel.id, userID: channel.creatorID,
                                      nowMs: channel.createdAtMs)
            return try Self.channel(db, id: channel.id, viewer: channel.creatorID)!
        }
    }

    public func openDirect(workspaceID: Snowflake, newID: Snowflake, creatorID: Snowflake, memberIDs: [Snowflake],
                           nowMs: UInt64) async throws -> Channel {
        let members = Array(Set(memberIDs)).sorted()
        let key = members.map(\.description).joined(separator: ",")
        return try await pool.write { db in
            if let existing = try db.fetchRow("SELECT id FROM channels WHERE workspace_id = ? AND dm_key = ?", [workspaceID, key]) {
                return try Self.channel(db, id: existing.id("id"), viewer: creatorID)!
            }
            let placeholders = databaseQuestionMarks(count: members.count)
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, handle FROM users WHERE workspace_id = ? AND deleted = 0 AND id IN (\(placeholders)) ORDER BY id
                """, arguments: StatementArguments([workspaceID] + members))
            guard rows.count == members.count else { throw SwitchboardError.notFound("user") }
            let name = rows.map { $0["handle"] as String }.sorted().joined(separator: ", ")
            let kind: ChannelKind = members.count == 2 ? .dm : .groupDM
            try db.run("""
                INSERT INTO channels (id, workspace_id, name, kind, topic, creator_id, created_at_ms, dm_key)
                VALUES (?, ?, ?, ?, '', ?, ?, ?)
                """, [newID, workspaceID, name, kind.rawValue, creatorID, nowMs.db, key])
            for member in members {
                try Self.insertMembership(db, workspaceID: workspaceID, channelID: newID, userID: member, nowMs: nowMs,
                                          announce: false)
            }
            let created = try Self.channel(db, id: newID, viewer: creatorID)!
            // Its members learn of a DM from channel.created (which lists them), not member by member.
            try Self.appendEvent(db, workspaceID: workspaceID, type: .channelCreated, channelID: newID,
                                 payload: created.withoutViewerFields, nowMs: nowMs)
            return created
        }
    }

    public func channel(_ id: Snowflake, viewer: Snowflake) async throws -> Channel? {
        try await pool.read { db in try Self.channel(db, id: id, viewer: viewer) }
    }

    public func channels(ofUser userID: Snowflake) async throws -> [Channel] {
        try await pool.read { db in
            try Self.channels(db, viewer: userID,
                              where: "c.id IN (SELECT channel_id FROM memberships WHERE user_id = :viewer)", [:])
        }
    }

    public func visibleChannels(workspaceID: Snowflake, viewer: Snowflake) async throws -> [Channel] {
        try await pool.read { db in
            try Self.channels(db, viewer: viewer, where: """
                c.workspace_id = :workspace AND c.dm_key IS NULL
                AND (c.kind = 'public' OR c.id IN (SELECT channel_id FROM memberships WHERE user_id = :viewer))
                """, ["workspace": workspaceID])
        }
    }

    public func isMember(channelID: Snowflake, userID: Snowflake) async throws -> Bool {
        try await pool.read { db in
            try db.fetchRow("SELECT 1 FROM memberships WHERE channel_id = ? AND user_id = ?", [channelID, userID]) != nil
        }
    }

    public func addMember(channelID: Snowflake, userID: Snowflake, nowMs: UInt64) async throws -> Channel {
        try await pool.write { db in
            guard let channel = try db.fetchRow("SELECT workspace_id FROM channels WHERE id = ?", [channelID]) else {
                throw SwitchboardError.notFound("channel")
            }
            guard try db.fetchRow("SELECT 1 FROM users WHERE id = ? AND workspace_id = ? AND deleted = 0",
                                  [userID, channel.id("workspace_id")]) != nil else {
                throw SwitchboardError.notFound("user")
            }
            try Self.insertMembership(db, workspaceID: channel.id("workspace_id"), channelID: channelID, userID: userID, nowMs: nowMs)
            return try Self.channel(db, id: channelID, viewer: userID)!
        }
    }

    public func removeMember(channelID: Snowflake, userID: Snowflake) async throws {
        try await pool.write { db in
            let workspaceID = try Self.workspaceOf(db, channelID: channelID)
            try db.run("DELETE FROM memberships WHERE channel_id = ? AND user_id = ?", [channelID, userID])
            if db.changesCount > 0 {
                try db.run("UPDATE channels SET member_count = member_count - 1 WHERE id = ?", [channelID])
                // Scoped to the channel and to the leaver, who is no longer a member.
                try Self.appendEvent(db, workspaceID: workspaceID, type: .memberLeft, channelID: channelID, userID: userID,
                                     payload: MembershipChange(channelID: channelID, userID: userID,
                                                               memberCount: try Self.memberCount(db, channelID: channelID)),
                                     nowMs: WallClock.nowMs())
            }
        }
    }

    public func members(channelID: Snowflake, after: Snowflake?, limit: Int) async throws -> [Snowflake] {
        try await pool.read { db in
            try db.fetchRows("SELECT user_id FROM memberships WHERE channel_id = ? AND user_id > ? ORDER BY user_id LIMIT ?",
                             [channelID, after?.int64 ?? -1, limit]).map { $0.id("user_id") }
        }
    }

    public func membershipsPage(channelIDs: [Snowflake], after: (channel: Snowflake, user: Snowflake)?,
                                limit: Int) async throws -> [(channel: Snowflake, user: Snowflake)] {
        guard !channelIDs.isEmpty else { return [] }
        return try await pool.read { db in
            // A temporary table would be faster for very many channels; IN (...) keeps one statement.
            let placeholders = databaseQuestionMarks(count: channelIDs.count)
            var arguments = StatementArguments(channelIDs)
            arguments += [after?.channel.int64 ?? -1, after?.user.int64 ?? -1, limit]
            return try Row.fetchAll(db, sql: """
                SELECT channel_id, user_id FROM memberships
                WHERE channel_id IN (\(placeholders)) AND (channel_id, user_id) > (?, ?)
                ORDER BY channel_id, user_id LIMIT ?
                """, arguments: arguments).map { (channel: $0.id("channel_id"), user: $0.id("user_id")) }
        }
    }

    // MARK: Helpers shared by the write paths

    /// Adds a membership (idempotent) and, unless told not to, logs `member.joined`.
    static func insertMembership(_ db: Database, workspaceID: Snowflake, channelID: Snowflake, userID: Snowflake,
                                 nowMs: UInt64, announce: Bool = true) throws {
        // A new member starts with everything before now read, like Slack and Discord.
        try db.run("""
            INSERT OR IGNORE INTO memberships (channel_id, user_id, joined_at_ms, last_read_id)
            VALUES (?, ?, ?, COALESCE((SELECT last_message_id FROM channels WHERE id = ?), 0))
            """, [channelID, userID, nowMs.db, channelID])
        guard db.changesCount > 0 else { return }
        try db.run("UPDATE channels SET member_count = member_count + 1 WHERE id = ?", [channelID])
        if announce {
            try appendEvent(db, workspaceID: workspaceID, type: .memberJoined, channelID: channelID,
                            payload: MembershipChange(channelID: channelID, userID: userID,
                                                      memberCount: try memberCount(db, channelID: channelID)),
                            nowMs: nowMs)
        }
    }

    static func channel(_ db: Database, id: Snowflake, viewer: Snowflake) throws -> Channel? {
        try channels(db, viewer: viewer, where: "c.id = :id", ["id": id]).first
    }

    /// Channels matching `condition`, with the viewer's fields (membership, read position,
    /// unread and mention counts) computed in the same statement, and DM member lists.
    static func channels(_ db: Database, viewer: Snowflake, where condition: String,
                         _ arguments: [String: (any DatabaseValueConvertible)?], limit: Int = -1) throws -> [Channel] {
        var named = arguments
        named["viewer"] = viewer
        named["limit"] = limit
        let visible = CountingRules.unread(.sqlite, m: "m", channel: "c.id", reader: ":viewer", lastRead: "mb.last_read_id")
        let rows = try db.fetchRows("""
            SELECT c.*, mb.user_id IS NOT NULL AS is_member, mb.last_read_id, mb.notify_level, mb.muted,
                CASE WHEN mb.user_id IS NULL THEN NULL ELSE
                    (SELECT COUNT(*) FROM messages m WHERE \(visible)) END AS unread_count,
                CASE WHEN mb.user_id IS NULL THEN NULL ELSE
                    (SELECT COUNT(*) FROM messages m WHERE \(visible)
                        AND \(CountingRules.mentions(.sqlite, m: "m", reader: ":viewer"))) END AS mention_count
            FROM channels c LEFT JOIN memberships mb ON mb.channel_id = c.id AND mb.user_id = :viewer
            WHERE \(condition)
            ORDER BY c.id LIMIT :limit
            """, StatementArguments(named))
        var channels = rows.map(channel(from:))
        let directIndexes = channels.indices.filter { channels[$0].kind.isDirect }
        if !directIndexes.isEmpty {
            let ids = directIndexes.map { channels[$0].id }
            let memberRows = try Row.fetchAll(db, sql: """
                SELECT channel_id, user_id FROM memberships WHERE channel_id IN (\(databaseQuestionMarks(count: ids.count)))
                ORDER BY channel_id, user_id
                """, arguments: StatementArguments(ids))
            var byChannel: [Snowflake: [Snowflake]] = [:]
            for row in memberRows { byChannel[row.id("channel_id"), default: []].append(row.id("user_id")) }
            for index in directIndexes { channels[index].memberIDs = byChannel[channels[index].id] ?? [] }
        }
        return channels
    }

    static func channel(from row: Row) -> Channel {
        let isMember: Bool = row["is_member"]
        return Channel(
            id: row.id("id"), workspaceID: row.id("workspace_id"), name: row["name"],
            kind: ChannelKind(rawValue: row["kind"]) ?? .public, topic: row["topic"], purpose: row["purpose"],
            archived: row["archived"], creatorID: row.id("creator_id"),
            createdAtMs: row.ms("created_at_ms"), memberCount: row["member_count"],
            lastMessageID: row.optionalID("last_message_id"), isMember: isMember,
            unreadCount: isMember ? row["unread_count"] : nil, mentionCount: isMember ? row["mention_count"] : nil,
            lastReadID: isMember ? row.optionalID("last_read_id") : nil,
            preferences: isMember ? Self.preferences(row, kind: ChannelKind(rawValue: row["kind"]) ?? .public) : nil)
    }
}
