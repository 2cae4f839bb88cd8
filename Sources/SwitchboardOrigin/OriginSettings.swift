import SwitchboardServer
import SwitchboardTLS

/// Every field of ``OriginConfiguration`` as a setting: flag, `SWITCHBOARD_*` variable and key
/// of the JSON config file, with its unit, default and bounds (docs/operations.md lists them).
public enum OriginSettings {
    public static var defaults: OriginConfiguration { OriginConfiguration(adminKey: "", tokenSecret: "") }

    public static var schema: Settings<OriginConfiguration> {
        Settings(all, environmentPrefix: "switchboard", finish: finish)
    }

    static var all: [Setting<OriginConfiguration>] {
        typealias S = Setting<OriginConfiguration>
        let server: [S] = [
            .string("host", \.host, "Address to bind."),
            .integer("port", \.port, "Port to bind; 0 picks a free one.", range: 0...65_535),
            .string("dataDir", \.dataDirectory, "Directory of the SQLite database (origin.sqlite) and, by default, the files."),
            Setting("storage", kind: .string, help: "sqlite (a file in dataDir) or a postgres://user:password@host:port/db URL.",
                    secret: true, flagAliases: ["--database-url"], example: .string("postgres://u:p@127.0.0.1:5432/switchboard"),
                    get: { .string($0.databaseURL ?? "sqlite") },
                    set: { root, value in
                        let text = value.string ?? "sqlite"
                        if text == "sqlite" {
                            root.databaseURL = nil
                        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
                            root.databaseURL = text
                        } else {
                            throw SettingRefusal("must be \"sqlite\" or a postgres:// URL")
                        }
                    }),
            .string("adminKey", \.adminKey, "Key of admin calls (X-Admin-Key); empty disables them.", secret: true),
            .string("tokenSecret", \.tokenSecret, "HS256 secret of tokens, at least 32 bytes; edges verify with the same one.",
                    secret: true, example: String(repeating: "s", count: 40)),
            .integer("tokenLifetimeSeconds", \.tokenLifetimeSeconds, "Lifetime of issued tokens.", unit: "seconds",
                     range: 60...(10 * 365 * 86_400)),
            .integer("workerId", \.workerID, "Snowflake worker id, unique among processes sharing a database.", range: 0...1_023),
            .string("avatarBaseUrl", \.avatarBaseURL, "Base of generated avatar URLs ({base}/{user_id}/{size}.png)."),
            .string("edgeKey", \.edgeKey, "Key edges present to open a feed (X-Edge-Key); empty refuses every edge.", secret: true),
            .string("web.root", \.webRoot, "Directory of the web client's files; default: the ones shipped with the build."),
        ]
        let limits: [S] = [
            .integer("rateLimit.messages", \.messageRateLimit, "Messages per user per channel per window; 0 disables the limit.",
                     range: 0...1_000_000, flags: ["--rate-limit"]),
            .integer("rateLimit.windowMs", \.messageRateWindowMs, "The rate limits' window.", unit: "ms", range: 100...3_600_000),
            .integer("rateLimit.reactions", \.reactionRateLimit, "Reaction changes per user per channel per window; 0: off.",
                     range: 0...1_000_000),
            .integer("mentions.broadcastAdminOnlyAbove", \.broadcastMentionsAdminOnlyAbove,
                     "@channel, @here and @everyone in channels of more members are for owners and admins only.", range: 0...10_000_000),
            .integer("readReceipts.maxMembers", \.readReceiptsMaxMembers, "Read receipts are kept for channels of at most this many members.",
                     range: 0...10_000),
            .integer("presence.graceMs", \.presenceGraceMs, "A user shows offline this long after their last connection closed.",
                     unit: "ms", range: 0...3_600_000),
            .integer("presence.autoAwayMs", \.presenceAutoAwayMs, "A connected user idle this long shows away (0: never).",
                     unit: "ms", range: 0...86_400_000),
            .integer("access.refreshMs", \.accessRefreshMs, "How often refused tokens are re-read (changes by other processes).",
                     unit: "ms", range: 100...600_000),
            .integer("events.retentionCount", \.eventRetentionCount, "Events kept per workspace (at most).", range: 100...100_000_000),
            .integer("events.retentionMs", \.eventRetentionMs, "Events older than this are dropped.", unit: "ms",
                     range: 60_000...(365 * 86_400_000)),
            .integer("feed.queueBytes", \.feedQueueBytes, "Bytes that may wait for one edge feed before the edge is dropped.",
                     unit: "bytes", range: 65_536...(4 << 30)),
            .integer("feed.idleTimeoutMs", \.feedIdleTimeoutMs, "A feed with no frame from its edge this long is closed.",
                     unit: "ms", range: 1_000...3_600_000),
            .integer("feed.heartbeatMs", \.feedHeartbeatMs,
                     "How often each feed gets a heartbeat (edges close a feed silent for their feed.silenceLimitMs, 10 s).",
                     unit: "ms", range: 100...60_000),
            .integer("feed.snapshotMessagesPerChannel", \.snapshotMessagesPerChannel, "Latest messages per channel in a feed snapshot.",
                     range: 0...1_000),
        ]
        let notifications: [S] = [
            .string("notifications.pushWebhookUrl", \.notifications.pushWebhookURL,
                    "URL that receives a POST per (coalesced) notification.", flags: ["--push-webhook"],
                    example: "https://push.example/hook"),
            .integer("notifications.coalesceWindowMs", \.notifications.coalesceWindowMs,
                     "Notifications of one user in one channel within this window are one.", unit: "ms", range: 0...86_400_000),
            .integer("notifications.broadcastMemberLimit", \.notifications.broadcastMemberLimit,
                     "@channel and @here notify at most this many members.", range: 0...10_000_000),
            .integer("notifications.queueLimit", \.notifications.queueLimit, "Messages waiting to be examined; more are dropped (logged).",
                     range: 1...10_000_000),
            .integer("notifications.pushQueueLimit", \.notifications.pushQueueLimit, "Pushes waiting to be sent; more are dropped (logged).",
                     range: 1...10_000_000),
            .integer("notifications.pushTimeoutMs", \.notifications.pushTimeoutMs, "Timeout of one push POST.", unit: "ms",
                     range: 100...600_000),
            .boolean("notifications.notifyDirect", \.notifications.notifyDirect, "Whether DMs notify (besides mentions)."),
        ]
        let unfurl: [S] = [
            .boolean("unfurl.enabled", \.unfurl.enabled, "Fetch link previews at all."),
            .boolean("unfurl.allowPrivate", \.unfurl.allowPrivate, "Let previews fetch loopback and private addresses (tests, intranets)."),
            .list("unfurl.allowHosts", \.unfurl.allowHosts, "When not empty, only these hosts (and subdomains) are fetched."),
            .list("unfurl.denyHosts", \.unfurl.denyHosts, "Hosts (and subdomains) never fetched."),
            .integer("unfurl.timeoutMs", \.unfurl.timeoutMs, "A whole fetch, redirects included.", unit: "ms", range: 100...120_000),
            .integer("unfurl.maxBytes", \.unfurl.maxBytes, "Bytes of a page read at most.", unit: "bytes", range: 1_024...(64 << 20)),
            .integer("unfurl.maxRedirects", \.unfurl.maxRedirects, "Redirects followed, each checked like the first URL.", range: 0...20),
            .integer("unfurl.maxLinksPerMessage", \.unfurl.maxLinksPerMessage, "Links previewed per message.", range: 0...20),
            .integer("unfurl.concurrency", \.unfurl.concurrency, "Pages fetched at once.", range: 1...256),
            .integer("unfurl.queueLimit", \.unfurl.queueLimit, "Messages waiting to be unfurled; more are skipped.", range: 1...1_000_000),
        ]
        let attachments: [S] = [
            .string("attachments.directory", \.attachments.directory, "Directory of the blob store; default dataDir/files.",
                    example: "/var/lib/switchboard/files"),
            .integer("attachments.maxBytes", \.attachments.maxBytes, "Largest upload.", unit: "bytes", range: 1_024...(16 << 30),
                     flags: ["--max-upload-bytes"]),
            .list("attachments.allowedTypes", \.attachments.allowedTypes, "Media types accepted (images are also checked by their bytes)."),
            .integer("attachments.urlLifetimeSeconds", \.attachments.urlLifetimeSeconds, "How long a signed file URL stays valid.",
                     unit: "seconds", range: 60...(30 * 86_400)),
            .integer("attachments.uploadUrlLifetimeSeconds", \.attachments.uploadURLLifetimeSeconds,
                     "How long a pre-signed upload URL stays usable.", unit: "seconds", range: 60...86_400),
            .integer("attachments.maxPerMessage", \.attachments.maxPerMessage, "Attachments per message.", range: 0...100),
        ]
        let auth: [S] = [
            .integer("auth.passwordCostLog2", \.signIn.passwordCostLog2, "log2 of scrypt's N for new password hashes (15: 32 MiB).",
                     range: 10...20),
            .integer("auth.failuresPerAccount", \.signIn.failuresPerAccount, "Failed sign-ins per account per failureWindowMs.",
                     range: 1...10_000),
            .integer("auth.failureWindowMs", \.signIn.failureWindowMs, "The window of failuresPerAccount.", unit: "ms",
                     range: 1_000...86_400_000),
            .integer("auth.attemptsPerAddress", \.signIn.attemptsPerAddress, "Sign-in attempts per client address per addressWindowMs.",
                     range: 1...1_000_000),
            .integer("auth.addressWindowMs", \.signIn.addressWindowMs, "The window of attemptsPerAddress.", unit: "ms",
                     range: 1_000...86_400_000),
            .integer("auth.inviteLifetimeHours", \.signIn.inviteLifetimeHours, "How long an invite link works.", unit: "hours",
                     range: 1...(365 * 24)),
            .string("auth.publicUrl", \.signIn.publicURL, "Where people open the web client (invite links point there).",
                    example: "https://chat.example"),
            .list("auth.trustedProxies", \.signIn.trustedProxies, "Peers whose X-Forwarded-For names the client (edges, load balancers)."),
        ]
        let tls: [S] = [
            Setting("tls.edgeClientCa", kind: .string, help: "PEM CA bundle: edge feeds and registrations need a client certificate it signed.",
                    flagAliases: ["--edge-client-ca"],
                    get: { $0.transport.tls?.clientCAFile.map { .string($0) } ?? .none },
                    set: { root, value in
                        var tls = root.transport.tls ?? ServerTLSConfiguration(certificateFile: "", keyFile: "")
                        tls.clientCAFile = value.string.flatMap { $0.isEmpty ? nil : $0 }
                        root.transport.tls = tls
                    }),
        ]
        return server + limits + GatewayLimits.settings(\.gateway) + notifications + unfurl + attachments + auth
            + TransportConfiguration.settings(\.transport) + tls + LogConfiguration.settings(\.logging)
    }

    static func finish(_ configuration: inout OriginConfiguration) throws {
        try TransportConfiguration.finish(&configuration.transport)
        guard configuration.tokenSecret.utf8.count >= 32 else {
            throw SettingRefusal("tokenSecret (SWITCHBOARD_TOKEN_SECRET) must be at least 32 bytes")
        }
    }
}
