import SwitchboardServer
import SwitchboardTLS

/// Every field of ``EdgeConfiguration`` as a setting: flag, `SWITCHBOARD_EDGE_*` variable and
/// key of the JSON config file, with its unit, default and bounds (docs/operations.md lists them).
public enum EdgeSettings {
    public static var defaults: EdgeConfiguration { EdgeConfiguration(originURL: "http://127.0.0.1:8080", edgeKey: "", tokenSecret: "") }

    public static var schema: Settings<EdgeConfiguration> {
        Settings(all, environmentPrefix: "switchboard.edge", finish: finish)
    }

    static var all: [Setting<EdgeConfiguration>] {
        typealias S = Setting<EdgeConfiguration>
        let edge: [S] = [
            .string("host", \.host, "Address to bind."),
            .integer("port", \.port, "Port to bind; 0 picks a free one.", range: 0...65_535),
            Setting("origin", kind: .list, help: "The origin's base URL; several origin processes sharing one database: comma-separated.",
                    example: .list(["https://o1.example:8443", "https://o2.example:8443"]),
                    get: { .list($0.origins.urls) },
                    set: { root, value in
                        guard let first = value.list?.first else { throw SettingRefusal("needs a URL") }
                        for url in value.list ?? [] where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                            throw SettingRefusal("\(url) is not an http:// or https:// URL")
                        }
                        root.originURL = first
                        root.moreOriginURLs = Array((value.list ?? []).dropFirst())
                    }),
            .integer("originProbe.intervalMs", \.originProbeIntervalMs,
                     "With several origin processes: how often each one's /readyz is probed (2 failures move its workspaces away, 3 successes back).",
                     unit: "ms", range: 100...60_000),
            .integer("originProbe.timeoutMs", \.originProbeTimeoutMs, "How long an origin probe waits for its answer.",
                     unit: "ms", range: 100...60_000),
            .string("key", \.edgeKey, "Key presented to the origin's edge feed (X-Edge-Key).", secret: true, flags: ["--edge-key"]),
            .string("tokenSecret", \.tokenSecret, "HS256 token secret shared with the origin (at least 32 bytes).", secret: true,
                    environment: ["SWITCHBOARD_TOKEN_SECRET"], example: String(repeating: "s", count: 40)),
            .string("dataDir", \.dataDirectory, "Directory of the LMDB state."),
            .string("region", \.region, "Region served, e.g. eu-west."),
            .string("publicUrl", \.publicURL, "URL clients use to reach this edge (registered with the origin); default http(s)://host:port.",
                    example: "https://edge-eu.example:8443"),
            .string("id", \.edgeID, "This edge's id at the origin; default edge-REGION-PORT.", flags: ["--edge-id"], example: "edge-eu-1"),
            .list("workspaces", \.workspaces, "Workspace ids to keep a feed for from the start (comma-separated)."),
            .string("web.root", \.webRoot, "Directory of the web client's files; default: the ones shipped with the build."),
            .integer("upstreamIdleMs", \.upstreamIdleMs, "How long a workspace's feed stays open after its last local use.",
                     unit: "ms", range: 1_000...(7 * 86_400_000)),
            .integer("feed.silenceLimitMs", \.feedSilenceLimitMs,
                     "A feed silent this long (the origin heartbeats every 4 s) is closed and reopened: a blackholed origin is noticed.",
                     unit: "ms", range: 500...600_000),
            .integer("messagesPerChannel", \.messagesPerChannel, "Messages cached per channel.", range: 1...1_000),
            .integer("syncWaitMs", \.syncWaitMs, "How long a request waits for a workspace's first sync before a 503.",
                     unit: "ms", range: 100...600_000),
            .integer("historyCacheMs", \.historyCacheMs, "How long history pages fetched from the origin are reused.",
                     unit: "ms", range: 0...600_000),
            .integer("badgeIntervalMs", \.badgeIntervalMs, "At most one unread.updated per channel per session in this interval.",
                     unit: "ms", range: 0...60_000),
            .integer("fileUrlLifetimeSeconds", \.fileURLLifetimeSeconds, "Lifetime of the file URLs the edge signs for cached messages.",
                     unit: "seconds", range: 60...(30 * 86_400)),
            .integer("drainWindowMs", \.drainWindowMs, "On SIGTERM, clients' reconnects are spread over this window.",
                     unit: "ms", range: 0...600_000),
            .boolean("allowInsecureOrigin", \.allowInsecureOrigin,
                     "Allow an http:// origin off loopback (the edge key and feeds then travel in clear)."),
        ]
        let lmdb: [S] = [
            .integer("lmdb.mapSize", \.mapSize, "The most the LMDB state may grow to.", unit: "bytes", range: (16 << 20)...(1 << 40)),
            .integer("lmdb.maxReaders", \.maxReaders, "LMDB readers at once.", range: 8...100_000),
            .boolean("lmdb.durable", \.durable, "fsync each LMDB commit (otherwise every syncIntervalMs; the feed replays the rest)."),
            .integer("lmdb.syncIntervalMs", \.syncIntervalMs, "How often a non-durable LMDB is flushed to disk.", unit: "ms",
                     range: 10...600_000),
        ]
        let tls: [S] = [
            .string("tls.originCa", \.originTLS.caFile, "PEM CA bundle the origin's certificate must chain to; default: the system store.",
                    flags: ["--origin-ca"], example: "/etc/switchboard/tls/ca.pem"),
            .string("tls.clientCert", \.originTLS.certificateFile, "PEM client certificate presented to the origin (mutual TLS).",
                    flags: ["--client-cert"], example: "/etc/switchboard/tls/edge.pem"),
            .string("tls.clientKey", \.originTLS.keyFile, "PEM private key of tls.clientCert.", flags: ["--client-key"],
                    example: "/etc/switchboard/tls/edge-key.pem"),
        ]
        return edge + lmdb + GatewayLimits.settings(\.gateway) + TransportConfiguration.settings(\.transport) + tls
            + LogConfiguration.settings(\.logging)
    }

    static func finish(_ configuration: inout EdgeConfiguration) throws {
        try TransportConfiguration.finish(&configuration.transport)
        if (configuration.originTLS.certificateFile == nil) != (configuration.originTLS.keyFile == nil) {
            throw SettingRefusal("tls.clientCert and tls.clientKey go together")
        }
        guard configuration.tokenSecret.utf8.count >= 32 else {
            throw SettingRefusal("tokenSecret (SWITCHBOARD_TOKEN_SECRET) must be at least 32 bytes")
        }
        guard !configuration.edgeKey.isEmpty else { throw SettingRefusal("key (SWITCHBOARD_EDGE_KEY, --edge-key) is required") }
    }
}
