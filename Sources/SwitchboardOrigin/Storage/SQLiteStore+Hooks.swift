import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func insertHook(_ hook: StoredHook) async throws {
        try await pool.write { db in
            try db.run("""
                INSERT INTO hooks (id, workspace_id, channel_id, bot_user_id, name, token_hash, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [hook.id, hook.workspaceID, hook.channelID, hook.botUserID, hook.name, hook.tokenHash, hook.createdAtMs.db])
        }
    }

    public func hook(tokenHash: String) async throws -> StoredHook? {
        try await pool.read { db in
            try db.fetchRow("SELECT * FROM hooks WHERE token_hash = ?", [tokenHash]).map(Self.hook(from:))
        }
    }

    static func hook(from row: Row) -> StoredHook {
        StoredHook(id: row.id("id"), workspaceID: row.id("workspace_id"), channelID: row.id("channel_id"),
                   botUserID: row.id("bot_user_id"), name: row["name"], tokenHash: row["token_hash"],
                   createdAtMs: row.ms("created_at_ms"))
    }
}
