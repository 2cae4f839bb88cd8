import Foundation

/// An event's `d`, decoded once into its type. Whoever receives a logged or ephemeral event
/// (the edge applying it to LMDB, the router choosing its recipients) works from this value;
/// the encoded bytes travel beside it untouched, so recipients get them as they were committed.
public enum EventContent: Sendable, Equatable {
    case messageCreated(Message)
    case messageUpdated(MessageUpdate)
    case messageDeleted(MessageDeletion)
    case reactionAdded(ReactionChange)
    case reactionRemoved(ReactionChange)
    case channelCreated(Channel)
    case channelUpdated(Channel)
    case memberJoined(MembershipChange)
    case memberLeft(MembershipChange)
    case userCreated(User)
    case userUpdated(User)
    case presenceChanged(PresenceChange)
    case typingStarted(TypingStarted)
    case unreadUpdated(ReadState)
    /// A read marker moved: only the reader's sessions hear of it, and the payload does not
    /// name the reader, so the event log's user scope does.
    case readUpdated(ReadState, readerID: Snowflake)
    case notificationCreated(UserNotification)
    case threadFollowChanged(ThreadFollow)
    case preferencesUpdated(PreferencesChange)
    case readReceipt(ReadReceipt)
    case sessionRevoked(SessionRevocation)

    /// Decodes `payload` as the `d` of `type`. `userID` is the event's user scope (needed by
    /// `read.updated`, whose payload does not carry it).
    public init(type: EventType, userID: Snowflake?, payload: Data) throws {
        let decoder = JSON.decoder()
        switch type {
        case .messageCreated: self = .messageCreated(try decoder.decode(Message.self, from: payload))
        case .messageUpdated: self = .messageUpdated(try decoder.decode(MessageUpdate.self, from: payload))
        case .messageDeleted: self = .messageDeleted(try decoder.decode(MessageDeletion.self, from: payload))
        case .reactionAdded: self = .reactionAdded(try decoder.decode(ReactionChange.self, from: payload))
        case .reactionRemoved: self = .reactionRemoved(try decoder.decode(ReactionChange.self, from: payload))
        case .channelCreated: self = .channelCreated(try decoder.decode(Channel.self, from: payload))
        case .channelUpdated: self = .channelUpdated(try decoder.decode(Channel.self, from: payload))
        case .memberJoined: self = .memberJoined(try decoder.decode(MembershipChange.self, from: payload))
        case .memberLeft: self = .memberLeft(try decoder.decode(MembershipChange.self, from: payload))
        case .userCreated: self = .userCreated(try decoder.decode(User.self, from: payload))
        case .userUpdated: self = .userUpdated(try decoder.decode(User.self, from: payload))
        case .presenceChanged: self = .presenceChanged(try decoder.decode(PresenceChange.self, from: payload))
        case .typingStarted: self = .typingStarted(try decoder.decode(TypingStarted.self, from: payload))
        case .unreadUpdated: self = .unreadUpdated(try decoder.decode(ReadState.self, from: payload))
        case .readUpdated:
            guard let userID else { throw EventContentError.missingScope(type) }
            self = .readUpdated(try decoder.decode(ReadState.self, from: payload), readerID: userID)
        case .notificationCreated: self = .notificationCreated(try decoder.decode(UserNotification.self, from: payload))
        case .threadFollowChanged: self = .threadFollowChanged(try decoder.decode(ThreadFollow.self, from: payload))
        case .preferencesUpdated: self = .preferencesUpdated(try decoder.decode(PreferencesChange.self, from: payload))
        case .readReceipt: self = .readReceipt(try decoder.decode(ReadReceipt.self, from: payload))
        case .sessionRevoked: self = .sessionRevoked(try decoder.decode(SessionRevocation.self, from: payload))
        }
    }

    public init(type: EventType, userID: Snowflake?, payload: some Collection<UInt8>) throws {
        try self.init(type: type, userID: userID, payload: Data(payload))
    }

    public var type: EventType {
        switch self {
        case .messageCreated: .messageCreated
        case .messageUpdated: .messageUpdated
        case .messageDeleted: .messageDeleted
        case .reactionAdded: .reactionAdded
        case .reactionRemoved: .reactionRemoved
        case .channelCreated: .channelCreated
        case .channelUpdated: .channelUpdated
        case .memberJoined: .memberJoined
        case .memberLeft: .memberLeft
        case .userCreated: .userCreated
        case .userUpdated: .userUpdated
        case .presenceChanged: .presenceChanged
        case .typingStarted: .typingStarted
        case .unreadUpdated: .unreadUpdated
        case .readUpdated: .readUpdated
        case .notificationCreated: .notificationCreated
        case .threadFollowChanged: .threadFollowChanged
        case .preferencesUpdated: .preferencesUpdated
        case .readReceipt: .readReceipt
        case .sessionRevoked: .sessionRevoked
        }
    }
}

public enum EventContentError: Error, CustomStringConvertible {
    case missingScope(EventType)

    public var description: String {
        switch self {
        case .missingScope(let type): "a \(type.rawValue) event without the user it is about"
        }
    }
}

extension WorkspaceEvent {
    /// The payload, decoded.
    public func content() throws -> EventContent {
        try EventContent(type: type, userID: userID, payload: payload)
    }
}
