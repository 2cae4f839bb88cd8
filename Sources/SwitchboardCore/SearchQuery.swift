import Foundation

/// A search box's text, read once: words to match, and Slack's operators — `in:#channel`,
/// `from:@user`, `before:YYYY-MM-DD`, `after:YYYY-MM-DD`, `on:YYYY-MM-DD`, `has:link`,
/// `has:file`. Dates are whole UTC days: `before:` ends before the day starts, `after:` starts
/// after it ends, `on:` is the day. Anything that is not an operator is a word.
public struct SearchQuery: Sendable, Equatable {
    public var words: [String] = []
    public var channelName: String?
    public var userHandle: String?
    /// Messages created at or after this instant (ms).
    public var fromMs: UInt64?
    /// Messages created before this instant (ms).
    public var untilMs: UInt64?
    public var hasLink = false
    public var hasFile = false

    public init(parsing text: String) throws(SwitchboardError) {
        for token in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            guard let colon = token.firstIndex(of: ":"), colon != token.startIndex else {
                words.append(token)
                continue
            }
            let name = token[..<colon].lowercased(), value = String(token[token.index(after: colon)...])
            switch name {
            case "in":
                channelName = value.hasPrefix("#") ? String(value.dropFirst()) : value
            case "from":
                userHandle = (value.hasPrefix("@") ? String(value.dropFirst()) : value).lowercased()
            case "before":
                untilMs = min(untilMs ?? .max, try Self.dayStart(value, name))
            case "after":
                fromMs = max(fromMs ?? 0, try Self.dayStart(value, name) + Self.dayMs)
            case "on":
                let start = try Self.dayStart(value, name)
                fromMs = max(fromMs ?? 0, start)
                untilMs = min(untilMs ?? .max, start + Self.dayMs)
            case "has":
                switch value.lowercased() {
                case "link": hasLink = true
                case "file": hasFile = true
                default: throw .badRequest("has: takes link or file, not '\(value)'")
                }
            default:
                words.append(token)  // a word with a colon in it ("10:30", "re:")
            }
        }
        if (channelName ?? "x").isEmpty { throw .badRequest("in: needs a channel name") }
        if (userHandle ?? "x").isEmpty { throw .badRequest("from: needs a user") }
    }

    /// Whether anything narrows the search (a query of operators alone lists what they select).
    public var isEmpty: Bool {
        words.isEmpty && channelName == nil && userHandle == nil && fromMs == nil && untilMs == nil && !hasLink && !hasFile
    }

    static let dayMs: UInt64 = 86_400_000

    private static func dayStart(_ value: String, _ name: String) throws(SwitchboardError) -> UInt64 {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts[0].count == 4, (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else {
            throw .badRequest("\(name): takes a date as YYYY-MM-DD, not '\(value)'")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day else {
            throw .badRequest("\(name): '\(value)' is not a date")
        }
        return UInt64(date.timeIntervalSince1970 * 1000)
    }
}

/// A search hit's excerpt: about `width` characters around the first match, HTML-escaped, with
/// each matched word wrapped in `<mark>` — safe to insert as HTML as it is.
public enum SearchSnippet {
    public static func make(_ content: String, words: [String], width: Int = 120) -> String {
        let folded = fold(content)
        let terms = words.map(fold).filter { !$0.isEmpty }
        // Matches of any word at word starts (the last word as a prefix, like the index).
        var matches: [Range<String.Index>] = []
        for term in terms {
            var from = folded.startIndex
            while let range = folded.range(of: term, range: from..<folded.endIndex) {
                let atWordStart = range.lowerBound == folded.startIndex
                    || !folded[folded.index(before: range.lowerBound)].isLetter && !folded[folded.index(before: range.lowerBound)].isNumber
                if atWordStart { matches.append(range) }
                from = range.upperBound
            }
        }
        matches.sort { $0.lowerBound < $1.lowerBound }
        let characters = Array(content)
        let foldedCharacters = Array(folded)
        // Folding keeps one character per character for the scripts it changes (case, accents);
        // where it did not, the excerpt is the start, unmarked.
        guard foldedCharacters.count == characters.count else { return escape(String(characters.prefix(width))) }
        func offset(_ index: String.Index) -> Int { folded.distance(from: folded.startIndex, to: index) }
        let first = matches.first.map { offset($0.lowerBound) } ?? 0
        let start = max(0, min(first - width / 3, characters.count - width))
        let end = min(characters.count, start + width)
        var marked = Set<Int>()
        for match in matches { for i in offset(match.lowerBound)..<offset(match.upperBound) { marked.insert(i) } }
        var out = start > 0 ? "…" : ""
        var inMark = false
        for i in start..<end {
            if marked.contains(i) != inMark {
                out += inMark ? "</mark>" : "<mark>"
                inMark.toggle()
            }
            out += escape(String(characters[i]))
        }
        if inMark { out += "</mark>" }
        if end < characters.count { out += "…" }
        return out
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
