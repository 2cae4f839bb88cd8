import Logging
import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    public func workspaces(named name: String) async throws -> [Workspace] {
        try await rows("SELECT * FROM workspaces WHERE name = \(name) ORDER BY id").map(Self.workspace(from:))
    }

    public func user(workspaceID: Snowflake, email: String) async throws -> User? {
        guard !email.isEmpty else { return nil }
        return try await row("""
            SELECT * FROM users WHERE workspace_id = \(workspaceID) AND lower(email) = lower(\(email)) AND email <> ''
            ORDER BY id LIMIT 1
            """).map(Self.user(from:))
    }

    public func passwordHash(userID: Snowflake) async throws -> String? {
        try await row("SELECT hash FROM passwords WHERE user_id = \(userID)").map { try $0.string("hash") }
    }

    public func setPasswordHash(userID: Snowflake, _ hash: String, nowMs: UInt64) async throws {
        try await transaction { connection in
            try await Self.setPasswordHash(connection, userID: userID, hash, nowMs: nowMs, logger: logger)
        }
    }

    static func setPasswordHash(_ connection: PostgresConnection, userID: Snowflake, _ hash: String, nowMs: UInt64,
                                logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO passwords (user_id, hash, updated_at_ms) VALUES (\(userID), \(hash), \(nowMs.db))
            ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at_ms = excluded.updated_at_ms
            """, logger: logger)
    }

    public func revokeSession(_ revocation: SessionRevocation, workspaceID: Snowflake, nowMs: UInt64) async throws {
        try await transaction { connection in
            guard try await connection.row("""
                INSERT INTO revoked_sessions (session_id, workspace_id, user_id, expires_at_ms)
                VALUES (\(revocation.sessionID), \(workspaceID), \(revocation.userID), \(revocation.expiresAtMs.db))
                ON CONFLICT (session_id) DO NOTHING RETURNING session_id
                """, logger: logger) != nil else { return }
            _ = try await connection.appendEvent(workspaceID: workspaceID, type: .sessionRevoked, userID: revocation.userID,
                                                 payload: revocation, nowMs: nowMs, logger: logger)
        }
    }

    public func revokedSessions(nowMs: UInt64) async throws -> [SessionRevocation] {
        // Expired tokens are refused anyway: their sign-outs need not be kept.
        try await client.query("DELETE FROM revoked_sessions WHERE expires_at_ms <= \(nowMs.db)", logger: logger)
        return try await rows("SELECT * FROM revoked_sessions").map(Self.revocation(from:))
    }

    public func revocationsPage(workspaceID: Snowflake, after: String?, limit: Int, nowMs: UInt64) async throws -> [SessionRevocation] {
        try await rows("""
            SELECT * FROM revoked_sessions
            WHERE workspace_id = \(workspaceID) AND session_id > \(after ?? "") AND expires_at_ms > \(nowMs.db)
            ORDER BY session_id LIMIT \(limit)
            """).map(Self.revocation(from:))
    }

    static func revocation(from row: PostgresRandomAccessRow) throws -> SessionRevocation {
        SessionRevocation(userID: try row.id("user_id"), sessionID: try row.string("session_id"),
                          expiresAtMs: try row.ms("expires_at_ms"))
    }

    public func insertInvite(_ invite: StoredInvite) async throws {
        try await client.query("""
            INSERT INTO invites (code_hash, workspace_id, created_by, expires_at_ms, created_at_ms)
            VALUES (\(invite.codeHash), \(invite.workspaceID), \(invite.createdBy), \(invite.expiresAtMs.db), \(invite.createdAtMs.db))
            """, logger: logger)
    }

    public func invite(codeHash: String, nowMs: UInt64) async throws -> StoredInvite? {
        try await row("""
            SELECT * FROM invites WHERE code_hash = \(codeHash) AND used_at_ms IS NULL AND expires_at_ms > \(nowMs.db)
            """).map(Self.invite(from:))
    }

    public func claimInvite(codeHash: String, nowMs: UInt64) async throws -> StoredInvite? {
        try await row("""
            UPDATE invites SET used_at_ms = \(nowMs.db)
            WHERE code_hash = \(codeHash) AND used_at_ms IS NULL AND expires_at_ms > \(nowMs.db)
            RETURNING *
            """).map(Self.invite(from:))
    }

    public func releaseInvite(codeHash: String) async throws {
        try await client.query("UPDATE invites SET used_at_ms = NULL WHERE code_hash = \(codeHash)", logger: logger)
    }

    static func invite(from row: PostgresRandomAccessRow) throws -> StoredInvite {
        StoredInvite(codeHash: try row.string("code_hash"), workspaceID: try row.id("workspace_id"),
                     createdBy: try row.id("created_by"), expiresAtMs: try row.ms("expires_at_ms"),
                     createdAtMs: try row.ms("created_at_ms"))
    }

    public func setMembersMayInvite(workspaceID: Snowflake, _ allowed: Bool) async throws -> Workspace {
        guard let row = try await row("UPDATE workspaces SET members_may_invite = \(allowed) WHERE id = \(workspaceID) RETURNING *")
        else { throw SwitchboardError.notFound("workspace") }
        return try Self.workspace(from: row)
    }
}
