import Foundation
import Hummingbird
import SwitchboardCore

// Request helpers shared by the origin's and the edge's HTTP APIs.

extension RequestContext {
    /// A path parameter that must be a Snowflake; `bad_request` otherwise.
    public func id(_ name: String) throws -> Snowflake {
        guard let raw = parameters.get(name), let id = Snowflake(raw) else {
            throw SwitchboardError.badRequest("'\(name)' is not a valid id")
        }
        return id
    }
}

extension Request {
    /// An optional query parameter that must be a Snowflake when present.
    public func queryID(_ name: String) throws -> Snowflake? {
        guard let raw = uri.queryParameters[name[...]].map(String.init), !raw.isEmpty else { return nil }
        guard let id = Snowflake(raw) else { throw SwitchboardError.badRequest("query parameter '\(name)' is not a valid id") }
        return id
    }

    /// An optional integer query parameter.
    public func queryInt(_ name: String) throws -> Int? {
        guard let raw = uri.queryParameters[name[...]].map(String.init), !raw.isEmpty else { return nil }
        guard let value = Int(raw) else { throw SwitchboardError.badRequest("query parameter '\(name)' must be an integer") }
        return value
    }

    public func queryString(_ name: String) -> String? {
        uri.queryParameters[name[...]].map { String($0) }
    }

    /// Decodes a JSON body; decoding problems become `bad_request` with a readable message.
    /// The body decoded as `type`; with `orIfEmpty`, an empty body is that value.
    public func json<T: Decodable>(_ type: T.Type, context: some RequestContext, limit: Int? = nil,
                                   orIfEmpty empty: T? = nil) async throws -> T {
        let buffer = try await body.collect(upTo: limit ?? context.maxUploadSize)
        if let empty, buffer.readableBytes == 0 { return empty }
        do {
            return try JSON.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw SwitchboardError.badRequest(error.readableDescription)
        }
    }
}

extension DecodingError {
    /// "missing field 'content'", "field 'limit' has the wrong type", "malformed JSON".
    public var readableDescription: String {
        func path(_ context: Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .keyNotFound(let key, let context): return "missing field '\(path(context, key))'"
        case .typeMismatch(_, let context): return "field '\(path(context))' has the wrong type"
        case .valueNotFound(_, let context): return "field '\(path(context))' must not be null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed JSON body" : "field '\(path(context))' is invalid: \(context.debugDescription)"
        @unknown default: return "malformed JSON body"
        }
    }
}
