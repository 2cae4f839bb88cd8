import SwitchboardServer
import ArgumentParser
import Foundation
import Configuration
import Logging
import SwitchboardCore
import ServiceLifecycle
import SwitchboardOrigin
import SwitchboardTLS
import SystemPackage

/// `switchboard-origin`: reads configuration (flags > environment > file > defaults), builds
/// the origin and runs it until SIGTERM / SIGINT.
@main
struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-origin",
        abstract: "The Switchboard origin server: storage, REST API and the source of truth.",
        discussion: """
            Every option can also come from the environment (SWITCHBOARD_HOST, SWITCHBOARD_PORT, SWITCHBOARD_DATA_DIR,
            SWITCHBOARD_ADMIN_KEY, SWITCHBOARD_TOKEN_SECRET, SWITCHBOARD_STORAGE, ...) or a JSON file given with --config
            (see config/origin.example.json). Flags win over the environment, which wins over the file.
            """)

    @Option(help: "JSON configuration file.") var config: String?
    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "Port to bind (default 8080; 0 picks a free port).") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database (default ./data/origin).") var dataDir: String?
    @Option(name: .customLong("database-url"),
            help: "Store in PostgreSQL (postgres://user:password@host:port/db) instead of SQLite; same as storage in the config.")
    var databaseURL: String?
    @Option(name: .customLong("admin-key"), help: "Key for admin calls (X-Admin-Key).") var adminKey: String?
    @Option(name: .customLong("token-secret"), help: "HS256 token secret, at least 32 bytes.") var tokenSecret: String?
    @Option(name: .customLong("worker-id"), help: "Snowflake worker id 0-1023 (default 1).") var workerID: Int?
    @Option(name: .customLong("rate-limit"), help: "Messages per user per channel per window (default 5; 0 = off).") var rateLimit: Int?
    @Option(name: .customLong("edge-key"), help: "Key edges present to open a feed (X-Edge-Key).") var edgeKey: String?
    @Option(name: .customLong("push-webhook"), help: "URL that receives a POST per (coalesced) notification.") var pushWebhook: String?
    @Flag(name: .customLong("unfurl-allow-private"),
          help: "Let link previews fetch loopback and private addresses (tests, intranets); same as unfurl.allowPrivate.")
    var unfurlAllowPrivate = false
    @Option(name: .customLong("max-upload-bytes"), help: "Largest attachment upload (default 25 MiB).") var maxUploadBytes: Int?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate (then its chain): serve HTTPS and WSS, HTTP/2 by ALPN.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Flag(name: .customLong("require-tls"), help: "Refuse to start without --tls-cert and --tls-key.") var requireTLS = false
    @Flag(name: .customLong("h2c"), help: "Also accept HTTP/2 in clear (prior knowledge) on a plain-HTTP port.") var h2c = false
    @Option(name: .customLong("edge-client-ca"),
            help: "PEM CA bundle: edge feeds and registrations must present a client certificate it signed (mutual TLS).")
    var edgeClientCA: String?
    @Flag(name: .customLong("seed-demo"), help: "Create the demo workspace if the store is empty and print a token.") var seedDemo = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (default info).") var logLevel: String?

    func run() async throws {
        raiseOpenFileLimit()  // one per client socket
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { flags["host"] = .init(stringLiteral: host) }
        if let port { flags["port"] = .init(integerLiteral: port) }
        if let dataDir { flags["dataDir"] = .init(stringLiteral: dataDir) }
        if let databaseURL { flags["storage"] = ConfigValue(.string(databaseURL), isSecret: true) }
        if let adminKey { flags["adminKey"] = ConfigValue(.string(adminKey), isSecret: true) }
        if let tokenSecret { flags["tokenSecret"] = ConfigValue(.string(tokenSecret), isSecret: true) }
        if let workerID { flags["workerId"] = .init(integerLiteral: workerID) }
        if let rateLimit { flags["rateLimit.messages"] = .init(integerLiteral: rateLimit) }
        if let logLevel { flags["logLevel"] = .init(stringLiteral: logLevel) }
        if let edgeKey { flags["edgeKey"] = ConfigValue(.string(edgeKey), isSecret: true) }
        if unfurlAllowPrivate { flags["unfurl.allowPrivate"] = .init(booleanLiteral: true) }
        if let maxUploadBytes { flags["attachments.maxBytes"] = .init(integerLiteral: maxUploadBytes) }
        if let pushWebhook { flags["notifications.pushWebhookUrl"] = .init(stringLiteral: pushWebhook) }
        if let tlsCert { flags["tls.cert"] = .init(stringLiteral: tlsCert) }
        if let tlsKey { flags["tls.key"] = .init(stringLiteral: tlsKey) }
        if requireTLS { flags["tls.require"] = .init(booleanLiteral: true) }
        if h2c { flags["tls.h2c"] = .init(booleanLiteral: true) }
        if let edgeClientCA { flags["tls.edgeClientCa"] = .init(stringLiteral: edgeClientCA) }

        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider().prefixKeys(with: "switchboard"),
        ]
        if let config { providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(config))) }
        let reader = ConfigReader(providers: providers)

        let defaults = OriginConfiguration(adminKey: "", tokenSecret: "")
        var configuration = OriginConfiguration(
            host: reader.string(forKey: "host", default: defaults.host),
            port: reader.int(forKey: "port", default: defaults.port),
            dataDirectory: reader.string(forKey: "dataDir", default: defaults.dataDirectory),
            adminKey: reader.string(forKey: "adminKey", isSecret: true, default: ""),
            tokenSecret: reader.string(forKey: "tokenSecret", isSecret: true, default: ""),
            tokenLifetimeSeconds: reader.int(forKey: "tokenLifetimeSeconds", default: defaults.tokenLifetimeSeconds),
            workerID: UInt64(reader.int(forKey: "workerId", default: Int(defaults.workerID))),
            messageRateLimit: reader.int(forKey: "rateLimit.messages", default: defaults.messageRateLimit),
            messageRateWindowMs: UInt64(reader.int(forKey: "rateLimit.windowMs", default: Int(defaults.messageRateWindowMs))),
            avatarBaseURL: reader.string(forKey: "avatarBaseUrl", default: defaults.avatarBaseURL))
        configuration.reactionRateLimit = reader.int(forKey: "rateLimit.reactions", default: configuration.reactionRateLimit)
        configuration.broadcastMentionsAdminOnlyAbove = reader.int(forKey: "mentions.broadcastAdminOnlyAbove",
                                                                   default: configuration.broadcastMentionsAdminOnlyAbove)
        configuration.readReceiptsMaxMembers = reader.int(forKey: "readReceipts.maxMembers",
                                                          default: configuration.readReceiptsMaxMembers)
        configuration.presenceAutoAwayMs = UInt64(reader.int(forKey: "presence.autoAwayMs", default: Int(configuration.presenceAutoAwayMs)))
        configuration.accessRefreshMs = UInt64(reader.int(forKey: "access.refreshMs", default: Int(configuration.accessRefreshMs)))
        configuration.edgeKey = reader.string(forKey: "edgeKey", isSecret: true, default: "")
        // `storage`: "sqlite" (the default, a file in dataDir) or a postgres:// URL.
        let storage = reader.string(forKey: "storage", isSecret: true, default: "sqlite")
        if storage.hasPrefix("postgres://") || storage.hasPrefix("postgresql://") {
            configuration.databaseURL = storage
        } else if storage != "sqlite" {
            throw ValidationError("storage must be \"sqlite\" or a postgres:// URL")
        }
        configuration.presenceGraceMs = UInt64(reader.int(forKey: "presence.graceMs", default: Int(defaults.presenceGraceMs)))
        configuration.eventRetentionCount = reader.int(forKey: "events.retentionCount", default: defaults.eventRetentionCount)
        configuration.eventRetentionMs = UInt64(reader.int(forKey: "events.retentionMs", default: Int(defaults.eventRetentionMs)))
        configuration.gateway.commandsPerWindow = reader.int(forKey: "gateway.commandsPerWindow",
                                                             default: defaults.gateway.commandsPerWindow)
        configuration.gateway.heartbeatIntervalMs = UInt64(reader.int(forKey: "gateway.heartbeatIntervalMs",
                                                                      default: Int(defaults.gateway.heartbeatIntervalMs)))
        configuration.gateway.resumeWindowMs = UInt64(reader.int(forKey: "gateway.resumeWindowMs",
                                                                 default: Int(defaults.gateway.resumeWindowMs)))
        configuration.gateway.outboundQueueBytes = reader.int(forKey: "gateway.outboundQueueBytes",
                                                              default: defaults.gateway.outboundQueueBytes)
        configuration.notifications.pushWebhookURL = reader.string(forKey: "notifications.pushWebhookUrl")
        configuration.notifications.coalesceWindowMs = UInt64(reader.int(forKey: "notifications.coalesceWindowMs",
                                                                          default: Int(defaults.notifications.coalesceWindowMs)))
        configuration.unfurl.enabled = reader.bool(forKey: "unfurl.enabled", default: true)
        configuration.unfurl.allowPrivate = reader.bool(forKey: "unfurl.allowPrivate", default: false)
        configuration.unfurl.allowHosts = Self.list(reader.string(forKey: "unfurl.allowHosts", default: ""))
        configuration.unfurl.denyHosts = Self.list(reader.string(forKey: "unfurl.denyHosts", default: ""))
        configuration.attachments.maxBytes = reader.int(forKey: "attachments.maxBytes", default: configuration.attachments.maxBytes)
        configuration.attachments.directory = reader.string(forKey: "attachments.directory")
        configuration.signIn.passwordCostLog2 = reader.int(forKey: "auth.passwordCostLog2",
                                                           default: configuration.signIn.passwordCostLog2)
        configuration.signIn.failuresPerAccount = reader.int(forKey: "auth.failuresPerAccount",
                                                             default: configuration.signIn.failuresPerAccount)
        configuration.signIn.attemptsPerAddress = reader.int(forKey: "auth.attemptsPerAddress",
                                                             default: configuration.signIn.attemptsPerAddress)
        configuration.signIn.inviteLifetimeHours = reader.int(forKey: "auth.inviteLifetimeHours",
                                                              default: configuration.signIn.inviteLifetimeHours)
        configuration.signIn.publicURL = reader.string(forKey: "auth.publicUrl")
        if let proxies = reader.string(forKey: "auth.trustedProxies") {
            configuration.signIn.trustedProxies = Set(Self.list(proxies))
        }
        configuration.webRoot = reader.string(forKey: "web.root")
        configuration.transport = try Self.transport(reader)
        guard configuration.tokenSecret.utf8.count >= 32 else {
            throw ValidationError("--token-secret (or SWITCHBOARD_TOKEN_SECRET) must be at least 32 bytes")
        }
        guard (0...1023).contains(configuration.workerID) else { throw ValidationError("--worker-id must be 0...1023") }

        var logger = Logger(label: "switchboard.origin")
        logger.logLevel = Logger.Level(rawValue: reader.string(forKey: "logLevel", default: "info")) ?? .info

        let origin = try await Origin(configuration: configuration, logger: logger)
        if seedDemo {
            let demo = try await DemoWorkspace.seedIfEmpty(origin)
            printDemo(demo, base: "\(origin.transport.scheme)://\(configuration.host):\(configuration.port)")
        }
        let startupLogger = logger
        let host = configuration.host
        let scheme = origin.transport.scheme
        let service = buildOrigin(origin, logger: logger) { port in
            startupLogger.info("origin listening", metadata: ["url": "\(scheme)://\(host):\(port)", "port": "\(port)"])
        }
        // SIGTERM / SIGINT: clients are told to reconnect, then the server stops.
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                    logger: logger)).run()
    }

    /// "a.example, b.example" → ["a.example", "b.example"].
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `tls.*`: the listener's certificate and key (also `SWITCHBOARD_TLS_CERT` / `_KEY`), the
    /// CA of edges' client certificates, whether TLS is required, h2c.
    static func transport(_ reader: ConfigReader) throws -> TransportConfiguration {
        var transport = TransportConfiguration()
        let clientCA = reader.string(forKey: "tls.edgeClientCa")
        switch (reader.string(forKey: "tls.cert"), reader.string(forKey: "tls.key")) {
        case (let cert?, let key?):
            var tls = ServerTLSConfiguration(certificateFile: cert, keyFile: key, clientCAFile: clientCA)
            tls.reloadCheckIntervalMs = UInt64(reader.int(forKey: "tls.reloadCheckIntervalMs", default: Int(tls.reloadCheckIntervalMs)))
            transport.tls = tls
        case (nil, nil):
            if clientCA != nil { throw ValidationError("--edge-client-ca needs TLS: give --tls-cert and --tls-key") }
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        transport.requireTLS = reader.bool(forKey: "tls.require", default: false)
        transport.plaintextHTTP2 = reader.bool(forKey: "tls.h2c", default: false)
        return transport
    }

    private func printDemo(_ demo: DemoWorkspace.Seeded, base: String) {
        let text = """

            Demo workspace "\(demo.workspace.name)" \(demo.created ? "created" : "already present") (id \(demo.workspace.id)).
            Web client: open \(base)/ (or an edge's address) and sign in to workspace "\(demo.workspace.name)"
            as alice@demo.switchboard.example (or bob@…, carol@…) with the password \(demo.password)
            (a new one at each start).
            Signed in as @\(demo.user.handle) (user \(demo.user.id)). Token:

            export TOKEN=\(demo.token)

            Try:
              curl -s \(base)/api/users/me -H "Authorization: Bearer $TOKEN"
              curl -s \(base)/api/channels -H "Authorization: Bearer $TOKEN"
              curl -s "\(base)/api/channels/\(demo.general.id)/messages?limit=10" -H "Authorization: Bearer $TOKEN"
              curl -s -X POST \(base)/api/channels/\(demo.general.id)/messages -H "Authorization: Bearer $TOKEN" \\
                   -H 'Content-Type: application/json' -d '{"content":"Hello from curl","nonce":"hello-1"}'
              curl -s "\(base)/api/search?q=edge" -H "Authorization: Bearer $TOKEN"
              curl -s \(base)/api/rtm.start -H "Authorization: Bearer $TOKEN" | wc -c

            """
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
