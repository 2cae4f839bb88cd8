/// One field of a daemon's configuration, described once: its key (the path in the JSON
/// config file, from which the environment variable and the flag are derived), what it means,
/// its unit and its bounds. Flags, the environment and the file all set it the same way;
/// `--print-config`, `--help` and the reference in docs/operations.md come from the same
/// description, so none of them can forget a field.
public struct Setting<Root> {
    public enum Kind: String, Sendable {
        case string, integer, boolean, list
    }

    /// `gateway.outboundQueueBytes`: the file path; env `…_GATEWAY_OUTBOUND_QUEUE_BYTES`;
    /// flag `--gateway-outbound-queue-bytes`.
    public let key: String
    public let kind: Kind
    public let help: String
    /// `ms`, `bytes`, `seconds`, …; nil for plain values.
    public let unit: String?
    /// Never printed, never logged; better kept off command lines.
    public let isSecret: Bool
    /// Older or shorter flag names that also set it (`--data-dir`, `--require-tls`).
    public let flagAliases: [String]
    /// Environment variables read when the prefixed one is unset (shared by origin and edge).
    public let environmentAliases: [String]
    /// Integers must lie within it.
    public let range: ClosedRange<Int>?
    /// Strings must be one of these, when given.
    public let choices: [String]?
    /// A valid value other than the default, for tests that set every field; nil: one is made
    /// up from the kind, the range or the choices.
    public let example: SettingValue?
    let get: (Root) -> SettingValue
    let set: (inout Root, SettingValue) throws -> Void

    public init(_ key: String, kind: Kind, help: String, unit: String? = nil, secret: Bool = false,
                flagAliases: [String] = [], environmentAliases: [String] = [], range: ClosedRange<Int>? = nil,
                choices: [String]? = nil, example: SettingValue? = nil,
                get: @escaping (Root) -> SettingValue, set: @escaping (inout Root, SettingValue) throws -> Void) {
        self.key = key
        self.kind = kind
        self.help = help
        self.unit = unit
        self.isSecret = secret
        self.flagAliases = flagAliases
        self.environmentAliases = environmentAliases
        self.range = range
        self.choices = choices
        self.example = example
        self.get = get
        self.set = set
    }

    /// `--gateway-outbound-queue-bytes` for `gateway.outboundQueueBytes`.
    public var flag: String {
        "--" + key.split(separator: ".").map { SettingNames.kebab(String($0)) }.joined(separator: "-")
    }

    public var flags: [String] { [flag] + flagAliases }

    /// `SWITCHBOARD_GATEWAY_OUTBOUND_QUEUE_BYTES` under the prefix `switchboard`.
    public func environmentName(prefix: String) -> String {
        (prefix.split(separator: ".").map(String.init) + key.split(separator: ".").map(String.init))
            .map { SettingNames.kebab($0).replacingOccurrences(of: "-", with: "_").uppercased() }
            .joined(separator: "_")
    }

    /// The value in `root`.
    public func value(in root: Root) -> SettingValue { get(root) }

    /// Checks `value` (already of the right kind) and stores it in `root`.
    func apply(_ value: SettingValue, to root: inout Root) throws {
        if let range, let number = value.integer, !range.contains(number) {
            throw SettingRefusal("must be within \(range.lowerBound)...\(range.upperBound)")
        }
        if let choices, let text = value.string, !choices.contains(text) {
            throw SettingRefusal("must be one of \(choices.joined(separator: ", "))")
        }
        try set(&root, value)
    }

    /// A valid value that differs from `current`.
    public func exampleValue(differentFrom current: SettingValue) -> SettingValue {
        if let example { return example }
        switch kind {
        case .boolean: return .boolean(!(current.boolean ?? false))
        case .integer:
            let number = current.integer ?? range?.lowerBound ?? 0
            if range?.contains(number + 1) ?? true { return .integer(number + 1) }
            return .integer(number - 1)
        case .string: return .string(choices?.first { .string($0) != current } ?? "example-\(key)")
        case .list: return .list(["example-a", "example-b"])
        }
    }
}

/// A setting's value, as read or printed.
public enum SettingValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case list([String])
    /// Unset (an optional field without a default).
    case none

    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .boolean(let flag): String(flag)
        case .list(let items): items.joined(separator: ",")
        case .none: "(unset)"
        }
    }

    public var string: String? { if case .string(let text) = self { text } else { nil } }
    public var integer: Int? { if case .integer(let number) = self { number } else { nil } }
    public var boolean: Bool? { if case .boolean(let flag) = self { flag } else { nil } }
    public var list: [String]? { if case .list(let items) = self { items } else { nil } }
}

enum SettingNames {
    /// `outboundQueueBytes` → `outbound-queue-bytes`; `edgeClientCa` → `edge-client-ca`. A word
    /// starts where a lowercase letter is followed by an uppercase one, as in swift-configuration's
    /// environment names.
    static func kebab(_ word: String) -> String {
        var out = ""
        var previous: Character?
        for character in word {
            if character.isUppercase, previous?.isLowercase == true { out += "-" }
            out += character.lowercased()
            previous = character
        }
        return out
    }
}
