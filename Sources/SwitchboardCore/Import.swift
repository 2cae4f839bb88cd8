/// `POST /api/workspaces/{ws}/import` (admin): rows to load into a new workspace in bulk — what
/// the benchmark's `seed` uses to build a 32,000-user workspace in minutes. Each request is one
/// transaction. No events are logged: import before edges open the workspace.
public struct ImportBatch: Codable, Sendable {
    public var users: [User]
    /// Named channels, and DMs / group DMs (`kind` `dm` / `group_dm` with `member_ids`).
    public var channels: [Channel]
    public var memberships: [ImportMembership]
    /// Messages with their `thread_id`, `also_to_channel` and reactions (`user_ids` given);
    /// mentions are read from the content. Thread parents must come before their replies.
    public var messages: [Message]
    /// Passwords of users in this batch (≤ 1,000 per batch: each is hashed, on purpose slowly).
    public var passwords: [ImportPassword]?

    public init(users: [User] = [], channels: [Channel] = [], memberships: [ImportMembership] = [], messages: [Message] = [],
                passwords: [ImportPassword]? = nil) {
        self.passwords = passwords
        self.users = users
        self.channels = channels
        self.memberships = memberships
        self.messages = messages
    }

    public var rowCount: Int { users.count + channels.count + memberships.count + messages.count }
}

public struct ImportPassword: Codable, Sendable, Equatable {
    public var userID: Snowflake
    public var password: String

    public init(userID: Snowflake, password: String) {
        self.userID = userID
        self.password = password
    }

    enum CodingKeys: String, CodingKey {
        case password
        case userID = "user_id"
    }
}

public struct ImportMembership: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    /// What the member has read (none if absent).
    public var lastReadID: Snowflake?

    public init(channelID: Snowflake, userID: Snowflake, lastReadID: Snowflake? = nil) {
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

/// How many rows an import stored.
public struct ImportResult: Codable, Sendable, Equatable {
    public var users: Int
    public var channels: Int
    public var memberships: Int
    public var messages: Int

    public init(users: Int, channels: Int, memberships: Int, messages: Int) {
        self.users = users
        self.channels = channels
        self.memberships = memberships
        self.messages = messages
    }
}
