import Foundation

// The edge feed: one WebSocket per (edge, workspace) at the origin's
// `/edge/feed?workspace_id=W&after=SEQ&edge_id=E&region=R&public_url=U`, authenticated by
// the `X-Edge-Key` header. Origin → edge (``FeedMessage``): an optional snapshot in chunks,
// `snapshot_end`, then every event of the workspace with its scope; edge → origin
// (``FeedCommand``): commands on behalf of users whose tokens the edge verified.

/// One membership as the snapshot carries it: the read position and the counts it implies.
public struct MembershipState: Codable, Sendable, Equatable {
    public var channelID: Snowflake
    public var userID: Snowflake
    public var lastReadID: Snowflake?
    public var unreadCount: Int
    public var mentionCount: Int
    /// Set only when the member chose other than the defaults.
    public var preferences: ChannelPreferences?

    public init(channelID: Snowflake, userID: Snowflake, lastReadID: Snowflake?, unreadCount: Int, mentionCount: Int,
                preferences: ChannelPreferences? = nil) {
        self.preferences = preferences
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
        case preferences
    }
}

/// What a snapshot chunk holds.
public enum SnapshotKind: String, Codable, Sendable, CaseIterable {
    case workspace, users, channels, memberships, messages, follows
    /// Sign-outs whose tokens have not expired (``SessionRevocation``).
    case revocations
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

    /// The user a command acts for: none for heartbeats and the edge's connection counts
    /// (bookkeeping, which must go on whatever the user's state).
    public var actingUserID: Snowflake? {
        switch self {
        case .send(let send): send.userID
        case .typing(let typing): typing.userID
        case .read(let read): read.userID
        case .setPresence(let presence): presence.userID
        case .presence, .presenceSync, .heartbeat: nil
        }
    }

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

        /// What `encode(to:)` writes, without `JSONEncoder` (one per post an edge forwards).
        public func write(to json: inout JSONWriter) {
            json.raw(#"{"ref":"#)
            json.string(ref)
            json.raw(#","user_id":"#)
            json.id(userID)
            json.raw(",")
            GatewayCommand.Send.writeFields(to: &json, channelID: channelID, content: content, nonce: nonce,
                                            threadID: threadID, alsoToChannel: alsoToChannel)
            json.raw("}")
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

    public enum Op: String, Sendable {
        case send, presence, typing, read, heartbeat
        case presenceSync = "presence_sync"
        case setPresence = "set_presence"
    }

    public var op: Op {
        switch self {
        case .send: .send
        case .presence: .presence
        case .presenceSync: .presenceSync
        case .typing: .typing
        case .read: .read
        case .setPresence: .setPresence
        case .heartbeat: .heartbeat
        }
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws(SwitchboardError) -> FeedCommand {
        try IncomingFrame.decode(bytes) { frame throws(SwitchboardError) in
            guard let op = Op(rawValue: frame.op) else { throw .badRequest("unknown feed op '\(frame.op)'") }
            switch op {
            case .send: return .send(try frame.payload(Send.self))
            case .presence: return .presence(try frame.payload(Presence.self))
            case .presenceSync: return .presenceSync(try frame.payload(PresenceSync.self))
            case .typing: return .typing(try frame.payload(UserChannel.self))
            case .read: return .read(try frame.payload(Read.self))
            case .setPresence: return .setPresence(try frame.payload(SetPresence.self))
            case .heartbeat: return .heartbeat
            }
        }
    }

    public func encoded() -> [UInt8] {
        func frame(_ d: some Encodable) -> [UInt8] { encodeFrame(op: op.rawValue, d) }
        switch self {
        case .send(let d): return writeFrame(op: "send", payloadBytes: 160 + d.content.utf8.count) { d.write(to: &$0) }
        case .presence(let d): return frame(d)
        case .presenceSync(let d): return frame(d)
        case .typing(let d): return frame(d)
        case .read(let d): return frame(d)
        case .setPresence(let d): return frame(d)
        case .heartbeat: return frame(EmptyResponse())
        }
    }
}

/// `presence_state.d`: every user of the workspace who is not offline.
public struct PresenceState: Codable, Sendable, Equatable {
    public var statuses: [Snowflake: PresenceStatus]
    public init(statuses: [Snowflake: PresenceStatus]) { self.statuses = statuses }
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
