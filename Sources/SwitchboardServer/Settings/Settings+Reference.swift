import Foundation

/// What `--print-config`, `--help` and docs/operations.md show, from the same schema.
extension Settings {
    /// The effective configuration as a JSON config file (nested by key), secrets redacted
    /// (unless they are still the default, which is in the code for anyone to read).
    public func printed(_ configuration: Root, defaults: Root) -> String {
        var tree: [String: Any] = [:]
        for setting in all {
            let value = setting.value(in: configuration)
            let shown: Any = switch value {
            case .none: NSNull()
            case _ where setting.isSecret && value != setting.value(in: defaults): "<redacted>"
            case .string(let text): text
            case .integer(let number): number
            case .boolean(let flag): flag
            case .list(let items): items
            }
            Self.insert(shown, at: setting.key.split(separator: ".").map(String.init), into: &tree)
        }
        let data = (try? JSONSerialization.data(withJSONObject: tree, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Puts `value` at `path` (a key's parts) in a nested JSON object, as the config file nests keys.
    public static func insert(_ value: Any, at path: [String], into tree: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 { tree[head] = value; return }
        var child = tree[head] as? [String: Any] ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        tree[head] = child
    }

    /// Every setting with its flag, variable, unit and default, for `--help`.
    public func helpText(defaults: Root) -> String {
        all.map { setting in
            let value = setting.kind == .boolean ? "" : " <\(setting.unit ?? setting.kind.placeholder)>"
            let aliases = setting.flagAliases.isEmpty ? "" : " (also \(setting.flagAliases.joined(separator: ", ")))"
            return """
                \(setting.flag)\(value)\(aliases)
                    \(setting.help) Default: \(defaultText(setting, defaults)). Env: \(setting.environmentName(prefix: environmentPrefix)).
                """
        }.joined(separator: "\n")
    }

    /// A Markdown table of every setting (docs/operations.md keeps a copy; a test compares).
    public func markdownReference(defaults: Root) -> String {
        var lines = ["| key (file) | flag | environment | unit | default | meaning |", "| --- | --- | --- | --- | --- | --- |"]
        for setting in all {
            let flags = setting.flags.map { "`\($0)`" }.joined(separator: ", ")
            var names = [setting.environmentName(prefix: environmentPrefix)]
            for alias in setting.environmentAliases where !names.contains(alias) { names.append(alias) }
            let environment = names.map { "`\($0)`" }.joined(separator: ", ")
            let help = setting.help.replacingOccurrences(of: "|", with: "\\|")
            let byDefault = defaultText(setting, defaults)
            let shown = byDefault == "none" ? byDefault : "`\(byDefault)`"
            lines.append("| `\(setting.key)` | \(flags) | \(environment) | \(setting.unit ?? "") | \(shown) | \(help) |")
        }
        return lines.joined(separator: "\n")
    }

    func defaultText(_ setting: Setting<Root>, _ defaults: Root) -> String {
        return switch setting.value(in: defaults) {
        case .none: "none"
        case .string(""): "none"
        case .list([]): "none"
        case let value: value.description
        }
    }
}

extension Setting.Kind {
    var placeholder: String {
        switch self {
        case .string: "text"
        case .integer: "n"
        case .boolean: "bool"
        case .list: "a,b"
        }
    }
}
