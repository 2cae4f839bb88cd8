import GRDB
import SwitchboardCore

extension SQLiteStore {
    // MARK: Workspaces

    public func createWorkspace(id: Snowflake, generalChannelID: Snowflake, name: String, nowMs: UInt64) async throws -> Workspace {
        try await pool.write { db in
            try db.run("INSERT INTO workspaces (id, name, general_channel_id, created_at_ms) VALUES (?, ?, ?, ?)",
                       [id, name, generalChannelID, nowMs.db])
            try db.run("""
                INSERT INTO channels (id, workspace_id, name, kind, topic, creator_id, created_at_ms)
                VALUES (?, ?, 'general', 'public', 'Company-wide announcements and work-based matters', 0, ?)
                """, [generalChannelID, id, nowMs.db])
            return Workspace(id: id, name: name, createdAtMs: nowMs, generalChannelID: generalChannelID)
        }
    }

    public func workspace(_ id: Snowflake) async throws -> Workspace? {
        try await pool.read { db in
            try db.fetchRow("SELECT * FROM workspaces WHERE id = ?", [id]).map(Self.workspace(from:))
        }
    }

    public func workspaces() async throws -> [Workspace] {
        try await pool.read { db in try db.fetchRows("SELECT * FROM workspaces ORDER BY id").map(Self.workspace(from:)) }
    }

    public func user(workspaceID: Snowflake, handle: String) async throws -> User? {
        try await pool.read { db in
            try db.fetchRow("SELECT * FROM users WHERE workspace_id = ? AND handle = ?", [workspaceID, handle]).map(Self.user(from:))
        }
    }

    public func workspaceWithCounts(_ id: Snowflake) async throws -> Workspace? {
        try await pool.read { db in
            guard let row = try db.fetchRow("""
                SELECT w.*,
                    (SELECT COUNT(*) FROM users u WHERE u.workspace_id = w.id AND u.deleted = 0) AS member_count,
                    (SELECT COUNT(*) FROM channels c WHERE c.workspace_id = w.id AND c.dm_key IS NULL) AS channel_count
                FROM workspaces w WHERE w.id = ?
                """, [id]) else { return nil }
            var workspace = Self.workspace(from: row)
            workspace.memberCount = row["member_count"]
            workspace.channelCount = row["channel_count"]
            return workspace
        }
    }

    static func workspace(from row: Row) -> Workspace {
        Workspace(id: row.id("id"), name: row["name"], iconURL: row["icon_url"], createdAtMs: row.ms("created_at_ms"),
                  generalChannelID: row.optionalID("general_channel_id"), membersMayInvite: row["members_may_invite"])
    }

    // MARK: Users

    public func createUser(_ user: User, passwordHash: String?) async throws -> User {
        try await pool.write { db in
            guard let general = try db.fetchRow("SELECT general_channel_id FROM workspaces WHERE id = ?", [user.workspaceID]) else {
                throw SwitchboardError.notFound("workspace")
            }
            if try db.fetchRow("SELECT 1 FROM users WHERE workspace_id = ? AND handle = ?", [user.workspaceID, user.handle]) != nil {
                throw SwitchboardError.conflict("the handle '\(user.handle)' is taken")
            }
            try Self.insertUser(db, user)
            if let passwordHash { try Self.setPasswordHash(db, userID: user.id, passwordHash, nowMs: user.createdAtMs) }
            try Self.appendEvent(db, workspaceID: user.workspaceID, type: .userCreated, payload: user, nowMs: user.createdAtMs)
            try Self.insertMembership(db, workspaceID: user.workspaceID, channelID: Snowflake(int64: general["general_channel_id"]),
                                      userID: user.id, nowMs: user.createdAtMs)
            return user
        }
    }

    public func user(_ id: Snowflake) async throws -> User? {
        try await pool.read { db in
            try db.fetchRow("SELECT * FROM users WHERE id = ?", [id]).map(Self.user(from:))
        }
    }

    public func users(workspaceID: Snowflake, ids: [Snowflake]) async throws -> [User] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            let placeholders = databaseQuestionMarks(count: ids.count)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM users WHERE workspace_id = ? AND id IN (\(placeholders))",
                                        arguments: StatementArguments([workspaceID] + ids))
            let byID = Dictionary(rows.map { (Snowflake(int64: $0["id"]), Self.user(from: $0)) }, uniquingKeysWith: { a, _ in a })
            var seen = Set<Snowflake>()
            return ids.compactMap { id in seen.insert(id).inserted ? byID[id] : nil }
        }
    }

    public func searchUsers(workspaceID: Snowflake, prefix: String, limit: Int) async throws -> [User] {
        let escaped = prefix.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return try await pool.read { db in
            // The first three terms use the NOCASE indexes; the last finds a later word of the
            // real name ("smi" → "Jane Smith").
            try db.fetchRows("""
                SELECT * FROM users
                WHERE workspace_id = ?1 AND deleted = 0 AND (
                    handle LIKE ?2 ESCAPE '\\' OR display_name LIKE ?2 ESCAPE '\\'
                    OR real_name LIKE ?2 ESCAPE '\\' OR real_name LIKE ?3 ESCAPE '\\')
                ORDER BY (handle LIKE ?2 ESCAPE '\\') DESC, handle
                LIMIT ?4
                """, [workspaceID, escaped + "%", "% " + escaped + "%", limit]).map(Self.user(from:))
        }
    }

    public func usersPage(workspaceID: Snowflake, after: Snowflake?, limit: Int) async throws -> [User] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM users WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
                             [workspaceID, after?.int64 ?? -1, limit]).map(Self.user(from:))
        }
    }

    public func updateProfile(userID: Snowflake, _ update: UpdateProfileRequest, nowMs: UInt64) async throws -> User {
        try await pool.write { db in
            guard let row = try db.fetchRow("SELECT * FROM users WHERE id = ?", [userID]) else {
                throw SwitchboardError.notFound("user")
            }
            var user = Self.user(from: row)
            user.apply(update, nowMs: nowMs)
            try db.run("""
                UPDATE users SET display_name = ?, real_name = ?, title = ?, email = ?, tz = ?, status_text = ?,
                    status_emoji = ?, shares_read_receipts = ?, updated_at_ms = ? WHERE id = ?
                """, [user.displayName, user.realName, user.title, user.email, user.tz, user.statusText,
                      user.statusEmoji, user.sharesReadReceipts, nowMs.db, userID])
            try Self.appendEvent(db, workspaceID: user.workspaceID, type: .userUpdated, payload: user, nowMs: nowMs)
            return user
        }
    }

    static func user(from row: Row) -> User {
        User(id: row.id("id"), workspaceID: row.id("workspace_id"), handle: row["handle"],
             displayName: row["display_name"], realName: row["real_name"], title: row["title"],
             email: row["email"], tz: row["tz"], statusText: row["status_text"], statusEmoji: row["status_emoji"],
             avatar: Avatar(base: row["avatar_base"]), isBot: row["is_bot"], deleted: row["deleted"],
             role: Role(rawValue: row["role"]) ?? .member, sessionsValidFromMs: row.ms("sessions_valid_from_ms"),
             sharesReadReceipts: row["shares_read_receipts"],
             createdAtMs: row.ms("created_at_ms"), updatedAtMs: row.ms("updated_at_ms"))
    }

    /// The avatar base URL is stored; the five sizes derive from it.
    static func insertUser(_ db: Database, _ user: User) throws {
        try db.run("""
            INSERT INTO users (id, workspace_id, handle, display_name, real_name, title, email, tz,
                status_text, status_emoji, avatar_base, is_bot, deleted, role, sessions_valid_from_ms, created_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [user.id, user.workspaceID, user.handle, user.displayName, user.realName, user.title, user.email,
                  user.tz, user.statusText, user.statusEmoji, avatarBase(of: user), user.isBot, user.deleted,
                  user.role.rawValue, user.sessionsValidFromMs.db, user.createdAtMs.db, user.updatedAtMs.db])
    }

    static func avatarBase(of user: User) -> String {
        String(user.avatar.image24.dropLast("/24.png".count))
    }
}
