import Foundation
import SwitchboardCore

/// Reads a preview from an HTML page: Open Graph tags first, then `<title>` and the
/// `description` meta tag. Enough of HTML for `<meta>` and `<title>`, nothing more.
enum PreviewParser {
    static func preview(of html: String, url: URL) -> LinkPreview? {
        var meta: [String: String] = [:]
        for tag in tags(named: "meta", in: html) {
            let attributes = self.attributes(of: tag)
            guard let key = (attributes["property"] ?? attributes["name"])?.lowercased(), let content = attributes["content"],
                  meta[key] == nil else { continue }
            meta[key] = decodeEntities(content)
        }
        let title = clip(meta["og:title"] ?? meta["twitter:title"] ?? titleElement(in: html), 300)
        let description = clip(meta["og:description"] ?? meta["description"] ?? meta["twitter:description"], 1_000)
        let image = (meta["og:image"] ?? meta["twitter:image"]).flatMap { URL(string: $0, relativeTo: url)?.absoluteURL }
            .filter { ["http", "https"].contains($0.scheme?.lowercased() ?? "") }
        guard title != nil || description != nil else { return nil }
        return LinkPreview(url: url.absoluteString, title: title, description: description, imageURL: image?.absoluteString,
                           siteName: clip(meta["og:site_name"], 100))
    }

    /// The texts of every `<name ...>` start tag.
    static func tags(named name: String, in html: String) -> [Substring] {
        var found: [Substring] = []
        var rest = html[...]
        while let start = rest.range(of: "<" + name, options: .caseInsensitive) {
            guard let end = rest[start.upperBound...].firstIndex(of: ">") else { break }
            found.append(rest[start.upperBound..<end])
            rest = rest[end...]
        }
        return found
    }

    /// `name="value"`, `name='value'` and `name=value` pairs, names lowercased.
    static func attributes(of tag: Substring) -> [String: String] {
        var attributes: [String: String] = [:]
        var index = tag.startIndex
        func skipSpaces() { while index < tag.endIndex, tag[index].isWhitespace || tag[index] == "/" { index = tag.index(after: index) } }
        while true {
            skipSpaces()
            guard index < tag.endIndex else { break }
            let nameStart = index
            while index < tag.endIndex, !tag[index].isWhitespace, tag[index] != "=" { index = tag.index(after: index) }
            let name = tag[nameStart..<index].lowercased()
            skipSpaces()
            guard index < tag.endIndex, tag[index] == "=" else { continue }
            index = tag.index(after: index)
            skipSpaces()
            guard index < tag.endIndex else { break }
            let value: Substring
            if tag[index] == "\"" || tag[index] == "'" {
                let quote = tag[index]
                let valueStart = tag.index(after: index)
                let valueEnd = tag[valueStart...].firstIndex(of: quote) ?? tag.endIndex
                value = tag[valueStart..<valueEnd]
                index = valueEnd < tag.endIndex ? tag.index(after: valueEnd) : valueEnd
            } else {
                let valueStart = index
                while index < tag.endIndex, !tag[index].isWhitespace { index = tag.index(after: index) }
                value = tag[valueStart..<index]
            }
            if !name.isEmpty, attributes[name] == nil { attributes[name] = String(value) }
        }
        return attributes
    }

    static func titleElement(in html: String) -> String? {
        guard let open = html.range(of: "<title", options: .caseInsensitive),
              let openEnd = html[open.upperBound...].firstIndex(of: ">"),
              let close = html.range(of: "</title", options: .caseInsensitive, range: openEnd..<html.endIndex) else { return nil }
        return decodeEntities(String(html[html.index(after: openEnd)..<close.lowerBound]))
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semi = rest[amp...].prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            if let decoded = decode(entity) { result.append(decoded) } else { result += rest[amp...semi] }
            rest = rest[rest.index(after: semi)...]
        }
        return result + rest
    }

    private static func decode(_ entity: Substring) -> Character? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return " "
        default:
            let code: UInt32?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") { code = UInt32(entity.dropFirst(2), radix: 16) }
            else if entity.hasPrefix("#") { code = UInt32(entity.dropFirst()) }
            else { code = nil }
            return code.flatMap(Unicode.Scalar.init).map(Character.init)
        }
    }

    /// Whitespace collapsed, at most `limit` characters, nil when empty.
    private static func clip(_ text: String?, _ limit: Int) -> String? {
        guard let text else { return nil }
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !collapsed.isEmpty else { return nil }
        return collapsed.count > limit ? String(collapsed.prefix(limit - 1)) + "…" : collapsed
    }
}

extension Optional {
    fileprivate func filter(_ isIncluded: (Wrapped) -> Bool) -> Wrapped? {
        flatMap { isIncluded($0) ? $0 : nil }
    }
}
