import Foundation

/// A `{"op": ..., "d": {...}}` frame received by a server, read in one pass: the op first,
/// then the payload as whatever type the op calls for (``IncomingFrame/decode(_:_:)``). Every
/// failure is a `bad_request` whose message says what was wrong. Shared by the gateway's and
/// the edge feed's command decoders.
struct IncomingFrame {
    let op: String
    private let container: KeyedDecodingContainer<Keys>

    /// Parses `bytes` once and hands the frame to `read`, which picks the payload's type by
    /// `op`. (Reading the op and then the payload as two decodes parsed every frame twice: a
    /// `send` passes two such decoders on its way, and they were ~5 % of each server's CPU.)
    static func decode<Command>(_ bytes: some Collection<UInt8>,
                                _ read: @escaping @Sendable (IncomingFrame) throws(SwitchboardError) -> Command)
    throws(SwitchboardError) -> Command {
        let decoder = JSONDecoder()
        decoder.userInfo[.incomingFrameReader] = Reader(read: read)
        do {
            return try decoder.decode(Reading<Command>.self, from: Data(bytes)).command
        } catch let error as SwitchboardError {
            throw error
        } catch {
            throw .badRequest("a frame is a JSON object {\"op\": ..., \"d\": {...}}")
        }
    }

    /// `d` as `T`.
    func payload<T: Decodable>(_ type: T.Type) throws(SwitchboardError) -> T {
        do {
            return try container.decode(T.self, forKey: .d)
        } catch let error as DecodingError {
            throw .badRequest("\(op): \(Self.describe(error))")
        } catch {
            throw .badRequest("\(op): malformed payload")
        }
    }

    /// `d` as `T` if it is one, else nil (for payloads that may be left out).
    func optionalPayload<T: Decodable>(_ type: T.Type) -> T? {
        do {
            return try container.decodeIfPresent(T.self, forKey: .d)
        } catch {
            return nil   // left out or not a `T`: the caller's default
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            // Paths are inside `d`, which goes unsaid unless it is the field in question.
            let keys = (context.codingPath + (key.map { [$0] } ?? [])).map(\.stringValue)
            return (keys.count > 1 && keys.first == "d" ? Array(keys.dropFirst()) : keys).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context, key))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "field '\(path(context))' has the wrong type"
        case .dataCorrupted(let context): return "field '\(path(context))' is invalid"
        @unknown default: return "malformed payload"
        }
    }

    enum Keys: String, CodingKey { case op, d }

    /// The caller's `read`, handed to ``Reading`` through the decoder's `userInfo`.
    private final class Reader<Command>: Sendable {
        let read: @Sendable (IncomingFrame) throws(SwitchboardError) -> Command
        init(read: @escaping @Sendable (IncomingFrame) throws(SwitchboardError) -> Command) { self.read = read }
    }

    private struct Reading<Command>: Decodable {
        let command: Command

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            let op = try container.decode(String.self, forKey: .op)
            guard let reader = decoder.userInfo[.incomingFrameReader] as? Reader<Command> else {
                preconditionFailure("IncomingFrame.decode sets the reader")
            }
            command = try reader.read(IncomingFrame(op: op, container: container))
        }
    }
}

extension CodingUserInfoKey {
    fileprivate static let incomingFrameReader = CodingUserInfoKey(rawValue: "switchboard.incomingFrameReader")!
}

/// `{"op": ..., "d": ...}` as a client or an edge sends it.
func encodeFrame(op: String, _ d: some Encodable) -> [UInt8] {
    [UInt8]((try? JSON.encode(OutgoingFrame(op: op, d: d))) ?? Data())
}

/// The same around a payload that writes itself (a `send`: one per post).
func writeFrame(op: StaticString, payloadBytes: Int, _ writePayload: (inout JSONWriter) -> Void) -> [UInt8] {
    var json = JSONWriter(capacity: 32 + payloadBytes)
    json.raw(#"{"op":""#)
    json.raw(op)
    json.raw(#"","d":"#)
    writePayload(&json)
    json.raw("}")
    return json.bytes
}

private struct OutgoingFrame<D: Encodable>: Encodable {
    var op: String
    var d: D
}
