/// Why a user was notified.
public enum NotificationKind: String, Codable, Sendable, CaseIterable {
    case mention, here, channel, dm
    /// A reply in a thread the user follows.
    case thread
    /// Any message, for members whose level is `all`.
    case message
}

/// A stored notification: mentions and DMs a user received while away or offline. Several in
/// the same channel within a short window are one notification with a count
/// ("3 new mentions in #general").
public struct UserNotification: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var userID: Snowflake
    public var channelID: Snowflake
    /// The latest message that counted.
    public var messageID: Snowflake
    public var kind: NotificationKind
    public var count: Int
    public var text: String
    public var createdAtMs: UInt64
    public var updatedAtMs: UInt64

    public init(id: Snowflake, userID: Snowflake, channelID: Snowflake, messageID: Snowflake, kind: NotificationKind,
                count: Int, text: String, createdAtMs: UInt64, updatedAtMs: UInt64) {
        self.id = id
        self.userID = userID
        self.channelID = channelID
        self.messageID = messageID
        self.kind = kind
        self.count = count
        self.text = text
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, count, text
        case userID = "user_id"
        case channelID = "channel_id"
        case messageID = "message_id"
        case createdAtMs = "created_at_ms"
        case updatedAtMs = "updated_at_ms"
    }
}

public struct NotificationsResponse: Codable, Sendable {
    public var notifications: [UserNotification]
    public init(notifications: [UserNotification]) { self.notifications = notifications }
}
