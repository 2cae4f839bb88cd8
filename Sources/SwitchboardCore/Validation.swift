/// Input rules shared by the servers (which enforce them) and clients (which may pre-check).
public enum Validation {
    /// Message content: not blank, at most ``Limits/maxContentCharacters`` characters.
    public static func content(_ content: String) throws(SwitchboardError) -> String {
        if content.allSatisfy(\.isWhitespace) { throw .badRequest("content must not be empty") }
        if content.count > Limits.maxContentCharacters {
            throw .badRequest("content is longer than \(Limits.maxContentCharacters) characters")
        }
        return content
    }

    /// A handle: 1–40 of `a-z 0-9 . _ -`, starting with a letter or digit; stored lowercase.
    public static func handle(_ handle: String) throws(SwitchboardError) -> String {
        let lower = handle.lowercased()
        guard !lower.isEmpty, lower.utf8.count <= Limits.maxHandleLength,
              lower.utf8.allSatisfy(isHandleByte), let first = lower.utf8.first, isAlnum(first) else {
            throw .badRequest("handle must be 1-\(Limits.maxHandleLength) characters of a-z, 0-9, '.', '_' or '-'")
        }
        return lower
    }

    /// A new password: 8–256 bytes (long passphrases welcome; the hash's input is bounded).
    public static func password(_ password: String) throws(SwitchboardError) -> String {
        guard password.utf8.count >= 8, password.utf8.count <= 256 else {
            throw .badRequest("password must be 8-256 bytes")
        }
        return password
    }

    /// A channel name: 1–80 of `a-z 0-9 _ -`; stored lowercase.
    public static func channelName(_ name: String) throws(SwitchboardError) -> String {
        var lower = name.lowercased()
        if lower.hasPrefix("#") { lower.removeFirst() }
        guard !lower.isEmpty, lower.utf8.count <= Limits.maxChannelNameLength,
              lower.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw .badRequest("channel name must be 1-\(Limits.maxChannelNameLength) characters of a-z, 0-9, '-' or '_'")
        }
        return lower
    }

    /// A free-text profile field or topic: bounded, no control characters.
    public static func text(_ value: String, field: String, max: Int = Limits.maxProfileFieldLength,
                            allowEmpty: Bool = true) throws(SwitchboardError) -> String {
        if !allowEmpty && value.allSatisfy(\.isWhitespace) { throw .badRequest("\(field) must not be empty") }
        if value.count > max { throw .badRequest("\(field) is longer than \(max) characters") }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .badRequest("\(field) must not contain control characters")
        }
        return value
    }

    /// An emoji name (`thumbsup`, `+1`) or an emoji character; no spaces or slashes.
    public static func emoji(_ emoji: String) throws(SwitchboardError) -> String {
        guard !emoji.isEmpty, emoji.utf8.count <= Limits.maxEmojiLength,
              !emoji.unicodeScalars.contains(where: { $0.value <= 0x20 || $0 == "/" || $0 == ":" || $0.value == 0x7F }) else {
            throw .badRequest("emoji must be a name like 'thumbsup' or an emoji character")
        }
        return emoji
    }

    /// A client nonce: 1–128 printable ASCII characters.
    public static func nonce(_ nonce: String) throws(SwitchboardError) -> String {
        guard !nonce.isEmpty, nonce.utf8.count <= Limits.maxNonceLength,
              nonce.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .badRequest("nonce must be 1-\(Limits.maxNonceLength) printable ASCII characters")
        }
        return nonce
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    private static func isHandleByte(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
