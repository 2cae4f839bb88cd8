/// How much a channel may ask of one member's attention.
public enum NotificationLevel: String, Codable, Sendable, CaseIterable {
    /// Every message notifies (the default of DMs).
    case all
    /// Mentions, `@here` / `@channel`, and replies in followed threads (the default of channels).
    case mentions
    /// Nothing notifies.
    case nothing
}

/// One member's settings for one channel: their notification level, and whether it is muted
/// (no unread badges, and only direct mentions notify). The one rule of what notifies whom.
public struct ChannelPreferences: Codable, Sendable, Equatable {
    public var level: NotificationLevel
    public var muted: Bool

    public init(level: NotificationLevel, muted: Bool = false) {
        self.level = level
        self.muted = muted
    }

    /// What a member has until they choose: DMs notify on everything, channels on mentions.
    public static func defaults(for kind: ChannelKind) -> ChannelPreferences {
        ChannelPreferences(level: kind.isDirect ? .all : .mentions)
    }

    /// What a store's columns say (`notify_level` NULL until chosen): nil when nothing was chosen.
    public static func stored(level: String?, muted: Bool) -> ChannelPreferences? {
        guard level != nil || muted else { return nil }
        return ChannelPreferences(level: level.flatMap(NotificationLevel.init(rawValue:)) ?? .mentions, muted: muted)
    }

    /// Whether a message that concerns the member in this way notifies them (when they are away).
    public func notifies(_ kind: NotificationKind) -> Bool {
        switch level {
        case .nothing: return false
        case .mentions, .all:
            if muted { return kind == .mention }
            return kind != .message || level == .all
        }
    }

    /// Whether the member's sessions get unread badges for the channel.
    public var showsBadges: Bool { !muted }
}

/// `PUT /api/channels/{id}/preferences`: either or both.
public struct ChannelPreferencesRequest: Codable, Sendable {
    public var level: NotificationLevel?
    public var muted: Bool?
    public init(level: NotificationLevel? = nil, muted: Bool? = nil) {
        self.level = level
        self.muted = muted
    }
}

/// `preferences.updated`, to the member's own sessions (and kept by edges).
public struct PreferencesChange: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    public var preferences: ChannelPreferences

    public init(channelID: Snowflake, userID: Snowflake, preferences: ChannelPreferences) {
        self.channelID = channelID
        self.userID = userID
        self.preferences = preferences
    }

    enum CodingKeys: String, CodingKey {
        case preferences
        case channelID = "channel_id"
        case userID = "user_id"
    }
}

/// `read.receipt`: how far a member has read, for the others looking at the channel (DMs and
/// channels up to the origin's size limit; never for users who turned receipts off).
public struct ReadReceipt: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    public var lastReadID: Snowflake

    public init(channelID: Snowflake, userID: Snowflake, lastReadID: Snowflake) {
        self.channelID = channelID
        self.userID = userID
        self.lastReadID = lastReadID
    }

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id"
        case userID = "user_id"
        case lastReadID = "last_read_id"
    }
}

public struct ReadReceiptsResponse: Codable, Sendable {
    public var receipts: [ReadReceipt]
    public init(receipts: [ReadReceipt]) { self.receipts = receipts }
}
