/// Writes JSON straight into bytes, for the payloads hot enough that Foundation's encoder shows
/// in a profile: the working set is written for every connect, and `JSONEncoder` (a container
/// box per value, a key lookup per field) was ~15 % of the edge's CPU per connect at 32,000
/// users. Types keep their `Codable` conformance as the reference: each `write(to:)` produces
/// what the compact encoder (``JSON/compactEncoder()``) means, which the tests check field by field.
///
/// The structural parts are passed as literals (`#","name":"#`); strings are escaped as
/// RFC 8259 requires (quote, backslash, control characters), everything else passes as UTF-8.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// JSON text written as is: punctuation and keys.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes that are already JSON (a record's stored wire form).
    public mutating func raw(_ json: some Collection<UInt8>) {
        bytes.append(contentsOf: json)
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var clean = utf8.startIndex
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                Self.escape(byte, into: &bytes)
                clean = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// A snowflake as the API writes it: a decimal string.
    public mutating func id(_ value: Snowflake) {
        bytes.append(UInt8(ascii: "\""))
        digits(value.rawValue)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `[` ids `]`.
    public mutating func ids(_ values: [Snowflake]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            id(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `[` each element as `write` writes it, comma-separated `]`.
    public mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func number(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        digits(value.magnitude)
    }

    public mutating func number(_ value: UInt64) { digits(value) }

    public mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    /// A value only its `Codable` conformance writes (rare, small: a channel's preferences).
    public mutating func encoded(_ value: some Encodable) throws {
        bytes.append(contentsOf: try JSON.encodeCompact(value))
    }

    private mutating func digits(_ value: some UnsignedInteger & FixedWidthInteger) {
        guard value != 0 else { return bytes.append(UInt8(ascii: "0")) }
        // At most 20 decimal digits in 64 bits, written backwards into a fixed buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var rest = UInt64(value), start = 20
            while rest > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<20]))
        }
    }

    private static func escape(_ byte: UInt8, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
