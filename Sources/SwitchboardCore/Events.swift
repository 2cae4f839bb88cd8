/// The event types of the gateway (`t`) and of the workspace event log.
public enum EventType: String, Codable, Sendable, CaseIterable {
    case messageCreated = "message.created"
    case messageUpdated = "message.updated"
    case messageDeleted = "message.deleted"
    case reactionAdded = "reaction.added"
    case reactionRemoved = "reaction.removed"
    case channelCreated = "channel.created"
    case channelUpdated = "channel.updated"
    case memberJoined = "member.joined"
    case memberLeft = "member.left"
    case userCreated = "user.created"
    case userUpdated = "user.updated"
    case presenceChanged = "presence.changed"
    case typingStarted = "typing.started"
    case unreadUpdated = "unread.updated"
    case readUpdated = "read.updated"
    case notificationCreated = "notification.created"
    /// A user followed or unfollowed a thread (to their own sessions; edges keep followers).
    case threadFollowChanged = "thread.follow_changed"
    /// A member changed their notification level or muted a channel (to their own sessions).
    case preferencesUpdated = "preferences.updated"
    /// A member read up to a message (to those viewing the channel).
    case readReceipt = "read.receipt"
    /// One sign-in was ended (`POST /api/auth/logout`): its token is refused and its sessions close.
    /// Never sent to clients; edges keep it to refuse the token.
    case sessionRevoked = "session.revoked"

    /// Ephemeral events are never stored and carry no log sequence number.
    public var isEphemeral: Bool { self == .presenceChanged || self == .typingStarted || self == .unreadUpdated }
}

/// One committed change of a workspace, as the event log stores it and the edge feed
/// carries it. `payload` is the event's `d` object, already encoded: it is encoded once
/// when the change commits and the same bytes go to every recipient.
///
/// `channelID` / `userID` are the event's scope as stored in the log and carried by the feed
/// (the reader of a `read.updated` is known only from it). Who receives an event is decided
/// from its decoded content by the router (SwitchboardRouting), not from these fields.
public struct WorkspaceEvent: Sendable, Equatable {
    public var workspaceID: Snowflake
    /// Monotonic per workspace, no gaps; 0 for ephemeral events.
    public var seq: UInt64
    public var type: EventType
    public var channelID: Snowflake?
    public var userID: Snowflake?
    public var createdAtMs: UInt64
    public var payload: [UInt8]

    public init(workspaceID: Snowflake, seq: UInt64, type: EventType, channelID: Snowflake?, userID: Snowflake?,
                createdAtMs: UInt64, payload: [UInt8]) {
        self.workspaceID = workspaceID
        self.seq = seq
        self.type = type
        self.channelID = channelID
        self.userID = userID
        self.createdAtMs = createdAtMs
        self.payload = payload
    }
}

// MARK: Payloads (the `d` of each event type)

/// `message.updated`: the fields an edit (or a link preview) changes; present fields replace
/// the client's copy. Reactions travel as their own events.
public struct MessageUpdate: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var channelID: Snowflake
    public var threadID: Snowflake?
    public var content: String
    public var editedAtMs: UInt64?
    public var mentions: [Snowflake]
    public var mentionsHere: Bool
    public var mentionsChannel: Bool
    public var linkPreviews: [LinkPreview]?

    public init(_ message: Message) {
        linkPreviews = message.linkPreviews
        id = message.id
        channelID = message.channelID
        threadID = message.threadID
        content = message.content
        editedAtMs = message.editedAtMs
        mentions = message.mentions
        mentionsHere = message.mentionsHere
        mentionsChannel = message.mentionsChannel
    }

    enum CodingKeys: String, CodingKey {
        case id, content, mentions
        case channelID = "channel_id"
        case threadID = "thread_id"
        case editedAtMs = "edited_at_ms"
        case mentionsHere = "mentions_here"
        case mentionsChannel = "mentions_channel"
        case linkPreviews = "link_previews"
    }
}

/// `message.deleted`
public struct MessageDeletion: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var channelID: Snowflake
    public var threadID: Snowflake?

    public init(id: Snowflake, channelID: Snowflake, threadID: Snowflake?) {
        self.id = id
        self.channelID = channelID
        self.threadID = threadID
    }

    enum CodingKeys: String, CodingKey {
        case id
        case channelID = "channel_id"
        case threadID = "thread_id"
    }
}

/// `reaction.added` / `reaction.removed`
public struct ReactionChange: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var messageID: Snowflake
    public var userID: Snowflake
    public var emoji: String

    public init(channelID: Snowflake, messageID: Snowflake, userID: Snowflake, emoji: String) {
        self.channelID = channelID
        self.messageID = messageID
        self.userID = userID
        self.emoji = emoji
    }

    enum CodingKeys: String, CodingKey {
        case emoji
        case channelID = "channel_id"
        case messageID = "message_id"
        case userID = "user_id"
    }
}

/// `member.joined` / `member.left`
public struct MembershipChange: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    public var memberCount: Int

    public init(channelID: Snowflake, userID: Snowflake, memberCount: Int) {
        self.channelID = channelID
        self.userID = userID
        self.memberCount = memberCount
    }

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id"
        case userID = "user_id"
        case memberCount = "member_count"
    }
}

/// `read.updated` (to the reader's own sessions) and `unread.updated` (badges).
public struct ReadState: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var lastReadID: Snowflake?
    public var unreadCount: Int
    public var mentionCount: Int
    public var lastMessageID: Snowflake?

    public init(channelID: Snowflake, lastReadID: Snowflake?, unreadCount: Int, mentionCount: Int, lastMessageID: Snowflake?) {
        self.channelID = channelID
        self.lastReadID = lastReadID
        self.unreadCount = unreadCount
        self.mentionCount = mentionCount
        self.lastMessageID = lastMessageID
    }

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id"
        case lastReadID = "last_read_id"
        case unreadCount = "unread_count"
        case mentionCount = "mention_count"
        case lastMessageID = "last_message_id"
    }
}

/// `presence.changed`
public struct PresenceChange: Codable, Sendable, Equatable {
    public var userID: Snowflake
    public var status: PresenceStatus

    public init(userID: Snowflake, status: PresenceStatus) {
        self.userID = userID
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case status
        case userID = "user_id"
    }
}

/// `typing.started`
public struct TypingStarted: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    public var expiresAtMs: UInt64

    public init(channelID: Snowflake, userID: Snowflake, expiresAtMs: UInt64) {
        self.channelID = channelID
        self.userID = userID
        self.expiresAtMs = expiresAtMs
    }

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id"
        case userID = "user_id"
        case expiresAtMs = "expires_at_ms"
    }
}

extension ReadState {
    /// The read state of a channel as its (member) viewer sees it.
    public init(_ channel: Channel) {
        self.init(channelID: channel.id, lastReadID: channel.lastReadID, unreadCount: channel.unreadCount ?? 0,
                  mentionCount: channel.mentionCount ?? 0, lastMessageID: channel.lastMessageID)
    }
}
