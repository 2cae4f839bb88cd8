import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    public func insertHook(_ hook: StoredHook) async throws {
        try await client.query("""
            INSERT INTO hooks (id, workspace_id, channel_id, bot_user_id, name, token_hash, created_at_ms)
            VALUES (\(hook.id), \(hook.workspaceID), \(hook.channelID), \(hook.botUserID), \(hook.name), \(hook.tokenHash),
                    \(hook.createdAtMs.db))
            """, logger: logger)
    }

    public func hook(tokenHash: String) async throws -> StoredHook? {
        try await row("SELECT * FROM hooks WHERE token_hash = \(tokenHash)").map(Self.hook(from:))
    }

    static func hook(from row: PostgresRandomAccessRow) throws -> StoredHook {
        StoredHook(id: try row.id("id"), workspaceID: try row.id("workspace_id"), channelID: try row.id("channel_id"),
                   botUserID: try row.id("bot_user_id"), name: try row.string("name"),
                   tokenHash: try row.string("token_hash"), createdAtMs: try row.ms("created_at_ms"))
    }
}
