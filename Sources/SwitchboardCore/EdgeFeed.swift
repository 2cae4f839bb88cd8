import Foundation

// The edge feed: one WebSocket per (edge, workspace) at the origin's
// `/edge/feed?workspace_id=W&after=SEQ&edge_id=E&region=R&public_url=U`, authenticated by
// the `X-Edge-Key` header. Origin → edge: an optional snapshot in chunks, `snapshot_end`,
// then every event of the workspace with its scope; edge → origin: commands on behalf of
// users whose tokens the edge verified.

/// One membership as the snapshot carries it: the read position and the counts it implies.
public struct MembershipState: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    public var lastReadID: Snowflake?
    public var unreadCount: Int
    public var mentionCount: Int

    public init(channelID: Snowflake, userID: Snowflake, lastReadID: Snowflake?, unreadCount: Int, mentionCount: Int) {
        self.channelID = channelID
        self.userID = userID
        self.lastReadID = lastReadID
        self.unreadCount = unreadCount
        self.mentionCount = mentionCount
    }

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id"
        case userID = "user_id"
        case lastReadID = "last_read_id"
        case unreadCount = "unread_count"
        case mentionCount = "mention_count"
    }
}

/// What a snapshot chunk holds.
public enum SnapshotKind: String, Codable, Sendable, CaseIterable {
    case workspace, users, channels, memberships, messages
}

/// Edge → origin commands.
public enum FeedCommand: Sendable, Equatable {
    /// Post as `user_id`; answered by `ack {ref, message}` after the commit, or `error {ref}`.
    case send(Send)
    /// A user's connection count at this edge changed by `delta`.
    case presence(Presence)
    /// Every user's connection count at this edge (sent after (re)connecting).
    case presenceSync(PresenceSync)
    case typing(UserChannel)
    case read(Read)
    case setPresence(SetPresence)
    case heartbeat

    public struct Send: Codable, Sendable, Equatable {
        public var ref: String
        public var userID: Snowflake
        public var channelID: Snowflake
        public var content: String
        public var nonce: String
        public var threadID: Snowflake?
        public var alsoToChannel: Bool?
        public init(ref: String, userID: Snowflake, channelID: Snowflake, content: String, nonce: String,
                    threadID: Snowflake? = nil, alsoToChannel: Bool? = nil) {
            self.ref = ref
            self.userID = userID
            self.channelID = channelID
            self.content = content
            self.nonce = nonce
            self.threadID = threadID
            self.alsoToChannel = alsoToChannel
        }
        enum CodingKeys: String, CodingKey {
            case ref, content, nonce
            case userID = "user_id"
            case channelID = "channel_id"
            case threadID = "thread_id"
            case alsoToChannel = "also_to_channel"
        }
    }

    public struct Presence: Codable, Sendable, Equatable {
        public var userID: Snowflake
        public var delta: Int
        public init(userID: Snowflake, delta: Int) {
            self.userID = userID
            self.delta = delta
        }
        enum CodingKeys: String, CodingKey {
            case delta
            case userID = "user_id"
        }
    }

    public struct PresenceSync: Codable, Sendable, Equatable {
        public var connections: [Snowflake: Int]
        public init(connections: [Snowflake: Int]) { self.connections = connections }
    }

    public struct UserChannel: Codable, Sendable, Equatable {
        public var userID: Snowflake
        public var channelID: Snowflake
        public init(userID: Snowflake, channelID: Snowflake) {
            self.userID = userID
            self.channelID = channelID
        }
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case channelID = "channel_id"
        }
    }

    public struct Read: Codable, Sendable, Equatable {
        public var userID: Snowflake
        public var channelID: Snowflake
        public var messageID: Snowflake
        public init(userID: Snowflake, channelID: Snowflake, messageID: Snowflake) {
            self.userID = userID
            self.channelID = channelID
            self.messageID = messageID
        }
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case channelID = "channel_id"
            case messageID = "message_id"
        }
    }

    public struct SetPresence: Codable, Sendable, Equatable {
        public var userID: Snowflake
        public var status: PresenceStatus
        public init(userID: Snowflake, status: PresenceStatus) {
            self.userID = userID
            self.status = status
        }
        enum CodingKeys: String, CodingKey {
            case status
            case userID = "user_id"
        }
    }

    public var op: String {
        switch self {
        case .send: "send"
        case .presence: "presence"
        case .presenceSync: "presence_sync"
        case .typing: "typing"
        case .read: "read"
        case .setPresence: "set_presence"
        case .heartbeat: "heartbeat"
        }
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws(SwitchboardError) -> FeedCommand {
        let frame = try IncomingFrame(bytes)
        switch frame.op {
        case "send": return .send(try frame.payload(Send.self))
        case "presence": return .presence(try frame.payload(Presence.self))
        case "presence_sync": return .presenceSync(try frame.payload(PresenceSync.self))
        case "typing": return .typing(try frame.payload(UserChannel.self))
        case "read": return .read(try frame.payload(Read.self))
        case "set_presence": return .setPresence(try frame.payload(SetPresence.self))
        case "heartbeat": return .heartbeat
        default: throw .badRequest("unknown feed op '\(frame.op)'")
        }
    }

    public func encoded() -> [UInt8] {
        func frame(_ d: some Encodable) -> [UInt8] { encodeFrame(op: op, d) }
        switch self {
        case .send(let d): return frame(d)
        case .presence(let d): return frame(d)
        case .presenceSync(let d): return frame(d)
        case .typing(let d): return frame(d)
        case .read(let d): return frame(d)
        case .setPresence(let d): return frame(d)
        case .heartbeat: return frame(EmptyResponse())
        }
    }
}

/// Origin → edge frames, encoded once.
public enum FeedFrame {
    /// A chunk of the snapshot: `{"op":"snapshot","kind":"users","d":[...]}`.
    public static func snapshot(_ kind: SnapshotKind, items: some Encodable) -> [UInt8] {
        Array(#"{"op":"snapshot","kind":""#.utf8) + Array(kind.rawValue.utf8) + Array(#"","d":"#.utf8)
            + [UInt8]((try? JSON.encode(items)) ?? Data("[]".utf8)) + [UInt8(ascii: "}")]
    }

    /// The snapshot is complete; events after `seq` follow.
    public static func snapshotEnd(seq: UInt64) -> [UInt8] {
        Array(#"{"op":"snapshot_end","d":{"seq":\#(seq)}}"#.utf8)
    }

    /// A logged event with its sequence number and scope.
    public static func event(_ event: WorkspaceEvent) -> [UInt8] {
        var bytes = Array(#"{"op":"event","seq":\#(event.seq),"t":"\#(event.type.rawValue)""#.utf8)
        if let channel = event.channelID { bytes += Array(#","channel_id":"\#(channel)""#.utf8) }
        if let user = event.userID { bytes += Array(#","user_id":"\#(user)""#.utf8) }
        bytes += Array(#","created_at_ms":\#(event.createdAtMs),"d":"#.utf8)
        bytes += event.payload
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The log position the feed will have caught up with once every event up to `seq` has
    /// come: sent when a feed starts, so an edge knows when its copy is current.
    public static func position(seq: UInt64) -> [UInt8] {
        Array(#"{"op":"position","d":{"seq":\#(seq)}}"#.utf8)
    }

    /// Who is not offline in the workspace, sent when a feed starts; later changes follow as
    /// `presence.changed` events.
    public static func presenceState(_ statuses: [Snowflake: PresenceStatus]) -> [UInt8] {
        encodeFrame(op: "presence_state", PresenceState(statuses: statuses))
    }

    /// An ephemeral event (typing, presence): no sequence number.
    public static func ephemeral(_ type: EventType, payload: [UInt8]) -> [UInt8] {
        Array(#"{"op":"event","t":"\#(type.rawValue)","d":"#.utf8) + payload + [UInt8(ascii: "}")]
    }

    public static func ack(ref: String, message: Message) -> [UInt8] {
        struct Ack: Encodable {
            var op = "ack"
            var d: Body
            struct Body: Encodable {
                var ref: String
                var message: Message
            }
        }
        return [UInt8]((try? JSON.encode(Ack(d: .init(ref: ref, message: message)))) ?? Data())
    }

    public static func error(_ error: SwitchboardError, ref: String? = nil) -> [UInt8] {
        struct ErrorFrame: Encodable {
            var op = "error"
            var d: Body
            struct Body: Encodable {
                var ref: String?
                var code: String
                var message: String
                var retryAfterMs: Int?
                enum CodingKeys: String, CodingKey {
                    case ref, code, message
                    case retryAfterMs = "retry_after_ms"
                }
            }
        }
        return [UInt8]((try? JSON.encode(ErrorFrame(d: .init(ref: ref, code: error.code.rawValue, message: error.message,
                                                               retryAfterMs: error.retryAfterMs)))) ?? Data())
    }
}

/// `presence_state.d`: every user of the workspace who is not offline.
public struct PresenceState: Codable, Sendable, Equatable {
    public var statuses: [Snowflake: PresenceStatus]
    public init(statuses: [Snowflake: PresenceStatus]) { self.statuses = statuses }
}

/// An origin → edge frame as the edge reads it.
public struct FeedServerFrame: Sendable {
    public let op: String
    public let seq: UInt64?
    public let t: String?
    public let kind: SnapshotKind?
    public let channelID: Snowflake?
    public let userID: Snowflake?
    public let createdAtMs: UInt64?
    public let raw: Data

    public init(_ raw: Data) throws {
        let envelope = try JSON.decoder().decode(Envelope.self, from: raw)
        op = envelope.op
        seq = envelope.seq
        t = envelope.t
        kind = envelope.kind
        channelID = envelope.channelID
        userID = envelope.userID
        createdAtMs = envelope.createdAtMs
        self.raw = raw
    }

    public var eventType: EventType? { t.flatMap(EventType.init(rawValue:)) }

    public func payload<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decoder().decode(Payload<T>.self, from: raw).d
    }

    /// The bytes of `d`, untouched, so they can be stored or forwarded without re-encoding.
    /// The origin writes `d` as the last member of every feed frame; anything else is
    /// re-encoded from a parse.
    public func payloadBytes() throws -> Data {
        let marker = Array(#","d":"#.utf8)
        let bytes = [UInt8](raw)
        if bytes.last == UInt8(ascii: "}"), let start = Self.firstIndex(of: marker, in: bytes) {
            return Data(bytes[(start + marker.count)..<(bytes.count - 1)])
        }
        guard let object = try JSONSerialization.jsonObject(with: raw, options: [.fragmentsAllowed]) as? [String: Any],
              let d = object["d"] else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no d")) }
        return try JSONSerialization.data(withJSONObject: d, options: [.fragmentsAllowed])
    }

    private static func firstIndex(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count else { return nil }
        for index in 0...(bytes.count - marker.count) where bytes[index] == marker[0] {
            if Array(bytes[index..<(index + marker.count)]) == marker { return index }
        }
        return nil
    }

    private struct Envelope: Decodable {
        var op: String
        var seq: UInt64?
        var t: String?
        var kind: SnapshotKind?
        var channelID: Snowflake?
        var userID: Snowflake?
        var createdAtMs: UInt64?
        enum CodingKeys: String, CodingKey {
            case op, seq, t, kind
            case channelID = "channel_id"
            case userID = "user_id"
            case createdAtMs = "created_at_ms"
        }
    }

    private struct Payload<D: Decodable>: Decodable { var d: D }
}

/// `GET /api/edges`: the edges connected to this origin.
public struct EdgeInfo: Codable, Sendable, Equatable {
    public var id: String
    public var region: String
    public var publicURL: String
    public var workspaceIDs: [Snowflake]
    public var connectedAtMs: UInt64

    public init(id: String, region: String, publicURL: String, workspaceIDs: [Snowflake], connectedAtMs: UInt64) {
        self.id = id
        self.region = region
        self.publicURL = publicURL
        self.workspaceIDs = workspaceIDs
        self.connectedAtMs = connectedAtMs
    }

    enum CodingKeys: String, CodingKey {
        case id, region
        case publicURL = "public_url"
        case workspaceIDs = "workspace_ids"
        case connectedAtMs = "connected_at_ms"
    }
}

public struct EdgesResponse: Codable, Sendable {
    public var edges: [EdgeInfo]
    public init(edges: [EdgeInfo]) { self.edges = edges }
}

/// `PUT /api/edges/{edge_id}` (edge key): an edge announcing where clients reach it.
public struct EdgeRegistration: Codable, Sendable, Equatable {
    public var region: String
    public var publicURL: String

    public init(region: String, publicURL: String) {
        self.region = region
        self.publicURL = publicURL
    }

    enum CodingKeys: String, CodingKey {
        case region
        case publicURL = "public_url"
    }
}
