import Foundation
import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    public func events(workspaceID: Snowflake, after: UInt64, limit: Int) async throws -> [WorkspaceEvent] {
        var events: [WorkspaceEvent] = []
        for try await event in try await client.execute(EventsAfterStatement(workspaceID: workspaceID, after: after.db,
                                                                             limit: limit), logger: logger) {
            events.append(event)
        }
        return events
    }

    public func eventLogBounds(workspaceID: Snowflake) async throws -> EventLogBounds {
        guard let row = try await row("""
            SELECT last_seq, (SELECT MIN(seq) FROM events WHERE workspace_id = \(workspaceID)) AS first_seq
            FROM workspaces WHERE id = \(workspaceID)
            """) else { throw SwitchboardError.notFound("workspace") }
        let last = try row.ms("last_seq")
        return EventLogBounds(firstSeq: try row.optionalMs("first_seq") ?? last + 1, lastSeq: last)
    }

    public func purgeEvents(keepingLast count: Int, olderThanMs cutoff: UInt64) async throws {
        try await client.query("""
            DELETE FROM events e USING workspaces w
            WHERE w.id = e.workspace_id AND (e.created_at_ms < \(cutoff.db) OR e.seq <= w.last_seq - \(count))
            """, logger: logger)
    }
}

/// A page of a workspace's event log: the query every event pump and feed replay runs.
struct EventsAfterStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT workspace_id, seq, type, channel_id, user_id, created_at_ms, payload FROM events
        WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
        """
    let workspaceID: Snowflake
    let after: Int64
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 3)
        binds.append(workspaceID)
        binds.append(after)
        binds.append(Int64(limit))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> WorkspaceEvent {
        let (workspaceID, seq, type, channelID, userID, createdAtMs, payload) =
            try row.decode((Snowflake, Int64, String, Snowflake?, Snowflake?, Int64, Data).self)
        return WorkspaceEvent(workspaceID: workspaceID, seq: UInt64(seq), type: EventType(rawValue: type) ?? .userUpdated,
                              channelID: channelID, userID: userID, createdAtMs: UInt64(max(0, createdAtMs)), payload: [UInt8](payload))
    }
}
