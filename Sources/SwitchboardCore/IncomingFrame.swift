import Foundation

/// A `{"op": ..., "d": {...}}` frame received by a server, parsed lazily: the op first, the
/// payload as whatever type the op calls for. Every failure is a `bad_request` whose message
/// says what was wrong. Shared by the gateway's and the edge feed's command decoders.
struct IncomingFrame {
    let op: String
    private let data: Data

    init(_ bytes: some Collection<UInt8>) throws(SwitchboardError) {
        data = Data(bytes)
        guard let envelope = try? JSON.decoder().decode(Envelope.self, from: data) else {
            throw .badRequest("a frame is a JSON object {\"op\": ..., \"d\": {...}}")
        }
        op = envelope.op
    }

    /// `d` as `T`.
    func payload<T: Decodable>(_ type: T.Type) throws(SwitchboardError) -> T {
        do {
            return try JSON.decoder().decode(Payload<T>.self, from: data).d
        } catch let error as DecodingError {
            throw .badRequest("\(op): \(Self.describe(error))")
        } catch {
            throw .badRequest("\(op): malformed payload")
        }
    }

    /// `d` as `T` if it is one, else nil (for payloads that may be left out).
    func optionalPayload<T: Decodable>(_ type: T.Type) -> T? {
        (try? JSON.decoder().decode(Payload<T>.self, from: data))?.d
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map(\.stringValue).filter { $0 != "d" }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context, key))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "field '\(path(context))' has the wrong type"
        case .dataCorrupted(let context): return "field '\(path(context))' is invalid"
        @unknown default: return "malformed payload"
        }
    }

    private struct Envelope: Decodable { var op: String }
    private struct Payload<D: Decodable>: Decodable { var d: D }
}

/// `{"op": ..., "d": ...}` as a client or an edge sends it.
func encodeFrame(op: String, _ d: some Encodable) -> [UInt8] {
    [UInt8]((try? JSON.encode(OutgoingFrame(op: op, d: d))) ?? Data())
}

private struct OutgoingFrame<D: Encodable>: Encodable {
    var op: String
    var d: D
}
