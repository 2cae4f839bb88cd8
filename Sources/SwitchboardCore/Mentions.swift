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
    /// `@here` / `@channel` / `@everyone` count only as whole words (not inside `email@channel.org`).
    public init(parsing content: String) {
        self.init()
        var seen = Set<Snowflake>()
        let bytes = Array(content.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "@") {
                var j = i + 2
                while j < bytes.count, j - i - 2 <= 20, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
                // Only an id's own spelling is a mention (`<@065>` is not `<@65>`): clients match
                // `<@ID>` against ids as written, so both sides must agree on who is mentioned.
                let digits = String(decoding: bytes[(i + 2)..<min(j, bytes.count)], as: UTF8.self)
                if j < bytes.count, bytes[j] == UInt8(ascii: ">"), j > i + 2,
                   let id = Snowflake(digits), id.description == digits {
                    if seen.insert(id).inserted { userIDs.append(id) }
                    i = j + 1
                    continue
                }
            } else if bytes[i] == UInt8(ascii: "@"), i == 0 || !Self.isWordByte(bytes[i - 1]) {
                if Self.word(bytes, at: i + 1, equals: "here") { here = true }
                // `@everyone` notifies the whole channel like `@channel` (in #general: everyone).
                if Self.word(bytes, at: i + 1, equals: "channel") || Self.word(bytes, at: i + 1, equals: "everyone") {
                    channel = true
                }
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

    // MARK: @handle

    private static let broadcastWords: Set<String> = ["here", "channel", "everyone"]

    /// The `@handle` words of `content`, lowercased, each once, at most `limit`: whole words
    /// only (not `name@host`), not `@here` / `@channel` / `@everyone`. A trailing `.` is taken
    /// as punctuation. The poster's store resolves them (``resolvingHandles(in:_:)``).
    public static func handleWords(in content: String, limit: Int = 20) -> [String] {
        var words: [String] = []
        var seen = Set<String>()
        forEachHandle(in: Array(content.utf8)) { _, word in
            if words.count < limit, seen.insert(word).inserted { words.append(word) }
        }
        return words
    }

    /// `content` with each `@handle` found in `ids` written `<@ID>`, everything else untouched.
    public static func resolvingHandles(in content: String, _ ids: [String: Snowflake]) -> String {
        guard !ids.isEmpty else { return content }
        let bytes = Array(content.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16 * ids.count)
        var copied = 0
        forEachHandle(in: bytes) { range, word in
            guard let id = ids[word] else { return }
            out += bytes[copied..<range.lowerBound]
            out += Array("<@\(id)>".utf8)
            copied = range.upperBound
        }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Calls `body` with the byte range (the `@` included) and lowercased word of each handle.
    private static func forEachHandle(in bytes: [UInt8], _ body: (Range<Int>, String) -> Void) {
        var i = 0
        while i < bytes.count {
            // Not `name@host`, and not the `<@ID>` form.
            guard bytes[i] == UInt8(ascii: "@"), i == 0 || !(isWordByte(bytes[i - 1]) || bytes[i - 1] == UInt8(ascii: "<")) else {
                i += 1
                continue
            }
            var end = i + 1
            while end < bytes.count, end - i - 1 < Limits.maxHandleLength, isWordByte(bytes[end]) { end += 1 }
            while end > i + 1, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            let word = String(decoding: bytes[(i + 1)..<end], as: UTF8.self).lowercased()
            if !word.isEmpty, !broadcastWords.contains(word), let first = word.utf8.first,
               (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
                body(i..<end, word)
            }
            i = max(end, i + 1)
        }
    }
}
