import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    // MARK: Workspaces

    public func createWorkspace(id: Snowflake, generalChannelID: Snowflake, name: String, nowMs: UInt64) async throws -> Workspace {
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO workspaces (id, name, general_channel_id, created_at_ms)
                VALUES (\(id), \(name), \(generalChannelID), \(nowMs.db))
                """, logger: logger)
            try await connection.query("""
                INSERT INTO channels (id, workspace_id, name, kind, topic, creator_id, created_at_ms)
                VALUES (\(generalChannelID), \(id), 'general', 'public', 'Company-wide announcements and work-based matters', 0,
                        \(nowMs.db))
                """, logger: logger)
            return Workspace(id: id, name: name, createdAtMs: nowMs, generalChannelID: generalChannelID)
        }
    }

    public func workspace(_ id: Snowflake) async throws -> Workspace? {
        try await row("SELECT * FROM workspaces WHERE id = \(id)").map(Self.workspace(from:))
    }

    public func workspaces() async throws -> [Workspace] {
        try await rows("SELECT * FROM workspaces ORDER BY id").map(Self.workspace(from:))
    }

    public func user(workspaceID: Snowflake, handle: String) async throws -> User? {
        try await row("SELECT * FROM users WHERE workspace_id = \(workspaceID) AND lower(handle) = lower(\(handle))")
            .map(Self.user(from:))
    }

    public func workspaceWithCounts(_ id: Snowflake) async throws -> Workspace? {
        guard let row = try await row("""
            SELECT w.*,
                (SELECT COUNT(*) FROM users u WHERE u.workspace_id = w.id AND NOT u.deleted) AS member_count,
                (SELECT COUNT(*) FROM channels c WHERE c.workspace_id = w.id AND c.dm_key IS NULL) AS channel_count
            FROM workspaces w WHERE w.id = \(id)
            """) else { return nil }
        var workspace = try Self.workspace(from: row)
        workspace.memberCount = try row.int("member_count")
        workspace.channelCount = try row.int("channel_count")
        return workspace
    }

    static func workspace(from row: PostgresRandomAccessRow) throws -> Workspace {
        Workspace(id: try row.id("id"), name: try row.string("name"), iconURL: try row.optionalString("icon_url"),
                  createdAtMs: try row.ms("created_at_ms"), generalChannelID: try row.optionalID("general_channel_id"),
                  membersMayInvite: try row.bool("members_may_invite"))
    }

    // MARK: Users

    public func createUser(_ user: User, passwordHash: String?) async throws -> User {
        try await transaction { connection in
            guard let workspace = try await connection.row("SELECT general_channel_id FROM workspaces WHERE id = \(user.workspaceID)",
                                                           logger: logger) else {
                throw SwitchboardError.notFound("workspace")
            }
            if try await connection.row("""
                SELECT 1 FROM users WHERE workspace_id = \(user.workspaceID) AND lower(handle) = lower(\(user.handle))
                """, logger: logger) != nil {
                throw SwitchboardError.conflict("the handle '\(user.handle)' is taken")
            }
            try await Self.insertUser(connection, user, logger: logger)
            if let passwordHash {
                try await Self.setPasswordHash(connection, userID: user.id, passwordHash, nowMs: user.createdAtMs, logger: logger)
            }
            try await connection.appendEvent(workspaceID: user.workspaceID, type: .userCreated, payload: user,
                                             nowMs: user.createdAtMs, logger: logger)
            try await Self.insertMembership(connection, workspaceID: user.workspaceID,
                                            channelID: try workspace.id("general_channel_id"), userID: user.id,
                                            nowMs: user.createdAtMs, logger: logger)
            return user
        }
    }

    public func user(_ id: Snowflake) async throws -> User? {
        try await row("SELECT * FROM users WHERE id = \(id)").map(Self.user(from:))
    }

    public func users(workspaceID: Snowflake, ids: [Snowflake]) async throws -> [User] {
        guard !ids.isEmpty else { return [] }
        let found = try await rows("SELECT * FROM users WHERE workspace_id = \(workspaceID) AND id = ANY(\(ids))")
            .map(Self.user(from:))
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<Snowflake>()
        return ids.compactMap { id in seen.insert(id).inserted ? byID[id] : nil }
    }

    public func searchUsers(workspaceID: Snowflake, prefix: String, limit: Int) async throws -> [User] {
        let escaped = prefix.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let starts = escaped + "%", laterWord = "% " + escaped + "%"
        // The first three terms use the lower(...) text_pattern_ops indexes; the last finds a
        // later word of the real name ("smi" → "Jane Smith").
        return try await rows("""
            SELECT * FROM users
            WHERE workspace_id = \(workspaceID) AND NOT deleted AND (
                lower(handle) LIKE \(starts) OR lower(display_name) LIKE \(starts)
                OR lower(real_name) LIKE \(starts) OR lower(real_name) LIKE \(laterWord))
            ORDER BY (lower(handle) LIKE \(starts)) DESC, lower(handle)
            LIMIT \(limit)
            """).map(Self.user(from:))
    }

    public func usersPage(workspaceID: Snowflake, after: Snowflake?, limit: Int) async throws -> [User] {
        try await rows("""
            SELECT * FROM users WHERE workspace_id = \(workspaceID) AND id > \(after?.int64 ?? -1) ORDER BY id LIMIT \(limit)
            """).map(Self.user(from:))
    }

    public func updateProfile(userID: Snowflake, _ update: UpdateProfileRequest, nowMs: UInt64) async throws -> User {
        try await transaction { connection in
            guard let row = try await connection.row("SELECT * FROM users WHERE id = \(userID) FOR UPDATE", logger: logger) else {
                throw SwitchboardError.notFound("user")
            }
            var user = try Self.user(from: row)
            user.apply(update, nowMs: nowMs)
            try await connection.query("""
                UPDATE users SET display_name = \(user.displayName), real_name = \(user.realName), title = \(user.title),
                    email = \(user.email), tz = \(user.tz), status_text = \(user.statusText),
                    status_emoji = \(user.statusEmoji), shares_read_receipts = \(user.sharesReadReceipts),
                    updated_at_ms = \(nowMs.db)
                WHERE id = \(userID)
                """, logger: logger)
            try await connection.appendEvent(workspaceID: user.workspaceID, type: .userUpdated, payload: user, nowMs: nowMs,
                                             logger: logger)
            return user
        }
    }

    static func user(from row: PostgresRandomAccessRow) throws -> User {
        User(id: try row.id("id"), workspaceID: try row.id("workspace_id"), handle: try row.string("handle"),
             displayName: try row.string("display_name"), realName: try row.string("real_name"), title: try row.string("title"),
             email: try row.string("email"), tz: try row.string("tz"), statusText: try row.string("status_text"),
             statusEmoji: try row.string("status_emoji"), avatar: Avatar(base: try row.string("avatar_base")),
             isBot: try row.bool("is_bot"), deleted: try row.bool("deleted"),
             role: Role(rawValue: try row.string("role")) ?? .member, sessionsValidFromMs: try row.ms("sessions_valid_from_ms"),
             sharesReadReceipts: try row.bool("shares_read_receipts"),
             createdAtMs: try row.ms("created_at_ms"), updatedAtMs: try row.ms("updated_at_ms"))
    }

    static func insertUser(_ connection: PostgresConnection, _ user: User, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO users (id, workspace_id, handle, display_name, real_name, title, email, tz,
                status_text, status_emoji, avatar_base, is_bot, deleted, role, sessions_valid_from_ms, created_at_ms, updated_at_ms)
            VALUES (\(user.id), \(user.workspaceID), \(user.handle), \(user.displayName), \(user.realName), \(user.title),
                \(user.email), \(user.tz), \(user.statusText), \(user.statusEmoji), \(SQLiteStore.avatarBase(of: user)),
                \(user.isBot), \(user.deleted), \(user.role.rawValue), \(user.sessionsValidFromMs.db), \(user.createdAtMs.db),
                \(user.updatedAtMs.db))
            """, logger: logger)
    }
}
