import PostgresNIO
import SwitchboardCore
import SwitchboardLocking

extension PostgresStore {
    public func administerUser(userID: Snowflake, _ change: UserAdministration, nowMs: UInt64) async throws -> User {
        try await transaction { connection in
            guard let row = try await connection.row("SELECT * FROM users WHERE id = \(userID) FOR UPDATE", logger: logger) else {
                throw SwitchboardError.notFound("user")
            }
            var user = try Self.user(from: row)
            change.apply(to: &user, nowMs: nowMs)
            try await connection.query("""
                UPDATE users SET role = \(user.role.rawValue), deleted = \(user.deleted),
                    sessions_valid_from_ms = \(user.sessionsValidFromMs.db), updated_at_ms = \(nowMs.db)
                WHERE id = \(userID)
                """, logger: logger)
            try await connection.appendEvent(workspaceID: user.workspaceID, type: .userUpdated, payload: user, nowMs: nowMs,
                                             logger: logger)
            return user
        }
    }

    public func restrictedUsers() async throws -> [User] {
        try await rows("SELECT * FROM users WHERE deleted OR sessions_valid_from_ms > 0").map(Self.user(from:))
    }

    public func updateChannel(channelID: Snowflake, _ change: ChannelChange, nowMs: UInt64) async throws -> SwitchboardCore.Channel {
        try await transaction { connection in
            // Locked first: two renames of one channel apply one after the other.
            guard try await connection.row("SELECT 1 FROM channels WHERE id = \(channelID) FOR UPDATE", logger: logger) != nil,
                  var channel = try await Self.channel(connection, id: channelID, viewer: Snowflake(0), logger: logger)?
                      .withoutViewerFields,
                  !channel.kind.isDirect else {
                throw SwitchboardError.notFound("channel")
            }
            if let name = change.name, name != channel.name, try await connection.row("""
                SELECT 1 FROM channels WHERE workspace_id = \(channel.workspaceID) AND name = \(name) AND dm_key IS NULL
                """, logger: logger) != nil {
                throw SwitchboardError.conflict("a channel named '\(name)' already exists")
            }
            change.apply(to: &channel)
            try await connection.query("""
                UPDATE channels SET name = \(channel.name), topic = \(channel.topic), purpose = \(channel.purpose),
                    archived = \(channel.archived)
                WHERE id = \(channelID)
                """, logger: logger)
            try await connection.appendEvent(workspaceID: channel.workspaceID, type: .channelUpdated,
                                             channelID: channel.kind == .public ? nil : channel.id, payload: channel,
                                             nowMs: nowMs, logger: logger)
            return channel
        }
    }

    public func hooks(workspaceID: Snowflake) async throws -> [StoredHook] {
        try await rows("SELECT * FROM hooks WHERE workspace_id = \(workspaceID) ORDER BY id").map(Self.hook(from:))
    }

    public func deleteHook(id: Snowflake, workspaceID: Snowflake?) async throws -> Bool {
        try await !rows("""
            DELETE FROM hooks WHERE id = \(id) AND (\(workspaceID)::bigint IS NULL OR workspace_id = \(workspaceID)) RETURNING id
            """).isEmpty
    }
}
