import Foundation

public enum URLQuery {
    /// `?a=1&b=2` from the pairs whose value is set, each value percent-encoded; "" for none.
    public static func string(_ query: [(String, String?)]) -> String {
        let items = query.compactMap { name, value in value.map { (name, $0) } }
        guard !items.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#,")
        return "?" + items.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $1)" }
            .joined(separator: "&")
    }
}
