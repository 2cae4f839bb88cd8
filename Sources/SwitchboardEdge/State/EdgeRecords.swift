import SwitchboardCore

/// A channel as the edge keeps it: the channel, and counters from which every member's unread
/// and mention counts follow without touching each member on every message.
struct ChannelRecord: Codable, Sendable {
    var channel: Channel
    /// Timeline messages seen at this edge since the snapshot.
    var posted: UInt64 = 0
    /// Of those, the ones that said `@here` or `@channel`.
    var broadcasts: UInt64 = 0
}

/// One membership. A member's counts are their counts at the last sync point (snapshot, read
/// marker, own post, joining) plus what the channel's counters added since.
struct MemberRecord: Codable, Sendable {
    var lastReadID: Snowflake?
    var unreadBase: Int
    var mentionBase: Int
    var postedBase: UInt64
    var broadcastsBase: UInt64
    /// Direct mentions of this member since the sync point (not counting broadcasts).
    var directMentions: Int = 0
    /// The member's choices; nil for the defaults.
    var preferences: ChannelPreferences?

    func unreadCount(in channel: ChannelRecord) -> Int {
        unreadBase + Int(channel.posted - postedBase)
    }

    func mentionCount(in channel: ChannelRecord) -> Int {
        mentionBase + Int(channel.broadcasts - broadcastsBase) + directMentions
    }

    /// Resets the sync point to "these are my counts now".
    mutating func sync(lastReadID: Snowflake?, unread: Int, mentions: Int, channel: ChannelRecord) {
        self.lastReadID = lastReadID
        unreadBase = unread
        mentionBase = mentions
        postedBase = channel.posted
        broadcastsBase = channel.broadcasts
        directMentions = 0
    }
}
