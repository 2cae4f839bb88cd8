import Foundation

/// The protocol's JSON coders. Keys are spelled out by each type's `CodingKeys`, so no key
/// strategy is applied; output keys are sorted only where tests need stable bytes.
public enum JSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        JSONDecoder()
    }

    public static func encode(_ value: some Encodable) throws -> Data {
        try encoder().encode(value)
    }

    /// The coder of what clients get most of — event payloads and the working set: fields at
    /// their default values are left out (a message's `reply_count: 0`, `reactions: []`,
    /// `mentions: []`, `attachments: []`, false flags). Decoders take a missing field as its
    /// default, so both forms read the same.
    public static func compactEncoder() -> JSONEncoder {
        let encoder = encoder()
        encoder.userInfo[.omitsDefaults] = true
        return encoder
    }

    public static func encodeCompact(_ value: some Encodable) throws -> Data {
        try compactEncoder().encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder().decode(type, from: data)
    }
}

extension CodingUserInfoKey {
    /// Set by ``JSON/compactEncoder()``: leave out fields at their default values.
    public static let omitsDefaults = CodingUserInfoKey(rawValue: "switchboard.omitsDefaults")!
}

extension Encoder {
    var omitsDefaults: Bool { userInfo[.omitsDefaults] as? Bool == true }
}
