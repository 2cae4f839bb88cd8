/// What a message's content mentions: users written `<@ID>`, and `@here` / `@channel`.
public struct Mentions: Sendable, Equatable {
    public var userIDs: [Snowflake]
    public var here: Bool
    public var channel: Bool

    public init(userIDs: [Snowflake] = [], here: Bool = false, channel: Bool = false) {
        self.userIDs = userIDs
        self.here = here
        self.channel = channel
    }

    /// `@here`, `@channel` or `@everyone`: everyone in the channel (or all of them online) is notified.
    public var isBroadcast: Bool { here || channel }

    /// Scans `content` once. User ids are returned once each, in order of first appearance.
    /// `@here` / `@channel` count only as whole words (not inside `email@channel.org`).
    public init(parsing content: String) {
        self.init()
        var seen = Set<Snowflake>()
        let bytes = Array(content.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "@") {
                var j = i + 2
                while j < bytes.count, j - i - 2 <= 20, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: ">"), j > i + 2,
                   let id = Snowflake(String(decoding: bytes[(i + 2)..<j], as: UTF8.self)) {
                    if seen.insert(id).inserted { userIDs.append(id) }
                    i = j + 1
                    continue
                }
            } else if bytes[i] == UInt8(ascii: "@"), i == 0 || !Self.isWordByte(bytes[i - 1]) {
                if Self.word(bytes, at: i + 1, equals: "here") { here = true }
                if Self.word(bytes, at: i + 1, equals: "channel") { channel = true }
            }
            i += 1
        }
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "-")
    }

    private static func word(_ bytes: [UInt8], at start: Int, equals word: String) -> Bool {
        let w = Array(word.utf8)
        guard start + w.count <= bytes.count, Array(bytes[start..<(start + w.count)]) == w else { return false }
        let end = start + w.count
        return end == bytes.count || !isWordByte(bytes[end])
    }
}
