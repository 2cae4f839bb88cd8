import Foundation
import Logging
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer
import SwitchboardLocking

/// The parts of a running origin, built once from its configuration and shared by the HTTP
/// routes (and, later, the gateway and the edge feed).
public struct Origin: Sendable {
    public let configuration: OriginConfiguration
    public let store: any Store
    public let chat: Chat
    public let signIn: SignIn
    public let tokens: TokenAuthority
    public let metrics: OriginMetrics
    public let events: EventHub
    public let presence: PresenceTracker
    let sessions: SessionRegistry
    let notifier: Notifier
    let unfurler: LinkUnfurler
    /// The origin's own HTTP client (push webhooks), closed when the origin stops. Made after
    /// every step of `init` that can throw: a client dropped without its shutdown traps.
    let http: HTTPClientService
    /// Outgoing webhooks and slash commands.
    let integrations: IntegrationCaller
    public let edges = EdgeDirectory()
    let edgeKey: AdminKey
    let adminKey: AdminKey
    let startedAtMs: UInt64
    /// Set when a shutdown has begun: `/readyz` answers 503 so that load balancers stop sending
    /// new clients while the current ones are told to reconnect.
    let draining = Locked(false)
    /// How the listener speaks (TLS certificates, if any).
    public let transport: ServerTransport
    /// `POST /api/channels/{id}/typing` at most once per user and channel per typing interval
    /// (a REST caller has no session of its own to hold the throttle).
    let restTyping: Locked<TypingThrottle<UserInChannel>>

    /// Opens the configured store (PostgreSQL when a database URL is set, else the SQLite file;
    /// running migrations) and sets up auth, ids and limits.
    public init(configuration: OriginConfiguration, logger: Logger = Logger(label: "switchboard.origin")) async throws {
        let store: any Store
        if let url = configuration.databaseURL {
            store = try await PostgresStore.open(url: url, logger: logger)
        } else {
            store = try SQLiteStore(path: configuration.sqlitePath)
        }
        try await self.init(configuration: configuration, store: store, logger: logger)
    }

    public init(configuration: OriginConfiguration, store: any Store, logger: Logger = Logger(label: "switchboard.origin")) async throws {
        self.configuration = configuration
        self.store = store
        transport = try configuration.transport.transport(logger: logger, host: configuration.host)
        tokens = try await TokenAuthority(secret: configuration.tokenSecret,
                                          tokenLifetimeSeconds: configuration.tokenLifetimeSeconds)
        let attachments = try Attachments(configuration: configuration.attachments,
                                          defaultDirectory: configuration.dataDirectory + "/files",
                                          tokenSecret: configuration.tokenSecret)
        let http = HTTPClientService()
        self.http = http
        events = EventHub(store: store, logger: logger)
        let sessions = SessionRegistry(hub: events, limits: configuration.gateway, logger: logger)
        self.sessions = sessions
        presence = PresenceTracker(graceMs: configuration.presenceGraceMs, idleMs: configuration.presenceAutoAwayMs) { workspaceID, change in
            sessions.publishPresence(change, workspaceID: workspaceID)
        }
        let ids = SnowflakeGenerator(worker: configuration.workerID)
        let access = try await AccessList(store: store, refreshMs: configuration.accessRefreshMs, logger: logger)
        notifier = Notifier(store: store, presence: presence, events: events, ids: ids,
                            configuration: configuration.notifications, http: http.client, logger: logger)
        let metrics = OriginMetrics()
        self.metrics = metrics
        let integrations = IntegrationCaller(store: store, http: http.client, logger: logger)
        self.integrations = integrations
        unfurler = LinkUnfurler(store: store, events: events, metrics: metrics, configuration: configuration.unfurl, logger: logger)
        chat = Chat(store: store, ids: ids,
                    rateLimiter: ChannelRateLimiter(limit: configuration.messageRateLimit,
                                                    windowMs: configuration.messageRateWindowMs),
                    reactionRateLimiter: ChannelRateLimiter(limit: configuration.reactionRateLimit,
                                                            windowMs: configuration.messageRateWindowMs, noun: "reactions"),
                    presence: presence, events: events, notifier: notifier, unfurler: unfurler, integrations: integrations,
                    avatarBaseURL: configuration.avatarBaseURL,
                    attachments: attachments, access: access,
                    broadcastMentionsAdminOnlyAbove: configuration.broadcastMentionsAdminOnlyAbove,
                    readReceiptsMaxMembers: configuration.readReceiptsMaxMembers)
        signIn = try SignIn(chat: chat, tokens: tokens, configuration: configuration.signIn, logger: logger)
        integrations.setPoster { [chat] bot, channelID, text in
            _ = try await chat.postMessage(bot, channelID: channelID, PostMessageRequest(content: text))
        }
        restTyping = Locked(TypingThrottle(intervalMs: configuration.gateway.typingIntervalMs, forgetAbove: 10_000))
        adminKey = AdminKey(key: configuration.adminKey)
        edgeKey = AdminKey(key: configuration.edgeKey)
        startedAtMs = WallClock.nowMs()
    }

    /// The caller named by the request's bearer token.
    func caller(_ authorization: String?) async throws -> Caller {
        try await verify(try await tokens.verify(authorization: authorization))
    }

    /// A verified token's caller, unless their tokens were revoked or they were deactivated.
    func verify(_ caller: Caller) throws(SwitchboardError) -> Caller {
        try chat.access.check(caller)
        return caller
    }

    func requireAdmin(_ key: String?) throws {
        guard adminKey.matches(key) else { throw SwitchboardError(.unauthorized, "missing or wrong X-Admin-Key") }
    }
}
