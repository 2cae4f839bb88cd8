import Foundation
import SwitchboardCore

/// The LMDB value of a record the working set reads for every connect (channels, users): a
/// small binary *head* with the fields the first screen shows, then the record's JSON.
///
///     0x01 · head length (UInt32 LE) · head · JSON
///
/// The working set reads heads only — a few loads per field instead of a JSON decode (which
/// was ~40 % of the edge's CPU per working set at 32,000 users); everything else decodes the
/// JSON, as before. A value that starts with `{` is a record written before heads existed: it
/// is read as JSON, so an edge's existing copy stays readable.
enum FramedRecord {
    static let marker: UInt8 = 0x01

    struct Malformed: Error, CustomStringConvertible {
        var description: String { "a stored record is cut short or not in the edge's format" }
    }

    static func frame(head: [UInt8], json: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(5 + head.count + json.count)
        bytes.append(marker)
        var writer = ByteWriter()
        writer.uint32(UInt32(head.count))
        bytes += writer.bytes
        bytes += head
        bytes += json
        return bytes
    }

    /// The head (nil for a plain-JSON record) and the JSON.
    static func split(_ bytes: [UInt8]) throws -> (head: ArraySlice<UInt8>?, json: ArraySlice<UInt8>) {
        guard bytes.first == marker else { return (nil, bytes[...]) }
        var reader = ByteReader(bytes[1...])
        let length = Int(try reader.uint32())
        let head = try reader.take(length)
        return (head, bytes[reader.position...])
    }

    /// The record's JSON, as a client would be sent it.
    static func json(_ bytes: [UInt8]) throws -> [UInt8] {
        Array(try split(bytes).json)
    }
}

/// Little-endian fields, strings and arrays length-prefixed.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func uint8(_ value: UInt8) { bytes.append(value) }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func uint64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int64(_ value: Int) { uint64(UInt64(bitPattern: Int64(value))) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        uint32(UInt32(utf8.count))
        bytes += utf8
    }

    /// Snowflakes are never 0, so 0 stands for nil.
    mutating func id(_ value: Snowflake?) { uint64(value?.rawValue ?? 0) }

    mutating func ids(_ values: [Snowflake]?) {
        guard let values else { return uint32(.max) }
        uint32(UInt32(values.count))
        for value in values { uint64(value.rawValue) }
    }
}

/// Reads what ``ByteWriter`` wrote; throws ``FramedRecord/Malformed`` past the end.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// Nothing left to read (a record written before its head grew ends here).
    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, bytes.endIndex - position >= count else { throw FramedRecord.Malformed() }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func uint8() throws -> UInt8 { try take(1).first! }

    mutating func uint32() throws -> UInt32 {
        var value: UInt32 = 0
        let field = try take(4)
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: field) }
        return UInt32(littleEndian: value)
    }

    mutating func uint64() throws -> UInt64 {
        var value: UInt64 = 0
        let field = try take(8)
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: field) }
        return UInt64(littleEndian: value)
    }

    mutating func int64() throws -> Int { Int(Int64(bitPattern: try uint64())) }

    mutating func string() throws -> String {
        String(decoding: try take(Int(try uint32())), as: UTF8.self)
    }

    mutating func id() throws -> Snowflake? {
        let raw = try uint64()
        return raw == 0 ? nil : Snowflake(raw)
    }

    mutating func ids() throws -> [Snowflake]? {
        let count = try uint32()
        guard count != .max else { return nil }
        guard Int(count) <= (bytes.endIndex - position) / 8 else { throw FramedRecord.Malformed() }
        return try (0..<Int(count)).map { _ in Snowflake(try uint64()) }
    }
}
