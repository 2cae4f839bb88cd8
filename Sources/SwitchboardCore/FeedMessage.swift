import Foundation

/// An origin → edge feed message, decoded once. Each WebSocket text message is a header — a
/// one-line JSON object naming what it is — then, for messages that carry one, a newline and
/// the payload, the bytes the origin encoded when the change committed:
///
///     {"op":"event","seq":42,"t":"message.created","channel_id":"…","created_at_ms":…}
///     {"id":"…","channel_id":"…","content":"…",…}
///
/// Compact JSON never holds a raw newline, so the first one ends the header: the payload is
/// taken as it is (to be stored, or forwarded to clients) without being searched for.
public enum FeedMessage: Sendable {
    /// A chunk of the snapshot: the payload is a JSON array of `kind`.
    case snapshot(SnapshotKind, items: Data)
    /// The snapshot is complete; events after `seq` follow.
    case snapshotEnd(seq: UInt64)
    /// The log's last position when the feed started: a copy that has applied it is current.
    case position(seq: UInt64)
    /// Who is not offline, when the feed starts.
    case presenceState(PresenceState)
    /// A logged event (`seq` > 0) or an ephemeral one (typing, presence: `seq` 0).
    case event(FeedEvent)
    /// A forwarded `send` was committed: the message as the origin wrote it, for the edge to
    /// pass on to its client without decoding it.
    case ack(ref: String, message: EncodedMessage)
    /// A command was refused (`ref` names the `send`, if it was one).
    case error(ref: String?, SwitchboardError)
    /// The origin is there: sent every few seconds whatever else is going on, so that an edge
    /// can tell a silent origin (a blackholed path) from a busy one.
    case heartbeat

    public enum Op: String, Codable, Sendable {
        case snapshot
        case snapshotEnd = "snapshot_end"
        case position
        case presenceState = "presence_state"
        case event
        case ack
        case error
        case heartbeat
    }

    struct Header: Codable {
        var op: Op
        var seq: UInt64?
        var t: EventType?
        var kind: SnapshotKind?
        var channelID: Snowflake?
        var userID: Snowflake?
        var createdAtMs: UInt64?
        var ref: String?
        var code: String?
        var message: String?
        var retryAfterMs: Int?

        init(op: Op, seq: UInt64? = nil, t: EventType? = nil, kind: SnapshotKind? = nil, ref: String? = nil) {
            self.op = op
            self.seq = seq
            self.t = t
            self.kind = kind
            self.ref = ref
        }

        enum CodingKeys: String, CodingKey {
            case op, seq, t, kind, ref, code, message
            case channelID = "channel_id"
            case userID = "user_id"
            case createdAtMs = "created_at_ms"
            case retryAfterMs = "retry_after_ms"
        }
    }

    // MARK: Reading

    /// Reads one feed message. An event whose payload this edge cannot read still comes
    /// through (its `content` is nil), so its position is kept and nothing after it is lost.
    public init(decoding bytes: some Collection<UInt8>) throws {
        let data = Data(bytes)
        let newline = data.firstIndex(of: UInt8(ascii: "\n"))
        let header = try JSON.decoder().decode(Header.self, from: data[..<(newline ?? data.endIndex)])
        let payload = newline.map { data[data.index(after: $0)...] } ?? Data()
        func need<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw FeedMessageError.missing(field, header.op) }
            return value
        }
        switch header.op {
        case .snapshot: self = .snapshot(try need(header.kind, "kind"), items: Data(payload))
        case .snapshotEnd: self = .snapshotEnd(seq: try need(header.seq, "seq"))
        case .position: self = .position(seq: try need(header.seq, "seq"))
        case .presenceState: self = .presenceState(try JSON.decoder().decode(PresenceState.self, from: payload))
        case .event:
            let type = try need(header.t, "t")
            let content: EventContent?
            do {
                content = try EventContent(type: type, userID: header.userID, payload: payload)
            } catch {
                content = nil
            }
            self = .event(FeedEvent(seq: header.seq ?? 0, type: type, channelID: header.channelID, userID: header.userID,
                                    createdAtMs: header.createdAtMs ?? 0, payload: [UInt8](payload), content: content))
        case .ack: self = .ack(ref: try need(header.ref, "ref"), message: try EncodedMessage(json: [UInt8](payload)))
        case .error:
            let code = ErrorCode(rawValue: try need(header.code, "code")) ?? .internalError
            self = .error(ref: header.ref, SwitchboardError(code, header.message ?? "", retryAfterMs: header.retryAfterMs))
        case .heartbeat: self = .heartbeat
        }
    }

    // MARK: Writing (the origin's side: each encoded once, however many edges take it)

    public static func snapshot(_ kind: SnapshotKind, items: some Encodable) throws -> [UInt8] {
        frame(Header(op: .snapshot, kind: kind), payload: [UInt8](try JSON.encode(items)))
    }

    public static func snapshotEnd(seq: UInt64) -> [UInt8] { frame(Header(op: .snapshotEnd, seq: seq)) }

    public static func position(seq: UInt64) -> [UInt8] { frame(Header(op: .position, seq: seq)) }

    public static func heartbeat() -> [UInt8] { frame(Header(op: .heartbeat)) }

    public static func presenceState(_ statuses: [Snowflake: PresenceStatus]) throws -> [UInt8] {
        frame(Header(op: .presenceState), payload: [UInt8](try JSON.encode(PresenceState(statuses: statuses))))
    }

    /// A logged event with its position and scope. Written by hand: it is the hot path.
    public static func event(_ event: WorkspaceEvent) -> [UInt8] {
        var bytes = Array(#"{"op":"event","seq":\#(event.seq),"t":"\#(event.type.rawValue)""#.utf8)
        bytes.reserveCapacity(bytes.count + event.payload.count + 96)
        if let channel = event.channelID { bytes += Array(#","channel_id":"\#(channel)""#.utf8) }
        if let user = event.userID { bytes += Array(#","user_id":"\#(user)""#.utf8) }
        bytes += Array(#","created_at_ms":\#(event.createdAtMs)}"#.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes += event.payload
        return bytes
    }

    /// An ephemeral event (typing, presence): no position.
    public static func ephemeral(_ type: EventType, payload: [UInt8]) -> [UInt8] {
        Array(#"{"op":"event","t":"\#(type.rawValue)"}"#.utf8) + [UInt8(ascii: "\n")] + payload
    }

    /// Written by hand, as `event`: one per post.
    public static func ack(ref: String, message: Message) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + message.content.utf8.count)
        json.raw(#"{"op":"ack","ref":"#)
        json.string(ref)
        json.raw("}\n")
        message.write(to: &json, omittingDefaults: false)
        return json.bytes
    }

    public static func error(_ error: SwitchboardError, ref: String? = nil) -> [UInt8] {
        var header = Header(op: .error, ref: ref)
        header.code = error.code.rawValue
        header.message = error.message
        header.retryAfterMs = error.retryAfterMs
        return frame(header)
    }

    private static func frame(_ header: Header, payload: [UInt8]? = nil) -> [UInt8] {
        // A header is a few plain fields: encoding it cannot fail.
        var bytes = [UInt8]((try? JSON.encode(header)) ?? Data(#"{"op":"error","code":"internal_error"}"#.utf8))
        if let payload {
            bytes.append(UInt8(ascii: "\n"))
            bytes += payload
        }
        return bytes
    }
}

/// An event as the feed carries it: position, scope, the committed bytes and their decoding.
public struct FeedEvent: Sendable {
    /// Position in the workspace's log; 0 for an ephemeral event.
    public var seq: UInt64
    public var type: EventType
    public var channelID: Snowflake?
    public var userID: Snowflake?
    public var createdAtMs: UInt64
    /// The payload as committed, handed on untouched.
    public var payload: [UInt8]
    /// Nil when this build cannot read the payload (a newer origin): skipped, position kept.
    public var content: EventContent?

    public init(seq: UInt64, type: EventType, channelID: Snowflake?, userID: Snowflake?, createdAtMs: UInt64 = 0,
                payload: [UInt8], content: EventContent?) {
        self.seq = seq
        self.type = type
        self.channelID = channelID
        self.userID = userID
        self.createdAtMs = createdAtMs
        self.payload = payload
        self.content = content
    }

    /// Decodes `payload` (for tests and tools that build events by hand).
    public init(seq: UInt64, type: EventType, channelID: Snowflake? = nil, userID: Snowflake? = nil, payload: Data) throws {
        self.init(seq: seq, type: type, channelID: channelID, userID: userID, payload: [UInt8](payload),
                  content: try EventContent(type: type, userID: userID, payload: payload))
    }

    public var isLogged: Bool { seq > 0 }
}

public enum FeedMessageError: Error, CustomStringConvertible {
    case missing(String, FeedMessage.Op)

    public var description: String {
        switch self {
        case .missing(let field, let op): "a feed \(op.rawValue) message without \(field)"
        }
    }
}
