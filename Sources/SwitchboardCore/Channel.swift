/// What kind of conversation a channel is.
public enum ChannelKind: String, Codable, Sendable, CaseIterable {
    case `public`
    case `private`
    case dm
    case groupDM = "group_dm"

    /// DMs and group DMs have a fixed set of members keyed by who is in them.
    public var isDirect: Bool { self == .dm || self == .groupDM }
}

/// A channel as the API returns it. The caller-specific fields (`is_member`, unread and
/// mention counts, `last_read_id`) are present when the caller is a member.
public struct Channel: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var workspaceID: Snowflake
    public var name: String
    public var kind: ChannelKind
    public var topic: String
    /// What the channel is for (shown in its details; the topic is what is going on now).
    public var purpose: String
    /// Read-only: history stays, nobody posts, joins or reacts until it is unarchived.
    public var archived: Bool
    public var creatorID: Snowflake
    public var createdAtMs: UInt64
    public var memberCount: Int
    public var lastMessageID: Snowflake?
    public var isMember: Bool?
    public var unreadCount: Int?
    public var mentionCount: Int?
    public var lastReadID: Snowflake?
    /// The caller's notification level and mute (members only).
    public var preferences: ChannelPreferences?
    /// DMs and group DMs: everyone in the conversation (at most 9).
    public var memberIDs: [Snowflake]?
    /// The full bootstrap only: the complete roster.
    public var members: [Snowflake]?

    public init(id: Snowflake, workspaceID: Snowflake, name: String, kind: ChannelKind, topic: String = "",
                purpose: String = "", archived: Bool = false, creatorID: Snowflake, createdAtMs: UInt64, memberCount: Int = 0, lastMessageID: Snowflake? = nil,
                isMember: Bool? = nil, unreadCount: Int? = nil, mentionCount: Int? = nil,
                lastReadID: Snowflake? = nil, memberIDs: [Snowflake]? = nil, members: [Snowflake]? = nil,
                preferences: ChannelPreferences? = nil) {
        self.preferences = preferences
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.kind = kind
        self.topic = topic
        self.purpose = purpose
        self.archived = archived
        self.creatorID = creatorID
        self.createdAtMs = createdAtMs
        self.memberCount = memberCount
        self.lastMessageID = lastMessageID
        self.isMember = isMember
        self.unreadCount = unreadCount
        self.mentionCount = mentionCount
        self.lastReadID = lastReadID
        self.memberIDs = memberIDs
        self.members = members
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, topic, purpose, archived, members
        case workspaceID = "workspace_id"
        case creatorID = "creator_id"
        case createdAtMs = "created_at_ms"
        case memberCount = "member_count"
        case lastMessageID = "last_message_id"
        case isMember = "is_member"
        case unreadCount = "unread_count"
        case mentionCount = "mention_count"
        case lastReadID = "last_read_id"
        case memberIDs = "member_ids"
        case preferences
    }
}

extension Channel {
    /// Channels written before purposes and archiving existed decode as not archived.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Snowflake.self, forKey: .id), workspaceID: try c.decode(Snowflake.self, forKey: .workspaceID),
                  name: try c.decode(String.self, forKey: .name), kind: try c.decode(ChannelKind.self, forKey: .kind),
                  topic: try c.decode(String.self, forKey: .topic),
                  purpose: try c.decodeIfPresent(String.self, forKey: .purpose) ?? "",
                  archived: try c.decodeIfPresent(Bool.self, forKey: .archived) ?? false,
                  creatorID: try c.decode(Snowflake.self, forKey: .creatorID),
                  createdAtMs: try c.decode(UInt64.self, forKey: .createdAtMs),
                  memberCount: try c.decode(Int.self, forKey: .memberCount),
                  lastMessageID: try c.decodeIfPresent(Snowflake.self, forKey: .lastMessageID),
                  isMember: try c.decodeIfPresent(Bool.self, forKey: .isMember),
                  unreadCount: try c.decodeIfPresent(Int.self, forKey: .unreadCount),
                  mentionCount: try c.decodeIfPresent(Int.self, forKey: .mentionCount),
                  lastReadID: try c.decodeIfPresent(Snowflake.self, forKey: .lastReadID),
                  memberIDs: try c.decodeIfPresent([Snowflake].self, forKey: .memberIDs),
                  members: try c.decodeIfPresent([Snowflake].self, forKey: .members))
        preferences = try c.decodeIfPresent(ChannelPreferences.self, forKey: .preferences)
    }

    /// The channel as everyone sees it: no caller-specific fields.
    public var withoutViewerFields: Channel {
        var copy = self
        copy.isMember = nil
        copy.unreadCount = nil
        copy.mentionCount = nil
        copy.lastReadID = nil
        copy.preferences = nil
        copy.members = nil
        return copy
    }
}
