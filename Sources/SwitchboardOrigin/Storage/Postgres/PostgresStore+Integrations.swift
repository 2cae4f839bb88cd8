import Foundation
import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    public func insertIntegration(_ integration: Integration, workspaceID: Snowflake) async throws {
        let words = String(decoding: try JSON.encode(integration.triggerWords), as: UTF8.self)
        do {
            try await client.query("""
                INSERT INTO integrations (id, workspace_id, kind, name, channel_id, url, trigger_words, secret, bot_user_id, created_at_ms)
                VALUES (\(integration.id), \(workspaceID), \(integration.kind.rawValue), \(integration.name), \(integration.channelID),
                        \(integration.url), \(words), \(integration.secret ?? ""), \(integration.botUserID), \(integration.createdAtMs.db))
                """, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SwitchboardError.conflict("the command \(integration.name) exists already")
        }
    }

    public func integrations(workspaceID: Snowflake, kind: IntegrationKind?) async throws -> [Integration] {
        try await rows("""
            SELECT * FROM integrations WHERE workspace_id = \(workspaceID) AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
            ORDER BY id
            """).map { row in
            Integration(id: try row.id("id"), kind: IntegrationKind(rawValue: try row.string("kind")) ?? .outgoing,
                        name: try row.string("name"), channelID: try row.optionalID("channel_id"), url: try row.string("url"),
                        triggerWords: try JSON.decode([String].self, from: Data(try row.string("trigger_words").utf8)),
                        botUserID: try row.id("bot_user_id"), createdAtMs: try row.ms("created_at_ms"),
                        secret: try row.string("secret"))
        }
    }

    public func deleteIntegration(id: Snowflake, workspaceID: Snowflake) async throws -> Bool {
        try await !rows("DELETE FROM integrations WHERE id = \(id) AND workspace_id = \(workspaceID) RETURNING id").isEmpty
    }
}
