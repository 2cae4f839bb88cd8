// Request bodies of the REST API (PROTOCOL.md). Shared by the servers and the client SDK.

public struct CreateWorkspaceRequest: Codable, Sendable {
    public var name: String
    public init(name: String) { self.name = name }
}

public struct CreateUserRequest: Codable, Sendable {
    public var handle: String
    public var displayName: String
    public var realName: String?
    public var title: String?
    public var email: String?
    public var tz: String?
    public var statusText: String?
    public var statusEmoji: String?
    public var isBot: Bool?
    /// Default `member`.
    public var role: Role?
    /// Lets the user sign in with `POST /api/auth/login`; only its hash is kept.
    public var password: String?

    public init(handle: String, displayName: String, realName: String? = nil, title: String? = nil,
                email: String? = nil, tz: String? = nil, statusText: String? = nil,
                statusEmoji: String? = nil, isBot: Bool? = nil, role: Role? = nil, password: String? = nil) {
        self.role = role
        self.password = password
        self.handle = handle
        self.displayName = displayName
        self.realName = realName
        self.title = title
        self.email = email
        self.tz = tz
        self.statusText = statusText
        self.statusEmoji = statusEmoji
        self.isBot = isBot
    }

    enum CodingKeys: String, CodingKey {
        case handle, title, email, tz, role, password
        case displayName = "display_name"
        case realName = "real_name"
        case statusText = "status_text"
        case statusEmoji = "status_emoji"
        case isBot = "is_bot"
    }
}

public struct CreateTokenRequest: Codable, Sendable {
    public var userID: Snowflake
    public init(userID: Snowflake) { self.userID = userID }
    enum CodingKeys: String, CodingKey { case userID = "user_id" }
}

/// `PATCH /api/users/me`: every field optional; absent fields are left as they are.
public struct UpdateProfileRequest: Codable, Sendable, Equatable {
    public var displayName: String?
    public var realName: String?
    public var title: String?
    public var email: String?
    public var tz: String?
    public var statusText: String?
    public var statusEmoji: String?
    public var sharesReadReceipts: Bool?

    public init(displayName: String? = nil, realName: String? = nil, title: String? = nil, email: String? = nil,
                tz: String? = nil, statusText: String? = nil, statusEmoji: String? = nil, sharesReadReceipts: Bool? = nil) {
        self.sharesReadReceipts = sharesReadReceipts
        self.displayName = displayName
        self.realName = realName
        self.title = title
        self.email = email
        self.tz = tz
        self.statusText = statusText
        self.statusEmoji = statusEmoji
    }

    enum CodingKeys: String, CodingKey {
        case title, email, tz
        case displayName = "display_name"
        case realName = "real_name"
        case statusText = "status_text"
        case statusEmoji = "status_emoji"
        case sharesReadReceipts = "shares_read_receipts"
    }
}

public struct CreateChannelRequest: Codable, Sendable {
    public var name: String
    public var kind: ChannelKind
    public var topic: String?
    public var purpose: String?
    public init(name: String, kind: ChannelKind = .public, topic: String? = nil, purpose: String? = nil) {
        self.name = name
        self.kind = kind
        self.topic = topic
        self.purpose = purpose
    }
}

/// `PATCH /api/channels/{id}`: any member sets the topic and purpose; the creator or an admin renames.
public struct UpdateChannelRequest: Codable, Sendable {
    public var name: String?
    public var topic: String?
    public var purpose: String?
    public init(name: String? = nil, topic: String? = nil, purpose: String? = nil) {
        self.name = name
        self.topic = topic
        self.purpose = purpose
    }
}

/// `PUT /api/users/{id}/role`.
public struct SetRoleRequest: Codable, Sendable {
    public var role: Role
    public init(role: Role) { self.role = role }
}

public struct OpenDMRequest: Codable, Sendable {
    public var userIDs: [Snowflake]
    public init(userIDs: [Snowflake]) { self.userIDs = userIDs }
    enum CodingKeys: String, CodingKey { case userIDs = "user_ids" }
}

public struct AddMemberRequest: Codable, Sendable {
    public var userID: Snowflake
    public init(userID: Snowflake) { self.userID = userID }
    enum CodingKeys: String, CodingKey { case userID = "user_id" }
}

public struct PostMessageRequest: Codable, Sendable {
    public var content: String
    public var nonce: String?
    public var threadID: Snowflake?
    public var alsoToChannel: Bool?
    public var attachmentIDs: [Snowflake]?

    public init(content: String, nonce: String? = nil, threadID: Snowflake? = nil, alsoToChannel: Bool? = nil,
                attachmentIDs: [Snowflake]? = nil) {
        self.content = content
        self.nonce = nonce
        self.threadID = threadID
        self.alsoToChannel = alsoToChannel
        self.attachmentIDs = attachmentIDs
    }

    enum CodingKeys: String, CodingKey {
        case content, nonce
        case threadID = "thread_id"
        case alsoToChannel = "also_to_channel"
        case attachmentIDs = "attachment_ids"
    }
}

public struct EditMessageRequest: Codable, Sendable {
    public var content: String
    public init(content: String) { self.content = content }
}

public struct MarkReadRequest: Codable, Sendable {
    public var messageID: Snowflake
    public init(messageID: Snowflake) { self.messageID = messageID }
    enum CodingKeys: String, CodingKey { case messageID = "message_id" }
}

public struct SetPresenceRequest: Codable, Sendable {
    public var status: PresenceStatus
    public init(status: PresenceStatus) { self.status = status }
}

/// `PATCH /api/workspaces/{ws}/users/{id}` with the admin key: the operator's way to name the
/// first owner, or to deactivate (`active: false`) and reactivate anyone.
public struct AdminUserPatchRequest: Codable, Sendable {
    public var role: Role?
    public var active: Bool?
    public init(role: Role? = nil, active: Bool? = nil) {
        self.role = role
        self.active = active
    }
}
