import Foundation

/// A message as the API returns it. `reactions[].me` is relative to the caller.
public struct Message: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var channelID: Snowflake
    public var authorID: Snowflake
    public var content: String
    public var createdAtMs: UInt64
    public var editedAtMs: UInt64?
    /// The thread parent, for a reply.
    public var threadID: Snowflake?
    /// A reply that was also posted to the channel.
    public var alsoToChannel: Bool
    public var replyCount: Int
    public var latestReplyID: Snowflake?
    public var reactions: [Reaction]
    /// Users mentioned with `<@id>`.
    public var mentions: [Snowflake]
    public var mentionsHere: Bool
    public var mentionsChannel: Bool
    public var attachments: [Attachment]
    /// Previews of the links in `content`, added after the post by the origin's unfurler
    /// (absent until then).
    public var linkPreviews: [LinkPreview]?

    public init(id: Snowflake, channelID: Snowflake, authorID: Snowflake, content: String, createdAtMs: UInt64,
                editedAtMs: UInt64? = nil, threadID: Snowflake? = nil, alsoToChannel: Bool = false,
                replyCount: Int = 0, latestReplyID: Snowflake? = nil, reactions: [Reaction] = [],
                mentions: [Snowflake] = [], mentionsHere: Bool = false, mentionsChannel: Bool = false,
                attachments: [Attachment] = [], linkPreviews: [LinkPreview]? = nil) {
        self.linkPreviews = linkPreviews
        self.id = id
        self.channelID = channelID
        self.authorID = authorID
        self.content = content
        self.createdAtMs = createdAtMs
        self.editedAtMs = editedAtMs
        self.threadID = threadID
        self.alsoToChannel = alsoToChannel
        self.replyCount = replyCount
        self.latestReplyID = latestReplyID
        self.reactions = reactions
        self.mentions = mentions
        self.mentionsHere = mentionsHere
        self.mentionsChannel = mentionsChannel
        self.attachments = attachments
    }

    enum CodingKeys: String, CodingKey {
        case id, content, reactions, mentions, attachments
        case linkPreviews = "link_previews"
        case channelID = "channel_id"
        case authorID = "author_id"
        case createdAtMs = "created_at_ms"
        case editedAtMs = "edited_at_ms"
        case threadID = "thread_id"
        case alsoToChannel = "also_to_channel"
        case replyCount = "reply_count"
        case latestReplyID = "latest_reply_id"
        case mentionsHere = "mentions_here"
        case mentionsChannel = "mentions_channel"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Snowflake.self, forKey: .id)
        channelID = try c.decode(Snowflake.self, forKey: .channelID)
        authorID = try c.decode(Snowflake.self, forKey: .authorID)
        content = try c.decode(String.self, forKey: .content)
        createdAtMs = try c.decode(UInt64.self, forKey: .createdAtMs)
        editedAtMs = try c.decodeIfPresent(UInt64.self, forKey: .editedAtMs)
        threadID = try c.decodeIfPresent(Snowflake.self, forKey: .threadID)
        alsoToChannel = try c.decodeIfPresent(Bool.self, forKey: .alsoToChannel) ?? false
        replyCount = try c.decodeIfPresent(Int.self, forKey: .replyCount) ?? 0
        latestReplyID = try c.decodeIfPresent(Snowflake.self, forKey: .latestReplyID)
        reactions = try c.decodeIfPresent([Reaction].self, forKey: .reactions) ?? []
        mentions = try c.decodeIfPresent([Snowflake].self, forKey: .mentions) ?? []
        mentionsHere = try c.decodeIfPresent(Bool.self, forKey: .mentionsHere) ?? false
        mentionsChannel = try c.decodeIfPresent(Bool.self, forKey: .mentionsChannel) ?? false
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
        linkPreviews = try c.decodeIfPresent([LinkPreview].self, forKey: .linkPreviews)
    }

    /// Every field, or (``JSON/compactEncoder()``) those not at their default values.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let all = !encoder.omitsDefaults
        try c.encode(id, forKey: .id)
        try c.encode(channelID, forKey: .channelID)
        try c.encode(authorID, forKey: .authorID)
        try c.encode(content, forKey: .content)
        try c.encode(createdAtMs, forKey: .createdAtMs)
        try c.encodeIfPresent(editedAtMs, forKey: .editedAtMs)
        try c.encodeIfPresent(threadID, forKey: .threadID)
        if all || alsoToChannel { try c.encode(alsoToChannel, forKey: .alsoToChannel) }
        if all || replyCount != 0 { try c.encode(replyCount, forKey: .replyCount) }
        try c.encodeIfPresent(latestReplyID, forKey: .latestReplyID)
        if all || !reactions.isEmpty { try c.encode(reactions, forKey: .reactions) }
        if all || !mentions.isEmpty { try c.encode(mentions, forKey: .mentions) }
        if all || mentionsHere { try c.encode(mentionsHere, forKey: .mentionsHere) }
        if all || mentionsChannel { try c.encode(mentionsChannel, forKey: .mentionsChannel) }
        if all || !attachments.isEmpty { try c.encode(attachments, forKey: .attachments) }
        try c.encodeIfPresent(linkPreviews, forKey: .linkPreviews)
    }

    /// What `encode(to:)` writes — every field, or with `omittingDefaults` those not at their
    /// default values — without `JSONEncoder`: a message is encoded on every post for the log,
    /// the feed's and the gateway's `ack` and the edge's copy, and Foundation's encoder was
    /// ~10 % of the origin's and the edge's CPU per post.
    public func write(to json: inout JSONWriter, omittingDefaults: Bool) {
        let all = !omittingDefaults
        json.raw(#"{"id":"#)
        json.id(id)
        json.raw(#","channel_id":"#)
        json.id(channelID)
        json.raw(#","author_id":"#)
        json.id(authorID)
        json.raw(#","content":"#)
        json.string(content)
        json.raw(#","created_at_ms":"#)
        json.number(createdAtMs)
        if let editedAtMs {
            json.raw(#","edited_at_ms":"#)
            json.number(editedAtMs)
        }
        if let threadID {
            json.raw(#","thread_id":"#)
            json.id(threadID)
        }
        if all || alsoToChannel {
            json.raw(#","also_to_channel":"#)
            json.bool(alsoToChannel)
        }
        if all || replyCount != 0 {
            json.raw(#","reply_count":"#)
            json.number(replyCount)
        }
        if let latestReplyID {
            json.raw(#","latest_reply_id":"#)
            json.id(latestReplyID)
        }
        if all || !reactions.isEmpty {
            json.raw(#","reactions":"#)
            json.array(reactions) { $1.write(to: &$0) }
        }
        if all || !mentions.isEmpty {
            json.raw(#","mentions":"#)
            json.ids(mentions)
        }
        if all || mentionsHere {
            json.raw(#","mentions_here":"#)
            json.bool(mentionsHere)
        }
        if all || mentionsChannel {
            json.raw(#","mentions_channel":"#)
            json.bool(mentionsChannel)
        }
        if all || !attachments.isEmpty {
            json.raw(#","attachments":"#)
            json.array(attachments) { $1.write(to: &$0) }
        }
        if let linkPreviews {
            json.raw(#","link_previews":"#)
            json.array(linkPreviews) { $1.write(to: &$0) }
        }
        json.raw("}")
    }

    /// The message's JSON as ``write(to:omittingDefaults:)`` writes it.
    public func json(omittingDefaults: Bool) -> [UInt8] {
        var json = JSONWriter(capacity: 192 + content.utf8.count)
        write(to: &json, omittingDefaults: omittingDefaults)
        return json.bytes
    }
}

/// A message as JSON bytes, passed on without being decoded: the origin's `ack` of a send an
/// edge forwarded goes to the client as the origin wrote it.
public struct EncodedMessage: Sendable, Equatable {
    /// A JSON object: every field of the message (the form `ack` frames carry).
    public let json: [UInt8]

    public init(_ message: Message) {
        json = message.json(omittingDefaults: false)
    }

    /// Bytes read off a feed; only an object's braces are checked — what is inside is the origin's.
    public init(json: [UInt8]) throws {
        guard json.first == UInt8(ascii: "{"), json.last == UInt8(ascii: "}") else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a message is a JSON object"))
        }
        self.json = json
    }

    public func decoded() throws -> Message {
        try JSON.decode(Message.self, from: Data(json))
    }
}

/// What a link in a message points to, read from the page's Open Graph tags and `<title>`.
public struct LinkPreview: Codable, Sendable, Equatable {
    public var url: String
    public var title: String?
    public var description: String?
    public var imageURL: String?
    public var siteName: String?

    public init(url: String, title: String? = nil, description: String? = nil, imageURL: String? = nil, siteName: String? = nil) {
        self.url = url
        self.title = title
        self.description = description
        self.imageURL = imageURL
        self.siteName = siteName
    }

    enum CodingKeys: String, CodingKey {
        case url, title, description
        case imageURL = "image_url"
        case siteName = "site_name"
    }

    /// What `encode(to:)` writes, without `JSONEncoder`.
    public func write(to json: inout JSONWriter) {
        json.raw(#"{"url":"#)
        json.string(url)
        if let title {
            json.raw(#","title":"#)
            json.string(title)
        }
        if let description {
            json.raw(#","description":"#)
            json.string(description)
        }
        if let imageURL {
            json.raw(#","image_url":"#)
            json.string(imageURL)
        }
        if let siteName {
            json.raw(#","site_name":"#)
            json.string(siteName)
        }
        json.raw("}")
    }
}

/// One emoji's reactions on a message.
public struct Reaction: Codable, Sendable, Equatable {
    public var emoji: String
    public var count: Int
    /// Whether the caller is among those who reacted.
    public var me: Bool
    /// Who reacted: only in the edge feed's snapshot, so an edge can answer `me` for anyone.
    public var userIDs: [Snowflake]?

    public init(emoji: String, count: Int, me: Bool, userIDs: [Snowflake]? = nil) {
        self.emoji = emoji
        self.count = count
        self.me = me
        self.userIDs = userIDs
    }

    enum CodingKeys: String, CodingKey {
        case emoji, count, me
        case userIDs = "user_ids"
    }

    /// As `viewer` sees it: `me` from who reacted, where that is known (an edge's copy).
    public func presented(to viewer: Snowflake) -> Reaction {
        Reaction(emoji: emoji, count: count, me: userIDs?.contains(viewer) ?? me)
    }

    /// What `encode(to:)` writes, without `JSONEncoder`.
    public func write(to json: inout JSONWriter) {
        json.raw(#"{"emoji":"#)
        json.string(emoji)
        json.raw(#","count":"#)
        json.number(count)
        json.raw(#","me":"#)
        json.bool(me)
        if let userIDs {
            json.raw(#","user_ids":"#)
            json.ids(userIDs)
        }
        json.raw("}")
    }
}

/// A file attached to a message.
public struct Attachment: Codable, Sendable, Equatable {
    public var id: Snowflake
    public var name: String
    public var size: Int
    public var contentType: String
    public var url: String
    public var width: Int?
    public var height: Int?

    public init(id: Snowflake, name: String, size: Int, contentType: String, url: String,
                width: Int? = nil, height: Int? = nil) {
        self.id = id
        self.name = name
        self.size = size
        self.contentType = contentType
        self.url = url
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case id, name, size, url, width, height
        case contentType = "content_type"
    }

    /// What `encode(to:)` writes, without `JSONEncoder`.
    public func write(to json: inout JSONWriter) {
        json.raw(#"{"id":"#)
        json.id(id)
        json.raw(#","name":"#)
        json.string(name)
        json.raw(#","size":"#)
        json.number(size)
        json.raw(#","content_type":"#)
        json.string(contentType)
        json.raw(#","url":"#)
        json.string(url)
        if let width {
            json.raw(#","width":"#)
            json.number(width)
        }
        if let height {
            json.raw(#","height":"#)
            json.number(height)
        }
        json.raw("}")
    }
}
