import GRDB
import SwitchboardCore

extension SQLiteStore {
    static func preferences(_ row: Row, kind: ChannelKind) -> ChannelPreferences {
        ChannelPreferences.stored(level: row["notify_level"], muted: row["muted"]) ?? .defaults(for: kind)
    }

    public func setPreferences(channelID: Snowflake, userID: Snowflake, _ preferences: ChannelPreferences,
                               nowMs: UInt64) async throws {
        try await pool.write { db in
            try Self.requireMember(db, channelID: channelID, userID: userID)
            try db.run("UPDATE memberships SET notify_level = ?, muted = ? WHERE channel_id = ? AND user_id = ?",
                       [preferences.level.rawValue, preferences.muted, channelID, userID])
            try Self.appendEvent(db, workspaceID: try Self.workspaceOf(db, channelID: channelID), type: .preferencesUpdated,
                                 channelID: channelID, userID: userID,
                                 payload: PreferencesChange(channelID: channelID, userID: userID, preferences: preferences),
                                 nowMs: nowMs)
        }
    }

    public func chosenPreferences(channelID: Snowflake, userIDs: [Snowflake]) async throws -> [Snowflake: ChannelPreferences] {
        guard !userIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            var result: [Snowflake: ChannelPreferences] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT user_id, notify_level, muted FROM memberships
                WHERE channel_id = ? AND (notify_level IS NOT NULL OR muted = 1) AND user_id IN (\(databaseQuestionMarks(count: userIDs.count)))
                """, arguments: StatementArguments([channelID] + userIDs)) {
                result[row.id("user_id")] = ChannelPreferences.stored(level: row["notify_level"], muted: row["muted"])
            }
            return result
        }
    }

    public func membersNotifiedOfEverything(channelID: Snowflake) async throws -> [Snowflake] {
        try await pool.read { db in
            try db.fetchRows("SELECT user_id FROM memberships WHERE channel_id = ? AND notify_level = 'all' AND muted = 0",
                             [channelID]).map { $0.id("user_id") }
        }
    }
}
