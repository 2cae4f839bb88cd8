import Configuration
import Foundation
import SystemPackage

/// A daemon's whole configuration schema, and how it is read: flags win over the environment,
/// which wins over the JSON file, which wins over the defaults. The environment and the file
/// are read through swift-configuration's providers; a value that does not parse, is out of
/// range or is not one of the choices is refused with the field's name and where it came from.
public struct Settings<Root> {
    public let all: [Setting<Root>]
    /// `switchboard` (origin) or `switchboard.edge`: environment names are this prefix plus the key.
    public let environmentPrefix: String
    /// Checks that span fields (a certificate needs its key), run once every field is set.
    let finish: (inout Root) throws -> Void

    public init(_ all: [Setting<Root>], environmentPrefix: String, finish: @escaping (inout Root) throws -> Void = { _ in }) {
        self.all = all
        self.environmentPrefix = environmentPrefix
        self.finish = finish
    }

    /// Where values come from.
    public struct Sources: Sendable {
        /// Flags, e.g. `["--port", "8443", "--require-tls"]`.
        public var flags: [String]
        public var environment: [String: String]
        /// The JSON configuration file (`--config`).
        public var file: String?

        public init(flags: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment, file: String? = nil) {
            self.flags = flags
            self.environment = environment
            self.file = file
        }
    }

    /// The effective configuration and where each value that is not a default came from.
    public struct Loaded {
        public var configuration: Root
        /// Key → "flag --port", "environment SWITCHBOARD_PORT", "file /etc/…/origin.json".
        public var sources: [String: String]
    }

    public func load(_ defaults: Root, from sources: Sources) async throws -> Loaded {
        let flagValues = try parse(flags: sources.flags)
        let environment = EnvironmentVariablesProvider(environmentVariables: sources.environment).prefixKeys(with: ConfigKey(environmentPrefix))
        var file: FileProvider<JSONSnapshot>?
        if let path = sources.file { file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path)) }
        var root = defaults
        var origins: [String: String] = [:]
        for setting in all {
            let found: (value: SettingValue, source: String)?
            if let (flag, raw) = flagValues[setting.key] {
                found = (try parse(raw, for: setting, source: "flag \(flag)"), "flag \(flag)")
            } else if let (name, raw) = try lookUp(setting, in: environment, aliases: sources.environment) {
                found = (try parse(raw, for: setting, source: "environment \(name)"), "environment \(name)")
            } else if let file, let value = try lookUp(setting, in: file, path: sources.file ?? "") {
                found = (value, "file \(sources.file ?? "")")
            } else {
                found = nil
            }
            guard let found else { continue }
            do {
                try setting.apply(found.value, to: &root)
            } catch let refusal as SettingRefusal {
                throw ConfigurationError(setting, found.source, refusal.reason, value: found.value)
            }
            origins[setting.key] = found.source
        }
        do {
            try finish(&root)
        } catch let refusal as SettingRefusal {
            throw ConfigurationError(description: "invalid configuration: \(refusal.reason)")
        }
        return Loaded(configuration: root, sources: origins)
    }

    /// Flag name → (key, raw value). Booleans take no value (`--require-tls`) or `=false`.
    func parse(flags arguments: [String]) throws -> [String: (flag: String, raw: String)] {
        var byFlag: [String: Setting<Root>] = [:]
        for setting in all { for flag in setting.flags { byFlag[flag] = setting } }
        var values: [String: (flag: String, raw: String)] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard argument.hasPrefix("--"), let name = parts.first, let setting = byFlag[name] else {
                throw ConfigurationError(description: "unknown option \(argument) (see --help for every setting)")
            }
            if parts.count == 2 {
                values[setting.key] = (name, parts[1])
            } else if setting.kind == .boolean {
                values[setting.key] = (name, "true")
            } else if index < arguments.count {
                values[setting.key] = (name, arguments[index])
                index += 1
            } else {
                throw ConfigurationError(description: "\(name) needs a value")
            }
        }
        return values
    }

    /// The prefixed variable (through the provider, which names it), then the shared aliases.
    func lookUp(_ setting: Setting<Root>, in environment: some ConfigProvider,
                aliases: [String: String]) throws -> (name: String, raw: String)? {
        let result = try environment.value(forKey: AbsoluteConfigKey(ConfigKey(setting.key)), type: .string)
        if case .string(let raw)? = result.value?.content { return (result.encodedKey, raw) }
        for name in setting.environmentAliases { if let raw = aliases[name] { return (name, raw) } }
        return nil
    }

    /// A value of the file, of the JSON type the kind calls for (a string is also taken for
    /// numbers, booleans and comma-separated lists).
    func lookUp(_ setting: Setting<Root>, in file: some ConfigProvider, path: String) throws -> SettingValue? {
        let key = AbsoluteConfigKey(ConfigKey(setting.key))
        let source = "file \(path)"
        let type: ConfigType = switch setting.kind {
        case .string: .string
        case .integer: .int
        case .boolean: .bool
        case .list: .stringArray
        }
        do {
            guard let content = try file.value(forKey: key, type: type).value?.content else { return nil }
            switch content {
            case .string(let text): return .string(text)
            case .int(let number): return .integer(number)
            case .bool(let flag): return .boolean(flag)
            case .stringArray(let items): return .list(items)
            default: return nil
            }
        } catch {
            // Not of the JSON type asked for: a string is parsed as flags are.
            guard setting.kind != .string, case .string(let raw)? = try? file.value(forKey: key, type: .string).value?.content else {
                throw ConfigurationError(setting, source, "expected \(setting.kind.expected) in the JSON file", value: nil)
            }
            return try parse(raw, for: setting, source: source)
        }
    }

    /// A flag's or a variable's text as a value of the setting's kind.
    func parse(_ raw: String, for setting: Setting<Root>, source: String) throws -> SettingValue {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch setting.kind {
        case .string:
            return .string(raw)
        case .integer:
            guard let number = Int(text.replacingOccurrences(of: "_", with: "")) else {
                throw ConfigurationError(setting, source, "expected \(setting.kind.expected), got \"\(raw)\"", value: nil)
            }
            return .integer(number)
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes", "on": return .boolean(true)
            case "false", "0", "no", "off": return .boolean(false)
            default: throw ConfigurationError(setting, source, "expected \(setting.kind.expected), got \"\(raw)\"", value: nil)
            }
        case .list:
            return .list(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }
}

/// Why a value was refused (thrown by a setting's own checks).
public struct SettingRefusal: Error {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A configuration a daemon refuses to start with; the message names the field and the source.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }

    init<Root>(_ setting: Setting<Root>, _ source: String, _ reason: String, value: SettingValue?) {
        let shown = value.map { setting.isSecret ? "" : " = \($0)" } ?? ""
        description = "invalid configuration: \(setting.key)\(shown) (from \(source)): \(reason)"
    }
}

extension Setting.Kind {
    var expected: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "true or false"
        case .list: "a comma-separated list"
        }
    }
}
