import Foundation
import SwitchboardEdge
import SwitchboardOrigin
import SwitchboardServer
import SwitchboardTesting
import Testing

/// Every configuration field is settable by flag, environment and file, bad values are refused
/// with the field's name, `--print-config` hides secrets, and the reference in the docs is the
/// schema's.
@Suite struct SettingsTests {
    static let secret = String(repeating: "k", count: 40)

    @Test func everyOriginFieldIsSetByFlagEnvironmentAndFile() async throws {
        try await checkEverySource(OriginSettings.schema, defaults: OriginSettings.defaults, base: ["tokenSecret": .string(Self.secret)])
    }

    @Test func everyEdgeFieldIsSetByFlagEnvironmentAndFile() async throws {
        try await checkEverySource(EdgeSettings.schema, defaults: EdgeSettings.defaults,
                                   base: ["tokenSecret": .string(Self.secret), "key": .string("edge-key")])
    }

    /// For each field, a value other than its default, set in turn through each source, is the
    /// one the configuration gets. `base` (required fields) comes from the file, the lowest source.
    func checkEverySource<Root>(_ schema: Settings<Root>, defaults: Root, base: [String: SettingValue]) async throws {
        // Fields that are only valid together.
        let companions: [String: [String: SettingValue]] = [
            "tls.cert": ["tls.key": .string("/k.pem")], "tls.key": ["tls.cert": .string("/c.pem")],
            "tls.edgeClientCa": ["tls.cert": .string("/c.pem"), "tls.key": .string("/k.pem")],
            "tls.reloadCheckIntervalMs": ["tls.cert": .string("/c.pem"), "tls.key": .string("/k.pem")],
            "tls.handshakeTimeoutMs": ["tls.cert": .string("/c.pem"), "tls.key": .string("/k.pem")],
            "tls.clientCert": ["tls.clientKey": .string("/k.pem")], "tls.clientKey": ["tls.clientCert": .string("/c.pem")],
        ]
        for setting in schema.all {
            let example = setting.exampleValue(differentFrom: setting.value(in: defaults))
            #expect(example != setting.value(in: defaults), "\(setting.key): the example is the default")
            let others = (companions[setting.key] ?? [:]).merging(base.filter { $0.key != setting.key }) { first, _ in first }
            let fileOf = { (values: [String: SettingValue]) throws -> String in try Self.file(values) }
            let cases: [(String, Settings<Root>.Sources)] = [
                ("flag", .init(flags: Self.flag(setting, example), environment: [:], file: try fileOf(others))),
                ("environment", .init(environment: [setting.environmentName(prefix: schema.environmentPrefix): example.description],
                                      file: try fileOf(others))),
                ("file", .init(environment: [:], file: try fileOf(others.merging([setting.key: example]) { $1 }))),
            ]
            for (source, sources) in cases {
                do {
                    let loaded = try await schema.load(defaults, from: sources)
                    #expect(setting.value(in: loaded.configuration) == example, "\(setting.key) by \(source)")
                    #expect(loaded.sources[setting.key]?.hasPrefix(source) == true, "\(setting.key) by \(source)")
                } catch {
                    Issue.record("\(setting.key) by \(source): \(error)")
                }
                if let file = sources.file { try FileManager.default.removeItem(atPath: file) }
            }
        }
    }

    static func flag<Root>(_ setting: Setting<Root>, _ value: SettingValue) -> [String] {
        if case .boolean(let on) = value { return on ? [setting.flag] : ["\(setting.flag)=false"] }
        return [setting.flag, value.description]
    }

    /// A JSON config file of these values, nested by key.
    static func file(_ values: [String: SettingValue]) throws -> String {
        var tree: [String: Any] = [:]
        for (key, value) in values {
            let json: Any = switch value {
            case .string(let text): text
            case .integer(let number): number
            case .boolean(let flag): flag
            case .list(let items): items
            case .none: NSNull()
            }
            Settings<OriginConfiguration>.insert(json, at: key.split(separator: ".").map(String.init), into: &tree)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).json").path
        try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func flagsWinOverTheEnvironmentWhichWinsOverTheFile() async throws {
        let schema = OriginSettings.schema
        let file = try Self.file(["port": .integer(1111), "workerId": .integer(7), "host": .string("10.0.0.1")])
        defer { try? FileManager.default.removeItem(atPath: file) }
        let loaded = try await schema.load(OriginSettings.defaults, from: .init(
            flags: ["--port", "3333"], environment: ["SWITCHBOARD_PORT": "2222", "SWITCHBOARD_WORKER_ID": "8",
                                                     "SWITCHBOARD_TOKEN_SECRET": Self.secret], file: file))
        #expect(loaded.configuration.port == 3333)
        #expect(loaded.configuration.workerID == 8)
        #expect(loaded.configuration.host == "10.0.0.1")
        #expect(loaded.configuration.messageRateLimit == OriginSettings.defaults.messageRateLimit)
        #expect(loaded.sources["port"] == "flag --port")
        #expect(loaded.sources["workerId"] == "environment SWITCHBOARD_WORKER_ID")
        // Older flag names still work.
        let aliased = try await schema.load(OriginSettings.defaults, from: .init(
            flags: ["--rate-limit", "0", "--require-tls", "--database-url", "postgres://u:p@db/x", "--edge-client-ca", "/ca.pem",
                    "--tls-cert", "/c.pem", "--tls-key", "/k.pem"],
            environment: ["SWITCHBOARD_TOKEN_SECRET": Self.secret]))
        #expect(aliased.configuration.messageRateLimit == 0)
        #expect(aliased.configuration.transport.requireTLS)
        #expect(aliased.configuration.databaseURL == "postgres://u:p@db/x")
        #expect(aliased.configuration.transport.tls?.clientCAFile == "/ca.pem")
    }

    @Test func aBadValueIsRefusedWithTheFieldsNameAndWhereItCameFrom() async throws {
        let schema = EdgeSettings.schema
        let required = ["SWITCHBOARD_TOKEN_SECRET": Self.secret, "SWITCHBOARD_EDGE_KEY": "k"]
        func refusal(_ sources: Settings<EdgeConfiguration>.Sources) async -> String {
            do {
                _ = try await schema.load(EdgeSettings.defaults, from: sources)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let notANumber = await refusal(.init(environment: required.merging(["SWITCHBOARD_EDGE_PORT": "eighty"]) { $1 }))
        #expect(notANumber.contains("port") && notANumber.contains("SWITCHBOARD_EDGE_PORT") && notANumber.contains("eighty"))
        let tooSmall = await refusal(.init(flags: ["--outbound-queue-bytes", "12"], environment: required))
        #expect(tooSmall.contains("gateway.outboundQueueBytes") && tooSmall.contains("4096"))
        let unknownLevel = await refusal(.init(flags: ["--log-level=loud"], environment: required))
        #expect(unknownLevel.contains("logLevel") && unknownLevel.contains("debug"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).json").path
        try Data(#"{"lmdb": {"durable": "maybe"}}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let badFile = await refusal(.init(environment: required, file: file))
        #expect(badFile.contains("lmdb.durable") && badFile.contains(file))
        let unknown = await refusal(.init(flags: ["--no-such-setting", "1"], environment: required))
        #expect(unknown.contains("--no-such-setting"))
        let lonelyCertificate = await refusal(.init(flags: ["--tls-cert", "/c.pem"], environment: required))
        #expect(lonelyCertificate.contains("tls.cert and tls.key go together"))
        let shortSecret = await refusal(.init(environment: ["SWITCHBOARD_TOKEN_SECRET": "short", "SWITCHBOARD_EDGE_KEY": "k"]))
        #expect(shortSecret.contains("tokenSecret"))
        let badOrigin = await refusal(.init(flags: ["--origin", "origin.example:8080"], environment: required))
        #expect(badOrigin.contains("origin") && badOrigin.contains("not an http"))
        // And a good one is taken.
        #expect(await refusal(.init(flags: ["--origin", "https://a:1,https://b:2"], environment: required)) == "accepted")
    }

    @Test func printConfigHidesSecrets() async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard-origin")
        let adminKey = "admin-" + UUID().uuidString
        let password = "pw" + UUID().uuidString.prefix(8)
        let process = try ChildProcess(binary.path, ["--print-config", "--port", "4321"], environment: [
            "SWITCHBOARD_TOKEN_SECRET": Self.secret, "SWITCHBOARD_ADMIN_KEY": adminKey,
            "SWITCHBOARD_STORAGE": "postgres://switchboard:\(password)@db.internal:5432/switchboard",
        ])
        #expect(try await process.wait() == 0)
        let printed = process.output
        defer { process.cleanUp() }
        #expect(!printed.contains(adminKey) && !printed.contains(Self.secret) && !printed.contains(password), "\(printed)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any])
        #expect(json["port"] as? Int == 4321)
        #expect(json["adminKey"] as? String == "<redacted>")
        #expect(json["storage"] as? String == "<redacted>")
        #expect((json["gateway"] as? [String: Any])?["outboundQueueBytes"] as? Int == 8 << 20)
        // A bad value stops the daemon before it starts, naming the field.
        let refused = try ChildProcess(binary.path, ["--port", "4321"], environment: [
            "SWITCHBOARD_TOKEN_SECRET": Self.secret, "SWITCHBOARD_PRESENCE_GRACE_MS": "-5",
        ])
        defer { refused.cleanUp() }
        #expect(try await refused.wait() != 0)
        #expect(refused.errors.contains("presence.graceMs"), "\(refused.errors)")
    }

    /// docs/operations.md holds the reference generated from the schemas; regenerate it with
    /// `UPDATE_DOCS=1 swift test --filter SettingsTests`.
    @Test func theDocumentedReferenceIsTheSchemas() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/operations.md").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        for (name, table) in [("origin", OriginSettings.schema.markdownReference(defaults: OriginSettings.defaults)),
                              ("edge", EdgeSettings.schema.markdownReference(defaults: EdgeSettings.defaults))] {
            let begin = "<!-- settings:\(name) -->", end = "<!-- /settings:\(name) -->"
            guard let start = text.range(of: begin), let stop = text.range(of: end) else {
                Issue.record("docs/operations.md has no \(begin) … \(end) section")
                continue
            }
            let current = text[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            if ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1" {
                text.replaceSubrange(start.upperBound..<stop.lowerBound, with: "\n" + table + "\n")
            } else {
                #expect(current == table, "docs/operations.md's \(name) settings are stale: run UPDATE_DOCS=1 swift test --filter SettingsTests")
            }
        }
        if ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1" { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }
}
