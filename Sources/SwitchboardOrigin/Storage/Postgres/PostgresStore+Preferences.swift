import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    static func preferences(_ row: PostgresRandomAccessRow, kind: ChannelKind) throws -> ChannelPreferences {
        ChannelPreferences.stored(level: try row["notify_level"].decode(String?.self), muted: try row.bool("muted"))
            ?? .defaults(for: kind)
    }

    public func setPreferences(channelID: Snowflake, userID: Snowflake, _ preferences: ChannelPreferences,
                               nowMs: UInt64) async throws {
        try await transaction { connection in
            try await Self.requireMember(connection, channelID: channelID, userID: userID, logger: logger)
            try await connection.query("""
                UPDATE memberships SET notify_level = \(preferences.level.rawValue), muted = \(preferences.muted)
                WHERE channel_id = \(channelID) AND user_id = \(userID)
                """, logger: logger)
            try await connection.appendEvent(
                workspaceID: try await Self.workspaceOf(connection, channelID: channelID, logger: logger),
                type: .preferencesUpdated, channelID: channelID, userID: userID,
                payload: PreferencesChange(channelID: channelID, userID: userID, preferences: preferences),
                nowMs: nowMs, logger: logger)
        }
    }

    public func chosenPreferences(channelID: Snowflake, userIDs: [Snowflake]) async throws -> [Snowflake: ChannelPreferences] {
        guard !userIDs.isEmpty else { return [:] }
        var result: [Snowflake: ChannelPreferences] = [:]
        for row in try await rows("""
            SELECT user_id, notify_level, muted FROM memberships
            WHERE channel_id = \(channelID) AND (notify_level IS NOT NULL OR muted) AND user_id = ANY (\(userIDs.map(\.int64)))
            """) {
            result[try row.id("user_id")] = ChannelPreferences.stored(level: try row["notify_level"].decode(String?.self),
                                                                      muted: try row.bool("muted"))
        }
        return result
    }

    public func membersNotifiedOfEverything(channelID: Snowflake) async throws -> [Snowflake] {
        try await rows("""
            SELECT user_id FROM memberships WHERE channel_id = \(channelID) AND notify_level = 'all' AND NOT muted
            """).map { try $0.id("user_id") }
    }
}
