/// A workspace (a Slack "team", a Discord "guild").
public struct Workspace: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var name: String
    public var iconURL: String?
    public var createdAtMs: UInt64
    /// Members and channels; filled in by bootstraps.
    public var memberCount: Int?
    public var channelCount: Int?
    /// The channel every member joins.
    public var generalChannelID: Snowflake?
    /// Whether members (not only admins) may make invite links.
    public var membersMayInvite: Bool

    public init(id: Snowflake, name: String, iconURL: String? = nil, createdAtMs: UInt64,
                memberCount: Int? = nil, channelCount: Int? = nil, generalChannelID: Snowflake? = nil,
                membersMayInvite: Bool = false) {
        self.membersMayInvite = membersMayInvite
        self.id = id
        self.name = name
        self.iconURL = iconURL
        self.createdAtMs = createdAtMs
        self.memberCount = memberCount
        self.channelCount = channelCount
        self.generalChannelID = generalChannelID
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case iconURL = "icon_url"
        case createdAtMs = "created_at_ms"
        case memberCount = "member_count"
        case channelCount = "channel_count"
        case generalChannelID = "general_channel_id"
        case membersMayInvite = "members_may_invite"
    }

    /// Workspaces stored before invites existed decode as admin-only invites.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Snowflake.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                  iconURL: try c.decodeIfPresent(String.self, forKey: .iconURL),
                  createdAtMs: try c.decode(UInt64.self, forKey: .createdAtMs),
                  memberCount: try c.decodeIfPresent(Int.self, forKey: .memberCount),
                  channelCount: try c.decodeIfPresent(Int.self, forKey: .channelCount),
                  generalChannelID: try c.decodeIfPresent(Snowflake.self, forKey: .generalChannelID),
                  membersMayInvite: try c.decodeIfPresent(Bool.self, forKey: .membersMayInvite) ?? false)
    }
}
