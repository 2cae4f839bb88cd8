/// A 64-bit, time-ordered identifier: 42 bits of milliseconds since 2025-01-01T00:00:00Z,
/// 10 bits of worker id, 12 bits of per-millisecond sequence.
///
/// Written in JSON as a decimal string (`"123456789"`) so that clients whose numbers are
/// IEEE doubles (JavaScript) never lose precision.
public struct Snowflake: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// 2025-01-01T00:00:00Z in milliseconds since the Unix epoch.
    public static let epochMs: UInt64 = 1_735_689_600_000
    public static let workerBits = 10
    public static let sequenceBits = 12
    public static let maxWorker: UInt64 = (1 << UInt64(workerBits)) - 1
    public static let maxSequence: UInt64 = (1 << UInt64(sequenceBits)) - 1

    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Parses a decimal string of 1–20 ASCII digits; anything else is `nil`.
    public init?(_ string: some StringProtocol) {
        guard !string.isEmpty, string.utf8.count <= 20,
              string.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = UInt64(string) else { return nil }
        self.rawValue = value
    }

    /// Builds an id from its parts (used by the generator and by range queries on time).
    public init(timestampMs: UInt64, worker: UInt64, sequence: UInt64) {
        let elapsed = timestampMs > Self.epochMs ? timestampMs - Self.epochMs : 0
        self.rawValue = (elapsed << UInt64(Self.workerBits + Self.sequenceBits))
            | ((worker & Self.maxWorker) << UInt64(Self.sequenceBits))
            | (sequence & Self.maxSequence)
    }

    /// Milliseconds since the Unix epoch at which this id was made.
    public var timestampMs: UInt64 { (rawValue >> UInt64(Self.workerBits + Self.sequenceBits)) + Self.epochMs }
    public var worker: UInt64 { (rawValue >> UInt64(Self.sequenceBits)) & Self.maxWorker }
    public var sequence: UInt64 { rawValue & Self.maxSequence }

    public var description: String { String(rawValue) }

    /// The database representation. Ids stay below 2^63 until the year 2164.
    public var int64: Int64 { Int64(bitPattern: rawValue) }
    public init(int64: Int64) { self.rawValue = UInt64(bitPattern: int64) }

    public static func < (lhs: Snowflake, rhs: Snowflake) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Snowflake: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let id = Snowflake(string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "an id is a decimal string")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Snowflake: CodingKeyRepresentable {
    public var codingKey: any CodingKey { SnowflakeKey(stringValue: description) }
    public init?<T: CodingKey>(codingKey: T) { self.init(codingKey.stringValue) }

    private struct SnowflakeKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
