import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func administerUser(userID: Snowflake, _ change: UserAdministration, nowMs: UInt64) async throws -> User {
        try await pool.write { db in
            guard let row = try db.fetchRow("SELECT * FROM users WHERE id = ?", [userID]) else {
                throw SwitchboardError.notFound("user")
            }
            var user = Self.user(from: row)
            change.apply(to: &user, nowMs: nowMs)
            try db.run("UPDATE users SET role = ?, deleted = ?, sessions_valid_from_ms = ?, updated_at_ms = ? WHERE id = ?",
                       [user.role.rawValue, user.deleted, user.sessionsValidFromMs.db, nowMs.db, userID])
            try Self.appendEvent(db, workspaceID: user.workspaceID, type: .userUpdated, payload: user, nowMs: nowMs)
            return user
        }
    }

    public func restrictedUsers() async throws -> [User] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM users WHERE deleted = 1 OR sessions_valid_from_ms > 0").map(Self.user(from:))
        }
    }

    public func updateChannel(channelID: Snowflake, _ change: ChannelChange, nowMs: UInt64) async throws -> Channel {
        try await pool.write { db in
            guard var channel = try Self.channel(db, id: channelID, viewer: Snowflake(0))?.withoutViewerFields,
                  !channel.kind.isDirect else {
                throw SwitchboardError.notFound("channel")
            }
            if let name = change.name, name != channel.name,
               try db.fetchRow("SELECT 1 FROM channels WHERE workspace_id = ? AND name = ? AND dm_key IS NULL",
                               [channel.workspaceID, name]) != nil {
                throw SwitchboardError.conflict("a channel named '\(name)' already exists")
            }
            change.apply(to: &channel)
            try db.run("UPDATE channels SET name = ?, topic = ?, purpose = ?, archived = ? WHERE id = ?",
                       [channel.name, channel.topic, channel.purpose, channel.archived, channelID])
            try Self.appendEvent(db, workspaceID: channel.workspaceID, type: .channelUpdated,
                                 channelID: channel.kind == .public ? nil : channel.id, payload: channel, nowMs: nowMs)
            return channel
        }
    }

    public func hooks(workspaceID: Snowflake) async throws -> [StoredHook] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM hooks WHERE workspace_id = ? ORDER BY id", [workspaceID]).map(Self.hook(from:))
        }
    }

    public func deleteHook(id: Snowflake, workspaceID: Snowflake?) async throws -> Bool {
        try await pool.write { db in
            try db.run("DELETE FROM hooks WHERE id = ? AND (?2 IS NULL OR workspace_id = ?2)", [id, workspaceID])
            return db.changesCount > 0
        }
    }
}
