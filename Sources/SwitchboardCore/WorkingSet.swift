/// A channel in the working set: what the sidebar needs, no roster.
public struct ChannelSummary: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var name: String
    public var kind: ChannelKind
    public var unreadCount: Int
    public var mentionCount: Int
    public var lastMessageID: Snowflake?
    public var memberCount: Int
    /// DMs and group DMs: who is in them (at most 9), so the sidebar can name them.
    public var memberIDs: [Snowflake]?
    /// The caller's choices, when not the defaults (a muted channel shows no badge).
    public var preferences: ChannelPreferences?

    public init(id: Snowflake, name: String, kind: ChannelKind, unreadCount: Int, mentionCount: Int,
                lastMessageID: Snowflake?, memberCount: Int, memberIDs: [Snowflake]? = nil, preferences: ChannelPreferences? = nil) {
        self.preferences = preferences
        self.id = id
        self.name = name
        self.kind = kind
        self.unreadCount = unreadCount
        self.mentionCount = mentionCount
        self.lastMessageID = lastMessageID
        self.memberCount = memberCount
        self.memberIDs = memberIDs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind
        case unreadCount = "unread_count"
        case mentionCount = "mention_count"
        case lastMessageID = "last_message_id"
        case memberCount = "member_count"
        case memberIDs = "member_ids"
        case preferences
    }

    /// What the synthesized `encode(to:)` writes (nil fields left out), without `JSONEncoder`.
    public func write(to json: inout JSONWriter) throws {
        json.raw(#"{"id":"#)
        json.id(id)
        json.raw(#","name":"#)
        json.string(name)
        json.raw(#","kind":"#)
        json.string(kind.rawValue)
        json.raw(#","unread_count":"#)
        json.number(unreadCount)
        json.raw(#","mention_count":"#)
        json.number(mentionCount)
        if let lastMessageID {
            json.raw(#","last_message_id":"#)
            json.id(lastMessageID)
        }
        json.raw(#","member_count":"#)
        json.number(memberCount)
        if let memberIDs {
            json.raw(#","member_ids":"#)
            json.ids(memberIDs)
        }
        if let preferences {
            json.raw(#","preferences":"#)
            try json.encoded(preferences)
        }
        json.raw("}")
    }
}

/// The edge's `ready` / `GET /api/bootstrap`: just the first screen. Everything else is lazy.
public struct WorkingSet: Codable, Sendable, Equatable {
    /// The caller (`self` on the wire).
    public var me: User
    public var workspace: Workspace
    public var channels: [ChannelSummary]
    public var dms: [ChannelSummary]
    /// Short profiles of DM partners and of the focused messages' authors and mentioned users.
    public var users: [UserShort]
    /// The focused channel's latest messages, ascending.
    public var messages: [Message]
    public var focusChannelID: Snowflake?

    public init(me: User, workspace: Workspace, channels: [ChannelSummary], dms: [ChannelSummary], users: [UserShort],
                messages: [Message], focusChannelID: Snowflake?) {
        self.me = me
        self.workspace = workspace
        self.channels = channels
        self.dms = dms
        self.users = users
        self.messages = messages
        self.focusChannelID = focusChannelID
    }

    enum CodingKeys: String, CodingKey {
        case me = "self"
        case workspace, channels, dms, users, messages
        case focusChannelID = "focus_channel_id"
    }
}
