/// Settings of one stored field each, from a key path. Durations and sizes are integers
/// whatever the field's own integer type.
extension Setting {
    public static func string(_ key: String, _ path: WritableKeyPath<Root, String>, _ help: String, secret: Bool = false,
                              flags: [String] = [], environment: [String] = [], choices: [String]? = nil,
                              example: String? = nil) -> Setting {
        Setting(key, kind: .string, help: help, secret: secret, flagAliases: flags, environmentAliases: environment,
                choices: choices, example: example.map { .string($0) },
                get: { .string($0[keyPath: path]) },
                set: { root, value in root[keyPath: path] = value.string ?? "" })
    }

    public static func string(_ key: String, _ path: WritableKeyPath<Root, String?>, _ help: String, secret: Bool = false,
                              flags: [String] = [], environment: [String] = [], example: String? = nil) -> Setting {
        Setting(key, kind: .string, help: help, secret: secret, flagAliases: flags, environmentAliases: environment,
                example: example.map { .string($0) },
                get: { root in root[keyPath: path].map { .string($0) } ?? .none },
                set: { root, value in root[keyPath: path] = value.string.flatMap { $0.isEmpty ? nil : $0 } })
    }

    public static func integer<Number: FixedWidthInteger>(_ key: String, _ path: WritableKeyPath<Root, Number>, _ help: String,
                                                          unit: String? = nil, range: ClosedRange<Int>, flags: [String] = [],
                                                          example: Int? = nil) -> Setting {
        let bounded = range.clamped(to: Int(clamping: Number.min)...Int(clamping: Number.max))
        return Setting(key, kind: .integer, help: help, unit: unit, flagAliases: flags, range: bounded,
                       example: example.map { .integer($0) },
                       get: { .integer(Int(clamping: $0[keyPath: path])) },
                       set: { root, value in root[keyPath: path] = Number(clamping: value.integer ?? 0) })
    }

    public static func boolean(_ key: String, _ path: WritableKeyPath<Root, Bool>, _ help: String, flags: [String] = []) -> Setting {
        Setting(key, kind: .boolean, help: help, flagAliases: flags,
                get: { .boolean($0[keyPath: path]) },
                set: { root, value in root[keyPath: path] = value.boolean ?? false })
    }

    public static func list(_ key: String, _ path: WritableKeyPath<Root, [String]>, _ help: String, flags: [String] = []) -> Setting {
        Setting(key, kind: .list, help: help, flagAliases: flags,
                get: { .list($0[keyPath: path]) },
                set: { root, value in root[keyPath: path] = value.list ?? [] })
    }

    public static func list(_ key: String, _ path: WritableKeyPath<Root, Set<String>>, _ help: String, flags: [String] = []) -> Setting {
        Setting(key, kind: .list, help: help, flagAliases: flags,
                get: { .list($0[keyPath: path].sorted()) },
                set: { root, value in root[keyPath: path] = Set(value.list ?? []) })
    }
}
