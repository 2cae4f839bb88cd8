/// `POST /api/workspaces/{ws}/hooks` (admin): an incoming webhook bound to a channel.
public struct CreateHookRequest: Codable, Sendable {
    public var channelID: Snowflake
    /// Shown as the bot's display name; its handle derives from it.
    public var name: String

    public init(channelID: Snowflake, name: String) {
        self.channelID = channelID
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case name
        case channelID = "channel_id"
    }
}

/// An incoming webhook as its creator sees it, once: `token` (the secret in
/// `POST /hooks/{token}`) and `bot_token` (the bot user's API token) are not stored and not
/// shown again.
public struct Hook: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var token: String
    public var botUserID: Snowflake
    public var channelID: Snowflake
    public var name: String
    public var botToken: String?

    public init(id: Snowflake, token: String, botUserID: Snowflake, channelID: Snowflake, name: String, botToken: String? = nil) {
        self.id = id
        self.token = token
        self.botUserID = botUserID
        self.channelID = channelID
        self.name = name
        self.botToken = botToken
    }

    enum CodingKeys: String, CodingKey {
        case id, token, name
        case botUserID = "bot_user_id"
        case channelID = "channel_id"
        case botToken = "bot_token"
    }
}

public struct HookResponse: Codable, Sendable {
    public var hook: Hook
    public init(hook: Hook) { self.hook = hook }
}

/// `POST /hooks/{token}`: `{content}`; Slack-style `{text}` is accepted too.
public struct HookPostRequest: Codable, Sendable {
    public var content: String?
    public var text: String?

    public init(content: String) {
        self.content = content
        text = nil
    }

    public var message: String? { content ?? text }
}

/// A hook as stored: the token only as its SHA-256.
public struct StoredHook: Sendable, Equatable {
    public var id: Snowflake
    public var workspaceID: Snowflake
    public var channelID: Snowflake
    public var botUserID: Snowflake
    public var name: String
    public var tokenHash: String
    public var createdAtMs: UInt64

    public init(id: Snowflake, workspaceID: Snowflake, channelID: Snowflake, botUserID: Snowflake, name: String,
                tokenHash: String, createdAtMs: UInt64) {
        self.id = id
        self.workspaceID = workspaceID
        self.channelID = channelID
        self.botUserID = botUserID
        self.name = name
        self.tokenHash = tokenHash
        self.createdAtMs = createdAtMs
    }
}

/// A hook as `GET /api/hooks` lists it: never its token.
public struct HookInfo: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var channelID: Snowflake
    public var botUserID: Snowflake
    public var name: String
    public var createdAtMs: UInt64

    public init(_ hook: StoredHook) {
        id = hook.id
        channelID = hook.channelID
        botUserID = hook.botUserID
        name = hook.name
        createdAtMs = hook.createdAtMs
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case channelID = "channel_id"
        case botUserID = "bot_user_id"
        case createdAtMs = "created_at_ms"
    }
}

public struct HooksResponse: Codable, Sendable {
    public var hooks: [HookInfo]
    public init(hooks: [HookInfo]) { self.hooks = hooks }
}
