import ArgumentParser
import Configuration
import Foundation
import Logging
import SwitchboardCore
import ServiceLifecycle
import SwitchboardEdge
import SystemPackage

/// `switchboard-edge`: reads configuration (flags > environment > file > defaults), builds
/// the edge and runs it until SIGTERM / SIGINT.
@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-edge",
        abstract: "A Switchboard regional edge: working-set bootstraps, lazy loads and fan-out close to the clients.",
        discussion: """
            Every option can also come from the environment (SWITCHBOARD_EDGE_PORT, SWITCHBOARD_EDGE_ORIGIN,
            SWITCHBOARD_EDGE_KEY, SWITCHBOARD_TOKEN_SECRET, ...) or a JSON file given with --config
            (see config/edge.us-east.example.json). Flags win over the environment, which wins over the file.
            """)

    @Option(help: "JSON configuration file.") var config: String?
    @Option(help: "Address to bind (default 127.0.0.1).") var host: String?
    @Option(help: "Port to bind (default 8081; 0 picks a free port).") var port: Int?
    @Option(help: "The origin's base URL, e.g. http://127.0.0.1:8080; several origin processes sharing one database: comma-separated.")
    var origin: String?
    @Option(name: .customLong("edge-key"), help: "Key presented to the origin's edge feed.") var edgeKey: String?
    @Option(name: .customLong("token-secret"), help: "HS256 token secret shared with the origin (≥ 32 bytes).") var tokenSecret: String?
    @Option(name: .customLong("data-dir"), help: "Directory of the LMDB state (default ./data/edge).") var dataDir: String?
    @Option(help: "Region served, e.g. us-east (default local).") var region: String?
    @Option(name: .customLong("public-url"), help: "URL clients use to reach this edge.") var publicURL: String?
    @Option(name: .customLong("edge-id"), help: "This edge's id at the origin (default edge-REGION-PORT).") var edgeID: String?
    @Option(help: "Workspace ids to sync from the start (comma-separated).") var workspaces: String?
    @Option(name: .customLong("drain-window-ms"), help: "On SIGTERM, spread clients' reconnects over this window (default 10000).")
    var drainWindowMs: Int?
    @Option(name: .customLong("outbound-queue-bytes"), help: "Bytes that may wait for one client before it is dropped (default 8 MiB).")
    var outboundQueueBytes: Int?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (default info).") var logLevel: String?

    func run() async throws {
        raiseOpenFileLimit()  // one per client socket
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { flags["host"] = .init(stringLiteral: host) }
        if let port { flags["port"] = .init(integerLiteral: port) }
        if let origin { flags["origin"] = .init(stringLiteral: origin) }
        if let edgeKey { flags["key"] = ConfigValue(.string(edgeKey), isSecret: true) }
        if let dataDir { flags["dataDir"] = .init(stringLiteral: dataDir) }
        if let region { flags["region"] = .init(stringLiteral: region) }
        if let publicURL { flags["publicUrl"] = .init(stringLiteral: publicURL) }
        if let edgeID { flags["id"] = .init(stringLiteral: edgeID) }
        if let workspaces { flags["workspaces"] = .init(stringLiteral: workspaces) }
        if let logLevel { flags["logLevel"] = .init(stringLiteral: logLevel) }
        if let drainWindowMs { flags["drainWindowMs"] = .init(integerLiteral: drainWindowMs) }
        if let outboundQueueBytes { flags["gateway.outboundQueueBytes"] = .init(integerLiteral: outboundQueueBytes) }

        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider().prefixKeys(with: "switchboard.edge"),
        ]
        if let config { providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(config))) }
        let reader = ConfigReader(providers: providers)
        // The token secret is shared with the origin: same variable name.
        let secret = tokenSecret ?? ProcessInfo.processInfo.environment["SWITCHBOARD_TOKEN_SECRET"]
            ?? reader.string(forKey: "tokenSecret", isSecret: true, default: "")

        let origins = reader.string(forKey: "origin", default: "http://127.0.0.1:8080")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let firstOrigin = origins.first else { throw ValidationError("--origin needs a URL") }
        var configuration = EdgeConfiguration(
            host: reader.string(forKey: "host", default: "127.0.0.1"),
            port: reader.int(forKey: "port", default: 8081),
            originURL: firstOrigin,
            edgeKey: reader.string(forKey: "key", isSecret: true, default: ""),
            tokenSecret: secret,
            dataDirectory: reader.string(forKey: "dataDir", default: "./data/edge"),
            region: reader.string(forKey: "region", default: "local"),
            publicURL: reader.string(forKey: "publicUrl"),
            edgeID: reader.string(forKey: "id"))
        configuration.moreOriginURLs = Array(origins.dropFirst())
        configuration.workspaces = reader.string(forKey: "workspaces", default: "").split(separator: ",").map(String.init)
        configuration.mapSize = reader.int(forKey: "lmdb.mapSize", default: configuration.mapSize)
        configuration.messagesPerChannel = reader.int(forKey: "messagesPerChannel", default: configuration.messagesPerChannel)
        configuration.upstreamIdleMs = UInt64(reader.int(forKey: "upstreamIdleMs", default: Int(configuration.upstreamIdleMs)))
        configuration.durable = reader.bool(forKey: "lmdb.durable", default: configuration.durable)
        configuration.drainWindowMs = UInt64(reader.int(forKey: "drainWindowMs", default: Int(configuration.drainWindowMs)))
        configuration.badgeIntervalMs = UInt64(reader.int(forKey: "badgeIntervalMs", default: Int(configuration.badgeIntervalMs)))
        configuration.gateway.outboundQueueBytes = reader.int(forKey: "gateway.outboundQueueBytes",
                                                              default: configuration.gateway.outboundQueueBytes)
        configuration.gateway.heartbeatIntervalMs = UInt64(reader.int(forKey: "gateway.heartbeatIntervalMs",
                                                                      default: Int(configuration.gateway.heartbeatIntervalMs)))
        guard configuration.tokenSecret.utf8.count >= 32 else {
            throw ValidationError("--token-secret (or SWITCHBOARD_TOKEN_SECRET) must be at least 32 bytes")
        }
        guard !configuration.edgeKey.isEmpty else { throw ValidationError("--edge-key (or SWITCHBOARD_EDGE_KEY) is required") }

        var logger = Logger(label: "switchboard.edge")
        logger.logLevel = Logger.Level(rawValue: reader.string(forKey: "logLevel", default: "info")) ?? .info
        let edge = try await Edge(configuration: configuration, logger: logger)
        let startupLogger = logger
        let region = configuration.region
        let service = buildEdge(edge, logger: logger) { port in
            startupLogger.info("edge listening", metadata: ["region": "\(region)", "port": "\(port)"])
        }
        // SIGTERM / SIGINT: drain the clients over the window, then stop.
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                    logger: logger)).run()
    }
}
