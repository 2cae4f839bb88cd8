import SwitchboardServer
/// Everything an origin needs to run. Executables fill it from flags, environment and a
/// file; tests build it directly.
public struct OriginConfiguration: Sendable {
    /// Address to bind. Default `127.0.0.1`.
    public var host: String
    /// Port to bind; 0 picks a free one. Default `8080`.
    public var port: Int
    /// Directory of the SQLite database (`origin.sqlite`). Default `./data/origin`.
    public var dataDirectory: String
    /// `postgres://user:password@host:port/database[?schema=name]` to store everything in
    /// PostgreSQL instead of SQLite; several origin processes may share it. Default nil (SQLite).
    public var databaseURL: String?
    /// Key for admin calls (`X-Admin-Key`). Empty disables admin calls. No default.
    public var adminKey: String
    /// HS256 secret for tokens, at least 32 bytes; the edges verify with the same one. No default.
    public var tokenSecret: String
    /// Lifetime of issued tokens, seconds. Default 30 days.
    public var tokenLifetimeSeconds: Int
    /// Snowflake worker id of this process, 0...1023; unique among processes sharing a store. Default 1.
    public var workerID: UInt64
    /// Messages allowed per user per channel per window. Default 5; 0 disables the limit.
    public var messageRateLimit: Int
    /// Reaction changes (add or remove) allowed per user per channel per window, apart from
    /// messages. Default 20; 0 disables the limit.
    public var reactionRateLimit: Int = 20
    /// `@channel`, `@here` and `@everyone` in channels of more members than this are for
    /// owners and admins only. Default 50.
    public var broadcastMentionsAdminOnlyAbove: Int = 50
    /// Read receipts are kept for DMs and channels of at most this many members. Default 50.
    public var readReceiptsMaxMembers: Int = 50
    /// How often the origin re-reads which users' tokens are refused (changes made by other
    /// processes sharing the database), milliseconds. Default 2,000.
    public var accessRefreshMs: UInt64 = 2_000
    /// The rate limits' window, milliseconds. Default 5,000.
    public var messageRateWindowMs: UInt64
    /// Base of generated avatar URLs (`{base}/{user_id}/{size}.png`). Default `https://avatars.switchboard.example`.
    public var avatarBaseURL: String

    /// Gateway session limits (heartbeat, resume window, queues). See ``GatewayLimits``.
    public var gateway: GatewayLimits = GatewayLimits()
    /// A user is shown offline this long after their last connection closed (ms). Default 30,000.
    public var presenceGraceMs: UInt64 = 30_000
    /// A connected user who does nothing (no send, read or typing) this long shows `away` until
    /// they do (ms; 0: never). Default 600,000 (10 minutes).
    public var presenceAutoAwayMs: UInt64 = 600_000
    /// Event log retention: at most this many events per workspace. Default 100,000.
    public var eventRetentionCount: Int = 100_000
    /// Event log retention: events older than this are dropped (ms). Default 24 h.
    public var eventRetentionMs: UInt64 = 24 * 3600 * 1000

    /// Link previews: allow/deny lists, private addresses, limits.
    public var unfurl = UnfurlConfiguration()
    /// Uploads: blob directory, size limit, accepted types, URL lifetime.
    public var attachments = AttachmentConfiguration()
    /// Notifications for people who are away: coalescing window, push webhook, limits.
    public var notifications = NotificationConfiguration()
    /// The web client's files (`web.root`); default: the ones shipped with the build.
    public var webRoot: String?
    /// Passwords, sign-in limits and invites (`auth.*`).
    public var signIn = SignInConfiguration()
    /// Key edges present (`X-Edge-Key`) to open a feed. Empty refuses every edge. No default.
    public var edgeKey: String = ""
    /// Bytes that may wait for one edge feed before the edge is dropped as too slow. Default 64 MiB.
    public var feedQueueBytes: Int = 64 << 20
    /// A feed with no frame from its edge for this long is closed (ms). Default 30,000.
    public var feedIdleTimeoutMs: UInt64 = 30_000
    /// How often the origin sends `heartbeat` on each feed, from its first moment, snapshot
    /// or not (ms): edges close a feed silent for `feed.silenceLimitMs` (10 s). Default 4,000.
    public var feedHeartbeatMs: UInt64 = 4_000
    /// Latest messages per channel in a feed snapshot. Default 50.
    public var snapshotMessagesPerChannel: Int = 50
    /// TLS for the listener (`--tls-cert`, `--tls-key`, `--require-tls`). Its client CA is
    /// `--edge-client-ca`: with it, feeds and edge registrations need a client certificate that
    /// CA signed, besides the edge key. Default: plain HTTP.
    public var transport = TransportConfiguration()
    /// Log level and format (`logLevel`, `logFormat`). Default info, text.
    public var logging = LogConfiguration()

    public init(host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./data/origin",
                adminKey: String, tokenSecret: String, tokenLifetimeSeconds: Int = 30 * 24 * 3600,
                workerID: UInt64 = 1, messageRateLimit: Int = 5, messageRateWindowMs: UInt64 = 5_000,
                avatarBaseURL: String = "https://avatars.switchboard.example") {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.adminKey = adminKey
        self.tokenSecret = tokenSecret
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
        self.workerID = workerID
        self.messageRateLimit = messageRateLimit
        self.messageRateWindowMs = messageRateWindowMs
        self.avatarBaseURL = avatarBaseURL
    }

    /// The SQLite database file inside ``dataDirectory``.
    public var sqlitePath: String { dataDirectory + "/origin.sqlite" }
}
