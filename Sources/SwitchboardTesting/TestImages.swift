/// A PNG header (signature + IHDR) of the given size followed by `padding` bytes: enough for
/// the origin's type check and size reader.
public func pngBytes(width: Int, height: Int, padding: Int = 100) -> [UInt8] {
    func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + be32(width) + be32(height)
        + [8, 2, 0, 0, 0] + [0, 0, 0, 0] + (0..<padding).map { UInt8($0 % 251) }
}
