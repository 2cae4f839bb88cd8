import Foundation

/// Outgoing webhooks (messages in a channel POSTed to a URL, whose answer is posted back) and
/// slash commands (`/deploy prod` POSTed to a URL; the answer posted to the channel or shown
/// only to the caller). Both are signed (SwitchboardAuth's `IntegrationSignature`).
public enum IntegrationKind: String, Codable, Sendable {
    case outgoing, command
}

public struct Integration: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var kind: IntegrationKind
    /// The command (`/deploy`) or the hook's name.
    public var name: String
    /// Outgoing hooks: the channel watched.
    public var channelID: Snowflake?
    public var url: String
    /// Outgoing hooks: only messages that start with one of these (none: every message).
    public var triggerWords: [String]
    /// Who posts the answers.
    public var botUserID: Snowflake
    public var createdAtMs: UInt64
    /// The signing secret: shown once, when created.
    public var secret: String?

    public init(id: Snowflake, kind: IntegrationKind, name: String, channelID: Snowflake?, url: String, triggerWords: [String],
                botUserID: Snowflake, createdAtMs: UInt64, secret: String?) {
        self.id = id
        self.kind = kind
        self.name = name
        self.channelID = channelID
        self.url = url
        self.triggerWords = triggerWords
        self.botUserID = botUserID
        self.createdAtMs = createdAtMs
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, name, url, secret
        case channelID = "channel_id"
        case triggerWords = "trigger_words"
        case botUserID = "bot_user_id"
        case createdAtMs = "created_at_ms"
    }

    /// Whether an outgoing hook takes this message.
    public func triggers(on message: Message) -> Bool {
        kind == .outgoing && message.channelID == channelID && message.threadID == nil && message.authorID != botUserID
            && (triggerWords.isEmpty || triggerWords.contains { message.content.hasPrefix($0) })
    }
}

/// `POST /api/integrations`.
public struct CreateIntegrationRequest: Codable, Sendable {
    public var kind: IntegrationKind
    public var name: String
    public var url: String
    public var channelID: Snowflake?
    public var triggerWords: [String]?

    public init(kind: IntegrationKind, name: String, url: String, channelID: Snowflake? = nil, triggerWords: [String]? = nil) {
        self.kind = kind
        self.name = name
        self.url = url
        self.channelID = channelID
        self.triggerWords = triggerWords
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, url
        case channelID = "channel_id"
        case triggerWords = "trigger_words"
    }
}

public struct IntegrationResponse: Codable, Sendable {
    public var integration: Integration
    public init(integration: Integration) { self.integration = integration }
}

public struct IntegrationsResponse: Codable, Sendable {
    public var integrations: [Integration]
    public init(integrations: [Integration]) { self.integrations = integrations }
}

/// `POST /api/channels/{id}/commands`: `{command: "/deploy", text: "prod"}`.
public struct SlashCommandRequest: Codable, Sendable {
    public var command: String
    public var text: String
    public init(command: String, text: String = "") {
        self.command = command
        self.text = text
    }
}

/// What the command's server answered: `in_channel` (posted, `message` set) or `ephemeral`
/// (shown to the caller only, stored nowhere).
public struct SlashCommandResult: Codable, Sendable, Equatable {
    public var responseType: String
    public var text: String
    public var message: Message?

    public init(responseType: String, text: String, message: Message? = nil) {
        self.responseType = responseType
        self.text = text
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case text, message
        case responseType = "response_type"
    }
}

/// What an integration's server receives (JSON): a message for outgoing hooks, a command's text.
public struct IntegrationCall: Codable, Sendable {
    public var kind: IntegrationKind
    public var workspaceID: Snowflake
    public var channelID: Snowflake
    public var userID: Snowflake
    public var message: Message?
    public var command: String?
    public var text: String?

    public init(kind: IntegrationKind, workspaceID: Snowflake, channelID: Snowflake, userID: Snowflake,
                message: Message? = nil, command: String? = nil, text: String? = nil) {
        self.kind = kind
        self.workspaceID = workspaceID
        self.channelID = channelID
        self.userID = userID
        self.message = message
        self.command = command
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case kind, message, command, text
        case workspaceID = "workspace_id"
        case channelID = "channel_id"
        case userID = "user_id"
    }
}

/// What an integration's server may answer: `{text, response_type?}` (empty: nothing to post).
public struct IntegrationAnswer: Codable, Sendable {
    public var text: String?
    public var responseType: String?

    enum CodingKeys: String, CodingKey {
        case text
        case responseType = "response_type"
    }
}
