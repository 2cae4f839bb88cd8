import Foundation
import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func events(workspaceID: Snowflake, after: UInt64, limit: Int) async throws -> [WorkspaceEvent] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                             [workspaceID, after.db, limit]).map { row in
                WorkspaceEvent(workspaceID: row.id("workspace_id"), seq: row.ms("seq"),
                               type: EventType(rawValue: row["type"]) ?? .userUpdated,
                               channelID: row.optionalID("channel_id"), userID: row.optionalID("user_id"),
                               createdAtMs: row.ms("created_at_ms"), payload: [UInt8](row["payload"] as Data))
            }
        }
    }

    public func eventLogBounds(workspaceID: Snowflake) async throws -> EventLogBounds {
        try await pool.read { db in
            guard let row = try db.fetchRow("""
                SELECT last_seq, (SELECT MIN(seq) FROM events WHERE workspace_id = ?1) AS first_seq
                FROM workspaces WHERE id = ?1
                """, [workspaceID]) else { throw SwitchboardError.notFound("workspace") }
            let last = row.ms("last_seq")
            let first = (row["first_seq"] as Int64?).map { UInt64($0) } ?? last + 1
            return EventLogBounds(firstSeq: first, lastSeq: last)
        }
    }

    public func purgeEvents(keepingLast count: Int, olderThanMs cutoff: UInt64) async throws {
        try await pool.write { db in
            try db.run("""
                DELETE FROM events WHERE created_at_ms < ?1
                    OR seq <= (SELECT last_seq FROM workspaces w WHERE w.id = events.workspace_id) - ?2
                """, [cutoff.db, count])
        }
    }

    /// Appends one event to the workspace's log; called inside the transaction of the change.
    static func appendEvent(_ db: Database, workspaceID: Snowflake, type: EventType, channelID: Snowflake? = nil,
                            userID: Snowflake? = nil, payload: some Encodable, nowMs: UInt64) throws {
        try appendEvent(db, workspaceID: workspaceID, type: type, channelID: channelID, userID: userID,
                        encoded: try JSON.encodeCompact(payload), nowMs: nowMs)
    }

    /// A payload already in its compact JSON (a posted message, written without `JSONEncoder`).
    static func appendEvent(_ db: Database, workspaceID: Snowflake, type: EventType, channelID: Snowflake? = nil,
                            userID: Snowflake? = nil, encoded payload: Data, nowMs: UInt64) throws {
        guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "UPDATE workspaces SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq"),
                                           arguments: [workspaceID]) else {
            throw SwitchboardError.notFound("workspace")
        }
        try db.run("""
            INSERT INTO events (workspace_id, seq, type, channel_id, user_id, created_at_ms, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [workspaceID, seq, type.rawValue, channelID, userID, nowMs.db, payload])
    }

    /// The workspace a channel belongs to; `not_found` for an unknown channel.
    static func workspaceOf(_ db: Database, channelID: Snowflake) throws -> Snowflake {
        guard let row = try db.fetchRow("SELECT workspace_id FROM channels WHERE id = ?", [channelID]) else {
            throw SwitchboardError.notFound("channel")
        }
        return row.id("workspace_id")
    }

    static func memberCount(_ db: Database, channelID: Snowflake) throws -> Int {
        try db.fetchRow("SELECT member_count FROM channels WHERE id = ?", [channelID])?["member_count"] ?? 0
    }
}
