import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func workspaces(named name: String) async throws -> [Workspace] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM workspaces WHERE name = ? ORDER BY id", [name]).map(Self.workspace(from:))
        }
    }

    public func user(workspaceID: Snowflake, email: String) async throws -> User? {
        guard !email.isEmpty else { return nil }
        return try await pool.read { db in
            try db.fetchRow("SELECT * FROM users WHERE workspace_id = ? AND lower(email) = lower(?) AND email != '' ORDER BY id",
                            [workspaceID, email]).map(Self.user(from:))
        }
    }

    public func passwordHash(userID: Snowflake) async throws -> String? {
        try await pool.read { db in try db.fetchRow("SELECT hash FROM passwords WHERE user_id = ?", [userID])?["hash"] }
    }

    public func setPasswordHash(userID: Snowflake, _ hash: String, nowMs: UInt64) async throws {
        try await pool.write { db in try Self.setPasswordHash(db, userID: userID, hash, nowMs: nowMs) }
    }

    static func setPasswordHash(_ db: Database, userID: Snowflake, _ hash: String, nowMs: UInt64) throws {
        try db.run("""
            INSERT INTO passwords (user_id, hash, updated_at_ms) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at_ms = excluded.updated_at_ms
            """, [userID, hash, nowMs.db])
    }

    public func revokeSession(_ revocation: SessionRevocation, workspaceID: Snowflake, nowMs: UInt64) async throws {
        try await pool.write { db in
            try db.run("""
                INSERT INTO revoked_sessions (session_id, workspace_id, user_id, expires_at_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (session_id) DO NOTHING
                """, [revocation.sessionID, workspaceID, revocation.userID, revocation.expiresAtMs.db])
            guard db.changesCount > 0 else { return }
            try Self.appendEvent(db, workspaceID: workspaceID, type: .sessionRevoked, userID: revocation.userID,
                                 payload: revocation, nowMs: nowMs)
        }
    }

    public func revokedSessions(nowMs: UInt64) async throws -> [SessionRevocation] {
        try await pool.write { db in
            // Expired tokens are refused anyway: their sign-outs need not be kept.
            try db.run("DELETE FROM revoked_sessions WHERE expires_at_ms <= ?", [nowMs.db])
            return try db.fetchRows("SELECT * FROM revoked_sessions").map(Self.revocation(from:))
        }
    }

    public func revocationsPage(workspaceID: Snowflake, after: String?, limit: Int, nowMs: UInt64) async throws -> [SessionRevocation] {
        try await pool.read { db in
            try db.fetchRows("""
                SELECT * FROM revoked_sessions WHERE workspace_id = ? AND session_id > ? AND expires_at_ms > ?
                ORDER BY session_id LIMIT ?
                """, [workspaceID, after ?? "", nowMs.db, limit]).map(Self.revocation(from:))
        }
    }

    static func revocation(from row: Row) -> SessionRevocation {
        SessionRevocation(userID: row.id("user_id"), sessionID: row["session_id"], expiresAtMs: row.ms("expires_at_ms"))
    }

    public func insertInvite(_ invite: StoredInvite) async throws {
        try await pool.write { db in
            try db.run("""
                INSERT INTO invites (code_hash, workspace_id, created_by, expires_at_ms, created_at_ms) VALUES (?, ?, ?, ?, ?)
                """, [invite.codeHash, invite.workspaceID, invite.createdBy, invite.expiresAtMs.db, invite.createdAtMs.db])
        }
    }

    public func invite(codeHash: String, nowMs: UInt64) async throws -> StoredInvite? {
        try await pool.read { db in
            try db.fetchRow("SELECT * FROM invites WHERE code_hash = ? AND used_at_ms IS NULL AND expires_at_ms > ?",
                            [codeHash, nowMs.db]).map(Self.invite(from:))
        }
    }

    public func claimInvite(codeHash: String, nowMs: UInt64) async throws -> StoredInvite? {
        try await pool.write { db in
            try db.fetchRow("""
                UPDATE invites SET used_at_ms = ? WHERE code_hash = ? AND used_at_ms IS NULL AND expires_at_ms > ?
                RETURNING *
                """, [nowMs.db, codeHash, nowMs.db]).map(Self.invite(from:))
        }
    }

    public func releaseInvite(codeHash: String) async throws {
        try await pool.write { db in try db.run("UPDATE invites SET used_at_ms = NULL WHERE code_hash = ?", [codeHash]) }
    }

    static func invite(from row: Row) -> StoredInvite {
        StoredInvite(codeHash: row["code_hash"], workspaceID: row.id("workspace_id"), createdBy: row.id("created_by"),
                     expiresAtMs: row.ms("expires_at_ms"), createdAtMs: row.ms("created_at_ms"))
    }

    public func setMembersMayInvite(workspaceID: Snowflake, _ allowed: Bool) async throws -> Workspace {
        try await pool.write { db in
            guard let row = try db.fetchRow("UPDATE workspaces SET members_may_invite = ? WHERE id = ? RETURNING *",
                                            [allowed, workspaceID]) else {
                throw SwitchboardError.notFound("workspace")
            }
            return Self.workspace(from: row)
        }
    }
}
