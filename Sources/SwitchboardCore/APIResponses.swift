// Response envelopes of the REST API (PROTOCOL.md).

public struct WorkspaceResponse: Codable, Sendable {
    public var workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }
}

public struct UserResponse: Codable, Sendable {
    public var user: User
    public init(user: User) { self.user = user }
}

public struct CreatedUserResponse: Codable, Sendable {
    public var user: User
    public var token: String
    public init(user: User, token: String) {
        self.user = user
        self.token = token
    }
}

public struct TokenResponse: Codable, Sendable {
    public var token: String
    public init(token: String) { self.token = token }
}

public struct UsersResponse: Codable, Sendable {
    public var users: [User]
    public init(users: [User]) { self.users = users }
}

public struct ChannelResponse: Codable, Sendable {
    public var channel: Channel
    public init(channel: Channel) { self.channel = channel }
}

public struct ChannelsResponse: Codable, Sendable {
    public var channels: [Channel]
    public init(channels: [Channel]) { self.channels = channels }
}

public struct MembersResponse: Codable, Sendable {
    public var members: [Snowflake]
    /// The cursor for the next page; absent on the last page.
    public var next: Snowflake?
    public init(members: [Snowflake], next: Snowflake?) {
        self.members = members
        self.next = next
    }
}

public struct MessageResponse: Codable, Sendable {
    public var message: Message
    public init(message: Message) { self.message = message }
}

public struct MessagesResponse: Codable, Sendable {
    public var messages: [Message]
    public var hasMore: Bool?
    public init(messages: [Message], hasMore: Bool? = nil) {
        self.messages = messages
        self.hasMore = hasMore
    }
    enum CodingKeys: String, CodingKey {
        case messages
        case hasMore = "has_more"
    }
}

/// `{}`
public struct EmptyResponse: Codable, Sendable, Equatable {
    public init() {}
}

/// `GET /readyz`: whether this process should be sent traffic, and if not, why (200 / 503).
public struct ReadinessResponse: Codable, Sendable {
    /// `ready` or `not_ready`.
    public var status: String
    public var role: String
    public var version: String
    /// Why it is not ready (empty when ready), e.g. `draining`, `workspace 42: loading its snapshot`.
    public var reasons: [String]
    /// Edges: each open feed's state by workspace id: `current`, `loading` or `stale` (the
    /// origin is unreachable; the copy serves as it is).
    public var feeds: [String: String]?

    public init(role: String, version: String, reasons: [String], feeds: [String: String]? = nil) {
        self.status = reasons.isEmpty ? "ready" : "not_ready"
        self.role = role
        self.version = version
        self.reasons = reasons
        self.feeds = feeds
    }

    public var isReady: Bool { status == "ready" }
}

public struct HealthResponse: Codable, Sendable {
    public var status: String
    public var role: String
    public var version: String
    public var uptimeMs: UInt64
    public init(status: String, role: String, version: String, uptimeMs: UInt64) {
        self.status = status
        self.role = role
        self.version = version
        self.uptimeMs = uptimeMs
    }
    enum CodingKeys: String, CodingKey {
        case status, role, version
        case uptimeMs = "uptime_ms"
    }
}

/// `GET /api/rtm.start`: the legacy full bootstrap.
public struct FullBootstrap: Codable, Sendable {
    /// The caller (`self` on the wire).
    public var me: User
    public var workspace: Workspace
    public var users: [User]
    public var presence: [Snowflake: PresenceStatus]
    public var channels: [Channel]
    public var dms: [Channel]
    public var messages: [Message]
    public var focusChannelID: Snowflake?

    enum CodingKeys: String, CodingKey {
        case me = "self"
        case workspace, users, presence, channels, dms, messages
        case focusChannelID = "focus_channel_id"
    }
}

/// `GET /api/search`: hits newest first, each with its excerpt (`snippets[i]` for
/// `messages[i]`), and the cursor of the next page.
public struct SearchResponse: Codable, Sendable {
    public var messages: [Message]
    public var snippets: [String]
    /// Pass as `before` for the next (older) page; absent on the last.
    public var nextBefore: Snowflake?

    public init(messages: [Message], snippets: [String], nextBefore: Snowflake?) {
        self.messages = messages
        self.snippets = snippets
        self.nextBefore = nextBefore
    }

    enum CodingKeys: String, CodingKey {
        case messages, snippets
        case nextBefore = "next_before"
    }
}
