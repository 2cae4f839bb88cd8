/// Whether a user follows a thread — the rule of who does, in one place for the origin's
/// stores and every edge, and the row `thread.follow_changed` and edge snapshots carry.
public struct ThreadFollow: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var threadID: Snowflake
    public var userID: Snowflake
    public var following: Bool

    public init(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, following: Bool) {
        self.channelID = channelID
        self.threadID = threadID
        self.userID = userID
        self.following = following
    }

    enum CodingKeys: String, CodingKey {
        case following
        case channelID = "channel_id"
        case threadID = "thread_id"
        case userID = "user_id"
    }

    /// Who follows a thread because of a reply: its author and the members it mentions —
    /// again, even if they had unfollowed (replying or being called in is taking part).
    public static func takingPart(in reply: Message) -> [Snowflake] {
        var seen = Set<Snowflake>()
        return ([reply.authorID] + reply.mentions).filter { seen.insert($0).inserted }
    }

    /// The parent's author follows from the first reply on, unless they unfollowed: a stored
    /// `following: false` is kept (see ``takingPart(in:)`` for who overrides it).
    public static let parentAuthorFollowsUnlessUnfollowed = true
}

/// A followed thread, as `GET /api/threads` lists it.
public struct ThreadSummary: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var parent: Message
    /// Replies after `last_read_id` that others wrote.
    public var unreadReplies: Int
    public var lastReadID: Snowflake?

    public init(channelID: Snowflake, parent: Message, unreadReplies: Int, lastReadID: Snowflake?) {
        self.channelID = channelID
        self.parent = parent
        self.unreadReplies = unreadReplies
        self.lastReadID = lastReadID
    }

    enum CodingKeys: String, CodingKey {
        case parent
        case channelID = "channel_id"
        case unreadReplies = "unread_replies"
        case lastReadID = "last_read_id"
    }
}

public struct ThreadsResponse: Codable, Sendable {
    public var threads: [ThreadSummary]
    public init(threads: [ThreadSummary]) { self.threads = threads }
}
