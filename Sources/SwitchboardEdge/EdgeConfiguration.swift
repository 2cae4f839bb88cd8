import Foundation
import SwitchboardServer
import SwitchboardTLS

/// Everything an edge needs to run. Executables fill it from flags, environment and a file;
/// tests build it directly.
public struct EdgeConfiguration: Sendable {
    /// Address to bind. Default `127.0.0.1`.
    public var host: String
    /// Port to bind; 0 picks a free one. Default `8081`.
    public var port: Int
    /// The origin's base URL, e.g. `http://127.0.0.1:8080`. No default.
    public var originURL: String
    /// Further origin processes sharing the origin's PostgreSQL database. Each workspace is
    /// served by one of `originURL` + these (see ``OriginDirectory``). Default none.
    public var moreOriginURLs: [String] = []
    /// How often each origin process's `/readyz` is probed when there are several (ms): two
    /// failed probes in a row move its workspaces to the next process, three good ones bring
    /// them back. Default 1,000.
    public var originProbeIntervalMs: UInt64 = 1_000
    /// How long a probe waits for its answer (ms). A process that does not answer is known
    /// dead only at this timeout (connections refused are retried until then). Default 1,000.
    public var originProbeTimeoutMs: UInt64 = 1_000
    /// The web client's files (`web.root`); default: the ones shipped with the build.
    public var webRoot: String?
    /// Key presented to the origin's edge feed (`X-Edge-Key`). No default.
    public var edgeKey: String
    /// HS256 secret shared with the origin: tokens are verified here without a round trip. No default.
    public var tokenSecret: String
    /// Directory of the LMDB environment. Default `./data/edge`.
    public var dataDirectory: String
    /// Region this edge serves, e.g. `eu-west`. Default `local`.
    public var region: String
    /// URL clients use to reach this edge (registered with the origin). Default `http://{host}:{port}`.
    public var publicURL: String?
    /// This edge's id at the origin. Default `edge-{region}-{port}`.
    public var edgeID: String?
    /// Workspaces to keep a feed for from the start. Default none (opened on first use).
    public var workspaces: [String] = []
    /// How long a workspace's feed stays open after its last local use (ms). Default 10 minutes.
    public var upstreamIdleMs: UInt64 = 10 * 60 * 1000
    /// A feed on which nothing arrives from the origin this long is closed and reopened (ms):
    /// the origin heartbeats every `feed.heartbeatMs` (4 s), so keep this a few of those. Default 10,000.
    public var feedSilenceLimitMs: UInt64 = 10_000
    /// LMDB map size: the most the state may grow to (bytes). Default 8 GiB.
    public var mapSize: Int = 8 << 30
    /// LMDB readers allowed at once. Default 512.
    public var maxReaders: UInt32 = 512
    /// Messages cached per channel (the ring). Default 50.
    public var messagesPerChannel: Int = 50
    /// fsync each LMDB commit. Default false: the state is a copy of the origin's, written with
    /// its feed position in the same transaction, and flushed every `syncIntervalMs`; after an
    /// OS crash the edge replays the feed from the position that reached the disk.
    public var durable: Bool = false
    /// How often a non-durable LMDB is flushed to disk (ms). Default 1,000.
    public var syncIntervalMs: UInt64 = 1_000
    /// How long a request waits for a workspace's first sync before answering 503 (ms). Default 30,000.
    public var syncWaitMs: UInt64 = 30_000
    /// How long history pages fetched from the origin are reused (ms). Default 2,000.
    public var historyCacheMs: UInt64 = 2_000
    /// Client sessions: heartbeat interval, resume window, outbound queue bytes, frame limits.
    public var gateway = GatewayLimits()
    /// At most one `unread.updated` per channel per session in this interval (ms). Default 250.
    public var badgeIntervalMs: UInt64 = 250
    /// Lifetime of the file URLs the edge signs for cached messages (seconds). Default 24 hours,
    /// as at the origin.
    public var fileURLLifetimeSeconds: UInt64 = 24 * 3600
    /// On shutdown, clients are told to reconnect elsewhere spread over this window (ms). Default 10,000.
    public var drainWindowMs: UInt64 = 10_000

    /// TLS for the listener (`--tls-cert`, `--tls-key`, `--require-tls`). Default: plain HTTP.
    public var transport = TransportConfiguration()
    /// How the origin is verified over `https://` / `wss://` (`--origin-ca`, else the system
    /// trust store; hostname verification always on) and the client certificate presented to
    /// it (`--client-cert` / `--client-key`, for an origin that asks for mutual TLS). Default: system store.
    public var originTLS = ClientTLS.system
    /// Let the edge key travel to a non-loopback `http://` origin (in clear). Default false: refused at start.
    public var allowInsecureOrigin = false
    /// Log level and format (`logLevel`, `logFormat`). Default info, text.
    public var logging = LogConfiguration()

    /// Every origin process, the first being `originURL`.
    public var origins: OriginDirectory { OriginDirectory(urls: [originURL] + moreOriginURLs) }

    public init(host: String = "127.0.0.1", port: Int = 8081, originURL: String, edgeKey: String, tokenSecret: String,
                dataDirectory: String = "./data/edge", region: String = "local", publicURL: String? = nil,
                edgeID: String? = nil) {
        self.host = host
        self.port = port
        self.originURL = originURL
        self.edgeKey = edgeKey
        self.tokenSecret = tokenSecret
        self.dataDirectory = dataDirectory
        self.region = region
        self.publicURL = publicURL
        self.edgeID = edgeID
    }
}

extension EdgeConfiguration {
    public struct InsecureOrigin: Error, CustomStringConvertible {
        public let url: String
        public var description: String {
            "refusing to send the edge key in clear to \(url): use https:// (or --allow-insecure-origin on a trusted network)"
        }
    }

    /// An `http://` origin off loopback would receive the edge key and every feed in clear.
    func checkOriginsAreSecure() throws {
        guard !allowInsecureOrigin else { return }
        for url in origins.urls where url.lowercased().hasPrefix("http://") {
            let host = URLComponents(string: url)?.host ?? ""
            if !TransportConfiguration.isLoopback(host) { throw InsecureOrigin(url: url) }
        }
    }
}
