import ArgumentParser
import Configuration
import Foundation
import Logging
import SwitchboardCore
import ServiceLifecycle
import SwitchboardEdge
import SwitchboardServer
import SwitchboardTLS
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
    @Option(name: .customLong("tls-cert"), help: "PEM certificate (then its chain): serve HTTPS and WSS, HTTP/2 by ALPN.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Flag(name: .customLong("require-tls"), help: "Refuse to start without --tls-cert and --tls-key.") var requireTLS = false
    @Flag(name: .customLong("h2c"), help: "Also accept HTTP/2 in clear (prior knowledge) on a plain-HTTP port.") var h2c = false
    @Option(name: .customLong("origin-ca"), help: "PEM CA bundle the origin's certificate must chain to (default: the system store).")
    var originCA: String?
    @Option(name: .customLong("client-cert"), help: "PEM client certificate presented to the origin (mutual TLS).") var clientCert: String?
    @Option(name: .customLong("client-key"), help: "PEM private key of --client-cert.") var clientKey: String?
    @Flag(name: .customLong("allow-insecure-origin"),
          help: "Allow an http:// origin that is not on loopback (the edge key and feeds then travel in clear).")
    var allowInsecureOrigin = false
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
        if let tlsCert { flags["tls.cert"] = .init(stringLiteral: tlsCert) }
        if let tlsKey { flags["tls.key"] = .init(stringLiteral: tlsKey) }
        if requireTLS { flags["tls.require"] = .init(booleanLiteral: true) }
        if h2c { flags["tls.h2c"] = .init(booleanLiteral: true) }
        if let originCA { flags["tls.originCa"] = .init(stringLiteral: originCA) }
        if let clientCert { flags["tls.clientCert"] = .init(stringLiteral: clientCert) }
        if let clientKey { flags["tls.clientKey"] = .init(stringLiteral: clientKey) }
        if allowInsecureOrigin { flags["allowInsecureOrigin"] = .init(booleanLiteral: true) }

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
        configuration.webRoot = reader.string(forKey: "web.root")
        configuration.workspaces = reader.string(forKey: "workspaces", default: "").split(separator: ",").map(String.init)
        configuration.mapSize = reader.int(forKey: "lmdb.mapSize", default: configuration.mapSize)
        configuration.messagesPerChannel = reader.int(forKey: "messagesPerChannel", default: configuration.messagesPerChannel)
        configuration.upstreamIdleMs = UInt64(reader.int(forKey: "upstreamIdleMs", default: Int(configuration.upstreamIdleMs)))
        configuration.durable = reader.bool(forKey: "lmdb.durable", default: configuration.durable)
        configuration.drainWindowMs = UInt64(reader.int(forKey: "drainWindowMs", default: Int(configuration.drainWindowMs)))
        configuration.badgeIntervalMs = UInt64(reader.int(forKey: "badgeIntervalMs", default: Int(configuration.badgeIntervalMs)))
        configuration.gateway.outboundQueueBytes = reader.int(forKey: "gateway.outboundQueueBytes",
                                                              default: configuration.gateway.outboundQueueBytes)
        configuration.gateway.commandsPerWindow = reader.int(forKey: "gateway.commandsPerWindow",
                                                             default: configuration.gateway.commandsPerWindow)
        configuration.gateway.heartbeatIntervalMs = UInt64(reader.int(forKey: "gateway.heartbeatIntervalMs",
                                                                      default: Int(configuration.gateway.heartbeatIntervalMs)))
        configuration.transport = try Self.transport(reader)
        configuration.originTLS = ClientTLS(caFile: reader.string(forKey: "tls.originCa"),
                                            certificateFile: reader.string(forKey: "tls.clientCert"),
                                            keyFile: reader.string(forKey: "tls.clientKey"))
        if (configuration.originTLS.certificateFile == nil) != (configuration.originTLS.keyFile == nil) {
            throw ValidationError("--client-cert and --client-key go together")
        }
        configuration.allowInsecureOrigin = reader.bool(forKey: "allowInsecureOrigin", default: false)
        guard configuration.tokenSecret.utf8.count >= 32 else {
            throw ValidationError("--token-secret (or SWITCHBOARD_TOKEN_SECRET) must be at least 32 bytes")
        }
        guard !configuration.edgeKey.isEmpty else { throw ValidationError("--edge-key (or SWITCHBOARD_EDGE_KEY) is required") }

        var logger = Logger(label: "switchboard.edge")
        logger.logLevel = Logger.Level(rawValue: reader.string(forKey: "logLevel", default: "info")) ?? .info
        let edge = try await Edge(configuration: configuration, logger: logger)
        let startupLogger = logger
        let region = configuration.region
        let scheme = edge.transport.scheme
        let host = configuration.host
        let service = buildEdge(edge, logger: logger) { port in
            startupLogger.info("edge listening", metadata: ["region": "\(region)", "url": "\(scheme)://\(host):\(port)", "port": "\(port)"])
        }
        // SIGTERM / SIGINT: drain the clients over the window, then stop.
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                    logger: logger)).run()
    }

    /// `tls.*`: the listener's certificate and key (also `SWITCHBOARD_TLS_CERT` / `_KEY`, as
    /// the origin reads them), whether TLS is required, h2c.
    static func transport(_ reader: ConfigReader) throws -> TransportConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var transport = TransportConfiguration()
        let cert = reader.string(forKey: "tls.cert") ?? environment["SWITCHBOARD_TLS_CERT"]
        let key = reader.string(forKey: "tls.key") ?? environment["SWITCHBOARD_TLS_KEY"]
        switch (cert, key) {
        case (let cert?, let key?):
            var tls = ServerTLSConfiguration(certificateFile: cert, keyFile: key)
            tls.reloadCheckIntervalMs = UInt64(reader.int(forKey: "tls.reloadCheckIntervalMs", default: Int(tls.reloadCheckIntervalMs)))
            transport.tls = tls
        case (nil, nil):
            break
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        transport.requireTLS = reader.bool(forKey: "tls.require", default: false)
        transport.plaintextHTTP2 = reader.bool(forKey: "tls.h2c", default: false)
        return transport
    }
}
