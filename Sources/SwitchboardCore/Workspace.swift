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

    public init(id: Snowflake, name: String, iconURL: String? = nil, createdAtMs: UInt64,
                memberCount: Int? = nil, channelCount: Int? = nil, generalChannelID: Snowflake? = nil) {
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
    }
}
