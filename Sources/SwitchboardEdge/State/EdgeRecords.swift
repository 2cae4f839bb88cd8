import Foundation
import SwitchboardCore

/// A channel's message counters, from which each member's unread and mention counts follow.
protocol ChannelCounters {
    /// Timeline messages seen at this edge since the snapshot.
    var posted: UInt64 { get }
    /// Of those, the ones that said `@here` or `@channel`.
    var broadcasts: UInt64 { get }
}

/// A channel as the edge keeps it: the channel, and counters from which every member's unread
/// and mention counts follow without touching each member on every message.
struct ChannelRecord: Codable, Sendable, ChannelCounters {
    var channel: Channel
    var posted: UInt64 = 0
    var broadcasts: UInt64 = 0

    /// What the sidebar shows of it, stored ahead of its JSON (see ``FramedRecord``).
    var head: ChannelHead {
        ChannelHead(id: channel.id, name: channel.name, kind: channel.kind, memberCount: channel.memberCount,
                    lastMessageID: channel.lastMessageID, memberIDs: channel.kind.isDirect ? channel.memberIDs : nil,
                    posted: posted, broadcasts: broadcasts)
    }

    /// A stored record with `head` in place of its own and its JSON as it was. Only a head's
    /// last message and counters may differ from the JSON's: every post changes them, and
    /// decoding and re-encoding the channel's JSON was ~10 % of the edge's CPU per post.
    static func withHead(_ head: ChannelHead, ofStored bytes: [UInt8]) throws -> [UInt8] {
        var writer = ByteWriter()
        head.write(to: &writer)
        return FramedRecord.frame(head: writer.bytes, json: Array(try FramedRecord.split(bytes).json))
    }

    /// The head of a stored record, without decoding its JSON (unless it has no head).
    static func head(ofStored bytes: [UInt8]) throws -> ChannelHead {
        let (head, json) = try FramedRecord.split(bytes)
        guard let head else { return try EdgeStore.decode(ChannelRecord.self, Array(json)).head }
        var reader = ByteReader(head)
        return try ChannelHead(reading: &reader)
    }
}

extension ChannelRecord {
    /// A stored record, whole. The head's counters and last message win over the JSON's: a
    /// post updates the head alone (see ``withHead(_:ofStored:)``).
    init(stored bytes: [UInt8]) throws {
        let (head, json) = try FramedRecord.split(bytes)
        self = try EdgeStore.decoder.decode(ChannelRecord.self, from: Data(json))
        guard let head else { return }
        var reader = ByteReader(head)
        let current = try ChannelHead(reading: &reader)
        (channel.lastMessageID, posted, broadcasts) = (current.lastMessageID, current.posted, current.broadcasts)
    }
}

/// The fields of a channel its sidebar entry needs, with its counters.
struct ChannelHead: Equatable, ChannelCounters {
    var id: Snowflake
    var name: String
    var kind: ChannelKind
    var memberCount: Int
    var lastMessageID: Snowflake?
    /// DMs only: who is in them.
    var memberIDs: [Snowflake]?
    var posted: UInt64
    var broadcasts: UInt64

    func write(to writer: inout ByteWriter) {
        writer.id(id)
        writer.string(name)
        writer.string(kind.rawValue)
        writer.int64(memberCount)
        writer.id(lastMessageID)
        writer.ids(memberIDs)
        writer.uint64(posted)
        writer.uint64(broadcasts)
    }
}

extension ChannelHead {
    init(reading reader: inout ByteReader) throws {
        guard let id = try reader.id() else { throw FramedRecord.Malformed() }
        self.id = id
        name = try reader.string()
        guard let kind = ChannelKind(rawValue: try reader.string()) else { throw FramedRecord.Malformed() }
        self.kind = kind
        memberCount = try reader.int64()
        lastMessageID = try reader.id()
        memberIDs = try reader.ids()
        posted = try reader.uint64()
        broadcasts = try reader.uint64()
    }
}

/// One membership. A member's counts are their counts at the last sync point (snapshot, read
/// marker, own post, joining) plus what the channel's counters added since.
struct MemberRecord: Codable, Sendable, Equatable {
    var lastReadID: Snowflake?
    var unreadBase: Int
    var mentionBase: Int
    var postedBase: UInt64
    var broadcastsBase: UInt64
    /// Direct mentions of this member since the sync point (not counting broadcasts).
    var directMentions: Int = 0
    /// The member's choices; nil for the defaults.
    var preferences: ChannelPreferences?

    func unreadCount(in channel: some ChannelCounters) -> Int {
        unreadBase + Int(channel.posted - postedBase)
    }

    func mentionCount(in channel: some ChannelCounters) -> Int {
        mentionBase + Int(channel.broadcasts - broadcastsBase) + directMentions
    }

    /// Resets the sync point to "these are my counts now".
    mutating func sync(lastReadID: Snowflake?, unread: Int, mentions: Int, channel: some ChannelCounters) {
        self.lastReadID = lastReadID
        unreadBase = unread
        mentionBase = mentions
        postedBase = channel.posted
        broadcastsBase = channel.broadcasts
        directMentions = 0
    }

    // MARK: Stored form: binary, read for every channel of every working set

    static let marker: UInt8 = 0x02

    var stored: [UInt8] {
        var writer = ByteWriter()
        writer.uint8(Self.marker)
        writer.id(lastReadID)
        writer.int64(unreadBase)
        writer.int64(mentionBase)
        writer.uint64(postedBase)
        writer.uint64(broadcastsBase)
        writer.int64(directMentions)
        if let preferences {
            writer.uint8(1)
            writer.string(preferences.level.rawValue)
            writer.uint8(preferences.muted ? 1 : 0)
        } else {
            writer.uint8(0)
        }
        return writer.bytes
    }
}

extension MemberRecord {
    /// Reads ``stored``, or the JSON of a record written before it.
    init(stored bytes: [UInt8]) throws {
        guard bytes.first == Self.marker else {
            self = try EdgeStore.decoder.decode(MemberRecord.self, from: Data(bytes))
            return
        }
        var reader = ByteReader(bytes[1...])
        lastReadID = try reader.id()
        unreadBase = try reader.int64()
        mentionBase = try reader.int64()
        postedBase = try reader.uint64()
        broadcastsBase = try reader.uint64()
        directMentions = try reader.int64()
        if try reader.uint8() == 1 {
            guard let level = NotificationLevel(rawValue: try reader.string()) else { throw FramedRecord.Malformed() }
            preferences = ChannelPreferences(level: level, muted: try reader.uint8() == 1)
        } else {
            preferences = nil
        }
    }
}

extension User {
    /// The working set's short profile, then what decides whether the user's tokens are
    /// accepted, stored ahead of the user's JSON (see ``FramedRecord``).
    var storedHead: [UInt8] {
        var writer = ByteWriter()
        writer.id(id)
        writer.string(handle)
        writer.string(displayName)
        writer.string(avatar.image48)
        writer.uint8(deleted ? 1 : 0)
        writer.uint64(sessionsValidFromMs)
        writer.uint64(createdAtMs)
        return writer.bytes
    }

    /// The short profile of a stored user, without decoding its JSON (unless it has no head).
    static func short(ofStored bytes: [UInt8]) throws -> UserShort {
        let (head, json) = try FramedRecord.split(bytes)
        guard let head else { return try EdgeStore.decode(User.self, Array(json)).short }
        var reader = ByteReader(head)
        return try readShort(&reader)
    }

    /// Whether a stored user's tokens are accepted, without decoding their JSON (unless it has
    /// no head, or a head written before it carried this).
    static func tokenHolder(ofStored bytes: [UInt8]) throws -> TokenHolder {
        let (head, json) = try FramedRecord.split(bytes)
        if let head {
            var reader = ByteReader(head)
            _ = try readShort(&reader)
            if !reader.isAtEnd {
                return TokenHolder(deleted: try reader.uint8() == 1, sessionsValidFromMs: try reader.uint64(),
                                   createdAtMs: try reader.uint64())
            }
        }
        return try EdgeStore.decode(User.self, Array(json)).tokenHolder
    }

    private static func readShort(_ reader: inout ByteReader) throws -> UserShort {
        guard let id = try reader.id() else { throw FramedRecord.Malformed() }
        return UserShort(id: id, handle: try reader.string(), displayName: try reader.string(), image48: try reader.string())
    }
}

/// What the working set needs of a stored message without decoding it: who wrote it, whom it
/// mentions (their short profiles go with it), its reactions and whether it has attachments.
///
/// The reactions live here, not in the stored JSON, because each viewer sees them differently
/// (`me`): the working set writes them from the head after the JSON. A message with attachments
/// is decoded, since its URLs are signed per request.
struct MessageHead: Equatable {
    var id: Snowflake
    var authorID: Snowflake
    var mentions: [Snowflake]
    var reactions: [Reaction]
    var hasAttachments: Bool

    init(_ message: Message) {
        (id, authorID, mentions, reactions, hasAttachments) =
            (message.id, message.authorID, message.mentions, message.reactions, !message.attachments.isEmpty)
    }

    func write(to writer: inout ByteWriter) {
        writer.id(id)
        writer.id(authorID)
        writer.ids(mentions)
        writer.uint8(hasAttachments ? 1 : 0)
        writer.uint32(UInt32(reactions.count))
        for reaction in reactions {
            writer.string(reaction.emoji)
            writer.int64(reaction.count)
            writer.uint8(reaction.me ? 1 : 0)
            writer.ids(reaction.userIDs)
        }
    }

    init(reading reader: inout ByteReader) throws {
        guard let id = try reader.id(), let authorID = try reader.id() else { throw FramedRecord.Malformed() }
        (self.id, self.authorID) = (id, authorID)
        mentions = try reader.ids() ?? []
        hasAttachments = try reader.uint8() == 1
        let count = Int(try reader.uint32())
        guard count <= 10_000 else { throw FramedRecord.Malformed() }
        reactions = try (0..<count).map { _ in
            Reaction(emoji: try reader.string(), count: try reader.int64(), me: try reader.uint8() == 1, userIDs: try reader.ids())
        }
    }
}

extension Message {
    /// The stored form (see ``FramedRecord``): the ``MessageHead``, then the message's compact
    /// JSON without its reactions (they are in the head).
    var stored: [UInt8] {
        var head = ByteWriter()
        MessageHead(self).write(to: &head)
        var withoutReactions = self
        withoutReactions.reactions = []
        return FramedRecord.frame(head: head.bytes, json: withoutReactions.json(omittingDefaults: true))
    }

    /// The head of a stored message and its JSON (without reactions); the head is nil for a
    /// message stored before heads existed, whose JSON is the whole message.
    static func head(ofStored bytes: [UInt8]) throws -> (head: MessageHead?, json: ArraySlice<UInt8>) {
        let (head, json) = try FramedRecord.split(bytes)
        guard let head else { return (nil, json) }
        var reader = ByteReader(head)
        return (try MessageHead(reading: &reader), json)
    }

    /// A stored message, whole.
    init(stored bytes: [UInt8]) throws {
        let (head, json) = try Self.head(ofStored: bytes)
        self = try EdgeStore.decoder.decode(Message.self, from: Data(json))
        if let head { reactions = head.reactions }
    }
}
