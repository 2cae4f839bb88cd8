import Foundation
import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func insertIntegration(_ integration: Integration, workspaceID: Snowflake) async throws {
        try await pool.write { db in
            if integration.kind == .command,
               try db.fetchRow("SELECT 1 FROM integrations WHERE workspace_id = ? AND kind = 'command' AND name = ?",
                               [workspaceID, integration.name]) != nil {
                throw SwitchboardError.conflict("the command \(integration.name) exists already")
            }
            try db.run("""
                INSERT INTO integrations (id, workspace_id, kind, name, channel_id, url, trigger_words, secret, bot_user_id, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [integration.id, workspaceID, integration.kind.rawValue, integration.name, integration.channelID,
                      integration.url, String(decoding: try JSON.encode(integration.triggerWords), as: UTF8.self),
                      integration.secret ?? "", integration.botUserID, integration.createdAtMs.db])
        }
    }

    public func integrations(workspaceID: Snowflake, kind: IntegrationKind?) async throws -> [Integration] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM integrations WHERE workspace_id = ? AND (? IS NULL OR kind = ?) ORDER BY id",
                             [workspaceID, kind?.rawValue, kind?.rawValue]).map { row in
                Integration(id: row.id("id"), kind: IntegrationKind(rawValue: row["kind"]) ?? .outgoing, name: row["name"],
                            channelID: row.optionalID("channel_id"), url: row["url"],
                            triggerWords: try JSON.decode([String].self, from: Data((row["trigger_words"] as String).utf8)),
                            botUserID: row.id("bot_user_id"), createdAtMs: row.ms("created_at_ms"), secret: row["secret"])
            }
        }
    }

    public func deleteIntegration(id: Snowflake, workspaceID: Snowflake) async throws -> Bool {
        try await pool.write { db in
            try db.run("DELETE FROM integrations WHERE id = ? AND workspace_id = ?", [id, workspaceID])
            return db.changesCount > 0
        }
    }
}
