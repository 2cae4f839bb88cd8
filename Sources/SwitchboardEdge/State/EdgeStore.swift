import Foundation
import LMDB
import SwitchboardCore

/// The edge's copy of its workspaces, in LMDB: users, channels, memberships with read state,
/// the latest messages of each channel, and the last applied sequence number — which is
/// written in the same transaction as the events it covers, so a restarted edge resumes the
/// feed exactly where its data ends.
///
/// Keys start with the workspace id (big-endian), then the ids that make the entry:
///   meta           ws · "s" → seq · ws · "w" → workspace
///   users          ws · user → User (short-profile head + JSON, see ``FramedRecord``)
///   channels       ws · channel → ChannelRecord (sidebar head + JSON)
///   members        ws · channel · user → MemberRecord (binary)
///   userChannels   ws · user · channel → (empty): the channels of a user
///   messages       ws · channel · message → Message (the latest N timeline messages)
///   threads        ws · thread · user → [1] following / [0] unfollowed (the origin's follows)
///   revoked        ws · session id → expiry (ms, big-endian): signed-out tokens, refused here
public final class EdgeStore: Sendable {
    let env: LMDBEnvironment
    let meta: LMDBDatabase
    let users: LMDBDatabase
    let channels: LMDBDatabase
    let members: LMDBDatabase
    let userChannels: LMDBDatabase
    let messages: LMDBDatabase
    let threads: LMDBDatabase
    let revoked: LMDBDatabase
    /// Messages kept per channel.
    public let messagesPerChannel: Int

    public init(directory: String, mapSize: Int, maxReaders: UInt32 = 512, messagesPerChannel: Int = 50,
                durable: Bool = true) throws {
        env = try LMDBEnvironment(directory: directory, mapSize: mapSize, maxReaders: maxReaders, maxDatabases: 12,
                                  durable: durable)
        meta = try env.database("meta")
        users = try env.database("users")
        channels = try env.database("channels")
        members = try env.database("members")
        userChannels = try env.database("user_channels")
        messages = try env.database("messages")
        threads = try env.database("threads")
        revoked = try env.database("revoked")
        self.messagesPerChannel = messagesPerChannel
    }

    // MARK: Keys

    static func key(_ ids: Snowflake...) -> [UInt8] { ids.flatMap { LMDBKey.uint64($0.rawValue) } }
    static func metaKey(_ workspaceID: Snowflake, _ name: String) -> [UInt8] { key(workspaceID) + Array(name.utf8) }
    static func id(_ key: [UInt8], at index: Int) -> Snowflake { Snowflake(LMDBKey.readUInt64(key, at: index * 8)) }

    static let encoder = JSON.encoder()
    static let compactEncoder = JSON.compactEncoder()
    static let decoder = JSON.decoder()

    // MARK: Values
    // JSON, except where the working set reads a record for every connect: channels, users and
    // messages are stored with a binary head ahead of their JSON (``FramedRecord``), memberships
    // in binary. These overloads are the one place that decides; call sites say `encode`/`decode`.

    static func encode(_ value: some Encodable) throws -> [UInt8] { [UInt8](try encoder.encode(value)) }

    static func encode(_ record: ChannelRecord) throws -> [UInt8] {
        var head = ByteWriter()
        record.head.write(to: &head)
        return FramedRecord.frame(head: head.bytes, json: [UInt8](try encoder.encode(record)))
    }

    static func encode(_ user: User) throws -> [UInt8] {
        FramedRecord.frame(head: user.storedHead, json: [UInt8](try encoder.encode(user)))
    }

    static func encode(_ member: MemberRecord) throws -> [UInt8] { member.stored }

    /// In the compact form a client is sent, which loses nothing (every left-out field has a
    /// default), so a message goes into the working set as it is stored (see ``MessageHead``).
    static func encode(_ message: Message) throws -> [UInt8] { message.stored }

    /// Any record's JSON, framed or not.
    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try decoder.decode(type, from: Data(try FramedRecord.split(bytes).json))
    }

    static func decode(_ type: ChannelRecord.Type, _ bytes: [UInt8]) throws -> ChannelRecord {
        try ChannelRecord(stored: bytes)
    }

    static func decode(_ type: MemberRecord.Type, _ bytes: [UInt8]) throws -> MemberRecord {
        try MemberRecord(stored: bytes)
    }

    static func decode(_ type: Message.Type, _ bytes: [UInt8]) throws -> Message {
        try Message(stored: bytes)
    }

    // MARK: Position

    /// The last sequence number applied for the workspace; nil if it was never fully synced
    /// (or a snapshot was cut short): then the feed must start with a snapshot.
    public func seq(_ workspaceID: Snowflake) throws -> UInt64? {
        try env.read { txn in try txn.get(meta, Self.metaKey(workspaceID, "s")).map { LMDBKey.readUInt64($0) } }
    }

    /// Workspaces this edge holds a complete copy of.
    public func syncedWorkspaces() throws -> [Snowflake] {
        var result: [Snowflake] = []
        try env.read { txn in
            try txn.scan(meta) { key, _ in
                if key.count == 9, key[8] == UInt8(ascii: "s") { result.append(Self.id(key, at: 0)) }
                return true
            }
        }
        return result
    }

    /// Forces an environment flush (for stores opened non-durable).
    public func sync() throws { try env.sync() }
}
