import Foundation

// The gateway's wire format (PROTOCOL.md, "Gateway"): every frame is a JSON text message
// `{"op": "...", "d": {...}}`; events add `s` (per-session sequence) and `t` (event type).
// Pure encode / decode functions: no sockets, no logging.

/// Client → server commands.
public enum GatewayCommand: Sendable, Equatable {
    case identify(Identify)
    case resume(Resume)
    case heartbeat(Heartbeat)
    case focus(Focus)
    case presenceSubscribe(PresenceSubscribe)
    case typing(Typing)
    case send(Send)
    case read(Read)
    case setPresence(SetPresence)

    public struct Identify: Codable, Sendable, Equatable {
        public var token: String
        public var focusChannelID: Snowflake?
        public init(token: String, focusChannelID: Snowflake? = nil) {
            self.token = token
            self.focusChannelID = focusChannelID
        }
        enum CodingKeys: String, CodingKey {
            case token
            case focusChannelID = "focus_channel_id"
        }
    }

    public struct Resume: Codable, Sendable, Equatable {
        public var token: String
        public var sessionID: String
        public var s: UInt64
        public init(token: String, sessionID: String, s: UInt64) {
            self.token = token
            self.sessionID = sessionID
            self.s = s
        }
        enum CodingKeys: String, CodingKey {
            case token, s
            case sessionID = "session_id"
        }
    }

    public struct Heartbeat: Codable, Sendable, Equatable {
        public var s: UInt64?
        public init(s: UInt64?) { self.s = s }
    }

    public struct Focus: Codable, Sendable, Equatable {
        /// `null` for none.
        public var channelID: Snowflake?
        public init(channelID: Snowflake?) { self.channelID = channelID }
        enum CodingKeys: String, CodingKey { case channelID = "channel_id" }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channelID, forKey: .channelID)  // an explicit null means "no focus"
        }
    }

    public struct PresenceSubscribe: Codable, Sendable, Equatable {
        public var userIDs: [Snowflake]
        public init(userIDs: [Snowflake]) { self.userIDs = userIDs }
        enum CodingKeys: String, CodingKey { case userIDs = "user_ids" }
    }

    public struct Typing: Codable, Sendable, Equatable {
        public var channelID: Snowflake
        public init(channelID: Snowflake) { self.channelID = channelID }
        enum CodingKeys: String, CodingKey { case channelID = "channel_id" }
    }

    public struct Send: Codable, Sendable, Equatable {
        public var channelID: Snowflake
        public var content: String
        public var nonce: String
        public var threadID: Snowflake?
        public var alsoToChannel: Bool?
        public init(channelID: Snowflake, content: String, nonce: String, threadID: Snowflake? = nil, alsoToChannel: Bool? = nil) {
            self.channelID = channelID
            self.content = content
            self.nonce = nonce
            self.threadID = threadID
            self.alsoToChannel = alsoToChannel
        }
        enum CodingKeys: String, CodingKey {
            case content, nonce
            case channelID = "channel_id"
            case threadID = "thread_id"
            case alsoToChannel = "also_to_channel"
        }

        /// What `encode(to:)` writes, without `JSONEncoder` (a client's every post).
        public func write(to json: inout JSONWriter) {
            json.raw("{")
            Self.writeFields(to: &json, channelID: channelID, content: content, nonce: nonce, threadID: threadID,
                             alsoToChannel: alsoToChannel)
            json.raw("}")
        }

        /// A send's fields, as both a client's and an edge's forwarded `send` carry them.
        static func writeFields(to json: inout JSONWriter, channelID: Snowflake, content: String, nonce: String,
                                threadID: Snowflake?, alsoToChannel: Bool?) {
            json.raw(#""channel_id":"#)
            json.id(channelID)
            json.raw(#","content":"#)
            json.string(content)
            json.raw(#","nonce":"#)
            json.string(nonce)
            if let threadID {
                json.raw(#","thread_id":"#)
                json.id(threadID)
            }
            if let alsoToChannel {
                json.raw(#","also_to_channel":"#)
                json.bool(alsoToChannel)
            }
        }
    }

    public struct Read: Codable, Sendable, Equatable {
        public var channelID: Snowflake
        public var messageID: Snowflake
        public init(channelID: Snowflake, messageID: Snowflake) {
            self.channelID = channelID
            self.messageID = messageID
        }
        enum CodingKeys: String, CodingKey {
            case channelID = "channel_id"
            case messageID = "message_id"
        }
    }

    public struct SetPresence: Codable, Sendable, Equatable {
        public var status: PresenceStatus
        public init(status: PresenceStatus) { self.status = status }
    }

    public var op: String {
        switch self {
        case .identify: "identify"
        case .resume: "resume"
        case .heartbeat: "heartbeat"
        case .focus: "focus"
        case .presenceSubscribe: "presence_subscribe"
        case .typing: "typing"
        case .send: "send"
        case .read: "read"
        case .setPresence: "set_presence"
        }
    }

    /// Parses one client frame. Every failure is a ``SwitchboardError`` with code
    /// `bad_request` whose message says what was wrong.
    public static func decode(_ bytes: some Collection<UInt8>) throws(SwitchboardError) -> GatewayCommand {
        try IncomingFrame.decode(bytes) { frame throws(SwitchboardError) in
            switch frame.op {
            case "identify": return .identify(try frame.payload(Identify.self))
            case "resume": return .resume(try frame.payload(Resume.self))
            case "heartbeat": return .heartbeat(frame.optionalPayload(Heartbeat.self) ?? Heartbeat(s: nil))
            case "focus": return .focus(try frame.payload(Focus.self))
            case "presence_subscribe": return .presenceSubscribe(try frame.payload(PresenceSubscribe.self))
            case "typing": return .typing(try frame.payload(Typing.self))
            case "send": return .send(try frame.payload(Send.self))
            case "read": return .read(try frame.payload(Read.self))
            case "set_presence": return .setPresence(try frame.payload(SetPresence.self))
            default: throw .badRequest("unknown op '\(frame.op)'")
            }
        }
    }

    /// The frame a client sends for this command.
    public func encoded() -> [UInt8] {
        func frame(_ d: some Encodable) -> [UInt8] { encodeFrame(op: op, d) }
        switch self {
        case .identify(let d): return frame(d)
        case .resume(let d): return frame(d)
        case .heartbeat(let d): return frame(d)
        case .focus(let d): return frame(d)
        case .presenceSubscribe(let d): return frame(d)
        case .typing(let d): return frame(d)
        case .send(let d): return writeFrame(op: "send", payloadBytes: 96 + d.content.utf8.count) { d.write(to: &$0) }
        case .read(let d): return frame(d)
        case .setPresence(let d): return frame(d)
        }
    }
}

/// Server → client frames, encoded once into bytes.
public enum GatewayFrame {
    /// What ``Hello`` encodes to, written by hand: one per connection, and a connect storm
    /// opens thousands a second.
    public static func hello(heartbeatIntervalMs: Int, sessionID: String) -> [UInt8] {
        var json = JSONWriter(capacity: 96 + sessionID.utf8.count)
        json.raw(#"{"op":"hello","d":{"heartbeat_interval_ms":"#)
        json.number(heartbeatIntervalMs)
        json.raw(#","session_id":"#)
        json.string(sessionID)
        json.raw("}}")
        return json.bytes
    }

    /// `ready` around an already-encoded bootstrap object.
    public static func ready(bootstrap: some Sequence<UInt8>) -> [UInt8] {
        Array(#"{"op":"ready","d":{"bootstrap":"#.utf8) + bootstrap + Array("}}".utf8)
    }

    /// `event` as one array (tests, single recipients). Fan-out uses ``eventHead(s:)`` and
    /// ``EventBody`` so that the encoded payload is shared by every recipient.
    public static func event(s: UInt64, type: EventType, payload: [UInt8]) -> [UInt8] {
        eventHead(s: s) + EventBody(type, payload: payload).bytes
    }

    /// The part of an `event` frame that differs per session: `{"op":"event","s":17`, i.e.
    /// ``eventHeadPrefix`` and `s` in decimal.
    public static func eventHead(s: UInt64) -> [UInt8] {
        eventHeadPrefix + Array(String(s).utf8)
    }

    public static let eventHeadPrefix: [UInt8] = Array(#"{"op":"event","s":"#.utf8)

    public static func ack(nonce: String, message: Message) -> [UInt8] {
        ack(nonce: nonce, message: EncodedMessage(message))
    }

    /// What ``Ack`` encodes to, around a message already in JSON (an edge passes on the
    /// origin's without decoding it).
    public static func ack(nonce: String, message: EncodedMessage) -> [UInt8] {
        var json = JSONWriter(capacity: 48 + nonce.utf8.count + message.json.count)
        json.raw(#"{"op":"ack","d":{"nonce":"#)
        json.string(nonce)
        json.raw(#","message":"#)
        json.raw(message.json)
        json.raw("}}")
        return json.bytes
    }

    public static func error(_ error: SwitchboardError, nonce: String? = nil) -> [UInt8] {
        frame("error", ErrorPayload(code: error.code.rawValue, message: error.message, retryAfterMs: error.retryAfterMs, nonce: nonce))
    }

    public static func heartbeatAck() -> [UInt8] { Array(#"{"op":"heartbeat_ack","d":{}}"#.utf8) }

    public static func resumed(replayed: Int) -> [UInt8] { frame("resumed", Resumed(replayed: replayed)) }

    public static func reconnect(reason: String) -> [UInt8] { frame("reconnect", Reconnect(reason: reason)) }

    static func frame(_ op: String, _ d: some Encodable) -> [UInt8] {
        [UInt8]((try? JSON.encode(Envelope(op: op, d: d))) ?? Data())
    }

    struct Envelope<D: Encodable>: Encodable {
        var op: String
        var d: D
    }

    public struct Hello: Codable, Sendable, Equatable {
        public var heartbeatIntervalMs: Int
        public var sessionID: String
        enum CodingKeys: String, CodingKey {
            case heartbeatIntervalMs = "heartbeat_interval_ms"
            case sessionID = "session_id"
        }
    }

    public struct Ack: Codable, Sendable, Equatable {
        public var nonce: String
        public var message: Message
    }

    public struct ErrorPayload: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var retryAfterMs: Int?
        /// The `send` this error answers, if any.
        public var nonce: String?
        enum CodingKeys: String, CodingKey {
            case code, message, nonce
            case retryAfterMs = "retry_after_ms"
        }
    }

    public struct Resumed: Codable, Sendable, Equatable {
        public var replayed: Int
    }

    public struct Reconnect: Codable, Sendable, Equatable {
        public var reason: String
    }
}

/// A server frame as a client reads it: the envelope fields, and `d` decoded on demand into
/// whatever type the op and event type call for.
public struct ServerFrame: Sendable, CustomStringConvertible {
    public let op: String
    /// Per-session sequence of an `event`.
    public let s: UInt64?
    /// Event type of an `event` (raw, so that types newer than this build still parse).
    public let t: String?
    /// The whole frame.
    public let raw: Data

    public init(_ raw: Data) throws {
        self.raw = raw
        // Events, the bulk of the traffic, are written `{"op":"event","s":N,"t":"…","d":…}`:
        // read those three fields straight from the bytes. Other frames of the servers' own
        // layout, `{"op":"ready","d":…}`, are read by their op (a `ready` is tens of KB that a
        // full decode would scan only to find it). Anything else is decoded in full.
        if let fast = Self.scanEvent(raw) {
            (op, s, t) = ("event", fast.s, fast.t)
            return
        }
        if let fast = Self.scanOp(raw) {
            (op, s, t) = (fast, nil, nil)
            return
        }
        let envelope = try JSON.decoder().decode(Envelope.self, from: raw)
        op = envelope.op
        s = envelope.s
        t = envelope.t
    }

    private static let eventPrefix = Array(#"{"op":"event","s":"#.utf8)
    private static let typeMarker = Array(#","t":""#.utf8)

    /// `s` and `t` of an event frame in the servers' own layout, or nil.
    static func scanEvent(_ raw: Data) -> (s: UInt64, t: String)? {
        raw.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> (s: UInt64, t: String)? in
            guard bytes.count > eventPrefix.count + typeMarker.count, bytes.starts(with: eventPrefix) else { return nil }
            var index = eventPrefix.count, s: UInt64 = 0, digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 19 {
                s = s * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            guard digits > 0, bytes[index...].starts(with: typeMarker) else { return nil }
            let typeStart = index + typeMarker.count
            guard let typeEnd = bytes[typeStart...].firstIndex(of: UInt8(ascii: "\"")),
                  bytes[typeStart..<typeEnd].allSatisfy({ $0 != UInt8(ascii: "\\") }) else { return nil }
            return (s, String(decoding: UnsafeRawBufferPointer(rebasing: bytes[typeStart..<typeEnd]), as: UTF8.self))
        }
    }

    private static let opPrefix = Array(#"{"op":""#.utf8)
    private static let payloadMarker = Array(#"","d":"#.utf8)

    /// The op of a frame written `{"op":"…","d":…}` other than an event (which carries `s`
    /// and `t`), or nil.
    static func scanOp(_ raw: Data) -> String? {
        raw.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            guard bytes.count > opPrefix.count + payloadMarker.count, bytes.starts(with: opPrefix),
                  bytes.last == UInt8(ascii: "}") else { return nil }
            let opStart = opPrefix.count
            guard let opEnd = bytes[opStart...].firstIndex(of: UInt8(ascii: "\"")), opEnd > opStart,
                  bytes[opStart..<opEnd].allSatisfy({ $0 != UInt8(ascii: "\\") }),
                  bytes[opEnd...].starts(with: payloadMarker) else { return nil }
            let op = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[opStart..<opEnd]), as: UTF8.self)
            return op == "event" ? nil : op
        }
    }

    public var eventType: EventType? { t.flatMap(EventType.init(rawValue:)) }

    /// Decodes `d` as `T`.
    public func payload<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.decoder().decode(Payload<T>.self, from: raw).d
    }

    public var description: String { String(decoding: raw.prefix(300), as: UTF8.self) }

    private struct Envelope: Decodable {
        var op: String
        var s: UInt64?
        var t: String?
    }

    private struct Payload<D: Decodable>: Decodable { var d: D }
}

/// `ready.d`: the bootstrap the server chose (full at the origin, working set at an edge).
public struct ReadyPayload<Bootstrap: Decodable & Sendable>: Decodable, Sendable {
    public var bootstrap: Bootstrap
}

/// The shared part of an `event` frame, `,"t":"message.created","d":{...}}`, encoded once per
/// event and handed to every recipient.
public struct EventBody: Sendable {
    public let type: EventType
    public let bytes: [UInt8]

    public init(_ type: EventType, payload: some Collection<UInt8>) {
        self.type = type
        var bytes = Array(#","t":""#.utf8)
        bytes.reserveCapacity(bytes.count + payload.count + 32)
        bytes += Array(type.rawValue.utf8)
        bytes += Array(#"","d":"#.utf8)
        bytes += payload
        bytes.append(UInt8(ascii: "}"))
        self.bytes = bytes
    }

    /// Encodes `value` as the payload.
    public init(_ type: EventType, encoding value: some Encodable) {
        self.init(type, payload: [UInt8]((try? JSON.encode(value)) ?? Data("{}".utf8)))
    }
}
