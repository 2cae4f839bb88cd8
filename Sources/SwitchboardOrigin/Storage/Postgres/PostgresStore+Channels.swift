import PostgresNIO
import SwitchboardCore
// PostgresNIO also exports NIO's `Channel`; here a channel is a chat channel.
import struct SwitchboardCore.Channel

extension PostgresStore {
    public func createChannel(_ channel: Channel) async throws -> Channel {
        try await transaction { connection in
            if try await connection.row("""
                SELECT 1 FROM channels WHERE workspace_id = \(channel.workspaceID) AND name = \(channel.name) AND dm_key IS NULL
                """, logger: logger) != nil {
                throw SwitchboardError.conflict("a channel named '\(channel.name)' already exists")
            }
            try await connection.query("""
                INSERT INTO channels (id, workspace_id, name, kind, topic, purpose, creator_id, created_at_ms)
                VALUES (\(channel.id), \(channel.workspaceID), \(channel.name), \(channel.kind.rawValue), \(channel.topic),
                        \(channel.purpose), \(channel.creatorID), \(channel.createdAtMs.db))
                """, logger: logger)
            let created = try await Self.channel(connection, id: channel.id, viewer: channel.creatorID, logger: logger)!
            try await connection.appendEvent(workspaceID: channel.workspaceID, type: .channelCreated,
                                             channelID: channel.kind == .public ? nil : channel.id,
                                             payload: created.withoutViewerFields, nowMs: channel.createdAtMs, logger: logger)
            try await Self.insertMembership(connection, workspaceID: channel.workspaceID, channelID: channel.id,
                                            userID: channel.creatorID, nowMs: channel.createdAtMs, logger: logger)
            return try await Self.channel(connection, id: channel.id, viewer: channel.creatorID, logger: logger)!
        }
    }

    public func openDirect(workspaceID: Snowflake, newID: Snowflake, creatorID: Snowflake, memberIDs: [Snowflake],
                           nowMs: UInt64) async throws -> Channel {
        let members = Array(Set(memberIDs)).sorted()
        let key = members.map(\.description).joined(separator: ",")
        do {
            return try await openDirect(workspaceID: workspaceID, newID: newID, creatorID: creatorID, members: members,
                                        key: key, nowMs: nowMs)
        } catch let error as SwitchboardError where error.code == .conflict {
            // Opened by someone else at the same moment: theirs is the one.
            return try await openDirect(workspaceID: workspaceID, newID: newID, creatorID: creatorID, members: members,
                                        key: key, nowMs: nowMs)
        }
    }

    private func openDirect(workspaceID: Snowflake, newID: Snowflake, creatorID: Snowflake, members: [Snowflake],
                            key: String, nowMs: UInt64) async throws -> Channel {
        try await transaction { connection in
            if let existing = try await connection.row("""
                SELECT id FROM channels WHERE workspace_id = \(workspaceID) AND dm_key = \(key)
                """, logger: logger) {
                return try await Self.channel(connection, id: try existing.id("id"), viewer: creatorID, logger: logger)!
            }
            let handles = try await connection.rows("""
                SELECT handle FROM users WHERE workspace_id = \(workspaceID) AND NOT deleted AND id = ANY(\(members))
                """, logger: logger).map { try $0.string("handle") }
            guard handles.count == members.count else { throw SwitchboardError.notFound("user") }
            let name = handles.sorted().joined(separator: ", ")
            let kind: ChannelKind = members.count == 2 ? .dm : .groupDM
            try await connection.query("""
                INSERT INTO channels (id, workspace_id, name, kind, topic, creator_id, created_at_ms, dm_key)
                VALUES (\(newID), \(workspaceID), \(name), \(kind.rawValue), '', \(creatorID), \(nowMs.db), \(key))
                """, logger: logger)
            for member in members {
                try await Self.insertMembership(connection, workspaceID: workspaceID, channelID: newID, userID: member,
                                                nowMs: nowMs, announce: false, logger: logger)
            }
            let created = try await Self.channel(connection, id: newID, viewer: creatorID, logger: logger)!
            // Its members learn of a DM from channel.created (which lists them), not member by member.
            try await connection.appendEvent(workspaceID: workspaceID, type: .channelCreated, channelID: newID,
                                             payload: created.withoutViewerFields, nowMs: nowMs, logger: logger)
            return created
        }
    }

    public func channel(_ id: Snowflake, viewer: Snowflake) async throws -> Channel? {
        try await client.withConnection { connection in
            try await Self.channel(connection, id: id, viewer: viewer, logger: logger)
        }
    }

    public func channels(ofUser userID: Snowflake) async throws -> [Channel] {
        try await client.withConnection { connection in
            try await Self.channels(connection, viewer: userID,
                                    where: "c.id IN (SELECT channel_id FROM memberships WHERE user_id = $1)",
                                    logger: logger)
        }
    }

    public func visibleChannels(workspaceID: Snowflake, viewer: Snowflake) async throws -> [Channel] {
        try await client.withConnection { connection in
            try await Self.channels(connection, viewer: viewer, where: """
                c.workspace_id = $2 AND c.dm_key IS NULL
                AND (c.kind = 'public' OR c.id IN (SELECT channel_id FROM memberships WHERE user_id = $1))
                """, binds: [workspaceID.int64], logger: logger)
        }
    }

    public func isMember(channelID: Snowflake, userID: Snowflake) async throws -> Bool {
        // Asked before every post and read: a prepared statement.
        for try await _ in try await client.execute(IsMemberStatement(channelID: channelID, userID: userID), logger: logger) {
            return true
        }
        return false
    }

    public func addMember(channelID: Snowflake, userID: Snowflake, nowMs: UInt64) async throws -> Channel {
        try await transaction { connection in
            guard let channel = try await connection.row("SELECT workspace_id FROM channels WHERE id = \(channelID)",
                                                         logger: logger) else {
                throw SwitchboardError.notFound("channel")
            }
            let workspaceID = try channel.id("workspace_id")
            guard try await connection.row("""
                SELECT 1 FROM users WHERE id = \(userID) AND workspace_id = \(workspaceID) AND NOT deleted
                """, logger: logger) != nil else {
                throw SwitchboardError.notFound("user")
            }
            try await Self.insertMembership(connection, workspaceID: workspaceID, channelID: channelID, userID: userID,
                                            nowMs: nowMs, logger: logger)
            return try await Self.channel(connection, id: channelID, viewer: userID, logger: logger)!
        }
    }

    public func removeMember(channelID: Snowflake, userID: Snowflake) async throws {
        try await transaction { connection in
            let workspaceID = try await Self.workspaceOf(connection, channelID: channelID, logger: logger)
            let removed = try await connection.rows("""
                DELETE FROM memberships WHERE channel_id = \(channelID) AND user_id = \(userID) RETURNING user_id
                """, logger: logger)
            guard !removed.isEmpty else { return }
            let count = try await connection.row("""
                UPDATE channels SET member_count = member_count - 1 WHERE id = \(channelID) RETURNING member_count
                """, logger: logger)?.int("member_count") ?? 0
            // Scoped to the channel and to the leaver, who is no longer a member.
            try await connection.appendEvent(workspaceID: workspaceID, type: .memberLeft, channelID: channelID, userID: userID,
                                             payload: MembershipChange(channelID: channelID, userID: userID, memberCount: count),
                                             nowMs: WallClock.nowMs(), logger: logger)
        }
    }

    public func members(channelID: Snowflake, after: Snowflake?, limit: Int) async throws -> [Snowflake] {
        try await rows("""
            SELECT user_id FROM memberships WHERE channel_id = \(channelID) AND user_id > \(after?.int64 ?? -1)
            ORDER BY user_id LIMIT \(limit)
            """).map { try $0.id("user_id") }
    }

    public func membershipsPage(channelIDs: [Snowflake], after: (channel: Snowflake, user: Snowflake)?,
                                limit: Int) async throws -> [(channel: Snowflake, user: Snowflake)] {
        guard !channelIDs.isEmpty else { return [] }
        return try await rows("""
            SELECT channel_id, user_id FROM memberships
            WHERE channel_id = ANY(\(channelIDs))
                AND (channel_id, user_id) > (\(after?.channel.int64 ?? -1), \(after?.user.int64 ?? -1))
            ORDER BY channel_id, user_id LIMIT \(limit)
            """).map { (channel: try $0.id("channel_id"), user: try $0.id("user_id")) }
    }

    // MARK: Helpers shared by the write paths

    /// Adds a membership (idempotent) and, unless told not to, logs `member.joined`.
    static func insertMembership(_ connection: PostgresConnection, workspaceID: Snowflake, channelID: Snowflake,
                                 userID: Snowflake, nowMs: UInt64, announce: Bool = true, logger: Logger) async throws {
        // A new member starts with everything before now read, like Slack and Discord.
        let inserted = try await connection.rows("""
            INSERT INTO memberships (channel_id, user_id, joined_at_ms, last_read_id)
            VALUES (\(channelID), \(userID), \(nowMs.db),
                    COALESCE((SELECT last_message_id FROM channels WHERE id = \(channelID)), 0))
            ON CONFLICT DO NOTHING RETURNING user_id
            """, logger: logger)
        guard !inserted.isEmpty else { return }
        let count = try await connection.row("""
            UPDATE channels SET member_count = member_count + 1 WHERE id = \(channelID) RETURNING member_count
            """, logger: logger)?.int("member_count") ?? 0
        if announce {
            try await connection.appendEvent(workspaceID: workspaceID, type: .memberJoined, channelID: channelID,
                                             payload: MembershipChange(channelID: channelID, userID: userID, memberCount: count),
                                             nowMs: nowMs, logger: logger)
        }
    }

    static func workspaceOf(_ connection: PostgresConnection, channelID: Snowflake, logger: Logger) async throws -> Snowflake {
        guard let row = try await connection.row("SELECT workspace_id FROM channels WHERE id = \(channelID)", logger: logger) else {
            throw SwitchboardError.notFound("channel")
        }
        return try row.id("workspace_id")
    }

    static func channel(_ connection: PostgresConnection, id: Snowflake, viewer: Snowflake, logger: Logger) async throws -> Channel? {
        try await channels(connection, viewer: viewer, where: "c.id = $2", binds: [id.int64], logger: logger).first
    }

    /// Channels matching `condition` (which may use `$1` for the viewer and `$2`... for
    /// `binds`), with the viewer's fields (membership, read position, unread and mention
    /// counts) computed in the same statement, and DM member lists.
    static func channels(_ connection: PostgresConnection, viewer: Snowflake, where condition: String,
                         binds: [Int64] = [], limit: Int? = nil, logger: Logger) async throws -> [Channel] {
        var all = PostgresBindings()
        all.append(viewer)
        for value in binds { all.append(value) }
        let visible = CountingRules.unread(.postgres, m: "m", channel: "c.id", reader: "$1", lastRead: "mb.last_read_id")
        let sql = """
            SELECT c.*, mb.user_id IS NOT NULL AS is_member, mb.last_read_id, mb.notify_level, mb.muted,
                CASE WHEN mb.user_id IS NULL THEN NULL ELSE
                    (SELECT COUNT(*) FROM messages m WHERE \(visible)) END AS unread_count,
                CASE WHEN mb.user_id IS NULL THEN NULL ELSE
                    (SELECT COUNT(*) FROM messages m WHERE \(visible)
                        AND \(CountingRules.mentions(.postgres, m: "m", reader: "$1"))) END AS mention_count
            FROM channels c LEFT JOIN memberships mb ON mb.channel_id = c.id AND mb.user_id = $1
            WHERE \(condition)
            ORDER BY c.id \(limit.map { "LIMIT \($0)" } ?? "")
            """
        var channels = try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: all), logger: logger)
            .map(channel(from:))
        let direct = channels.indices.filter { channels[$0].kind.isDirect }
        if !direct.isEmpty {
            let ids = direct.map { channels[$0].id }
            var byChannel: [Snowflake: [Snowflake]] = [:]
            for row in try await connection.rows("""
                SELECT channel_id, user_id FROM memberships WHERE channel_id = ANY(\(ids)) ORDER BY channel_id, user_id
                """, logger: logger) {
                byChannel[try row.id("channel_id"), default: []].append(try row.id("user_id"))
            }
            for index in direct { channels[index].memberIDs = byChannel[channels[index].id] ?? [] }
        }
        return channels
    }

    static func channel(from row: PostgresRandomAccessRow) throws -> Channel {
        let isMember = try row.bool("is_member")
        return Channel(
            id: try row.id("id"), workspaceID: try row.id("workspace_id"), name: try row.string("name"),
            kind: ChannelKind(rawValue: try row.string("kind")) ?? .public, topic: try row.string("topic"),
            purpose: try row.string("purpose"), archived: try row.bool("archived"),
            creatorID: try row.id("creator_id"), createdAtMs: try row.ms("created_at_ms"),
            memberCount: try row.int("member_count"), lastMessageID: try row.optionalID("last_message_id"), isMember: isMember,
            unreadCount: isMember ? try row.int("unread_count") : nil,
            mentionCount: isMember ? try row.int("mention_count") : nil,
            lastReadID: isMember ? try row.optionalID("last_read_id") : nil,
            preferences: isMember ? try Self.preferences(row, kind: ChannelKind(rawValue: try row.string("kind")) ?? .public) : nil)
    }
}

struct IsMemberStatement: PostgresPreparedStatement {
    static let sql = "SELECT 1 FROM memberships WHERE channel_id = $1 AND user_id = $2"
    let channelID: Snowflake
    let userID: Snowflake

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 2)
        binds.append(channelID)
        binds.append(userID)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
