import AsyncHTTPClient
import Foundation
import Logging
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer
import SwitchboardLocking

/// The parts of a running edge, built once from its configuration.
public struct Edge: Sendable {
    public let configuration: EdgeConfiguration
    public let store: EdgeStore
    public let metrics: EdgeMetrics
    let tokens: TokenAuthority
    /// Signs the file URLs of messages served from the cache (URLs in cached copies expire).
    let files: FileURLSigner
    let upstreams: UpstreamSupervisor
    let gateway: EdgeGateway
    let proxy: OriginProxy
    /// The origin processes, probed: which one serves each workspace now.
    let origins: OriginPool
    /// The edge's own HTTP client to the origin (TLS as `originTLS` says), closed when the edge stops.
    let http: HTTPClientService
    let history: SingleFlight<HistoryKey, MessagesResponse>
    let startedAtMs = WallClock.nowMs()
    /// The port the server bound (known once it runs; the configured one may be 0).
    let boundPort = Locked<Int?>(nil)
    /// How the listener speaks (TLS certificates, if any).
    public let transport: ServerTransport

    /// A history page as the origin serves it (viewer-neutral, with reactor lists).
    struct HistoryKey: Hashable, Sendable {
        var channelID: Snowflake
        var before: Snowflake?
        var after: Snowflake?
        var limit: Int?
    }

    /// Opens LMDB and prepares the upstreams (they connect once the edge runs).
    public init(configuration: EdgeConfiguration, logger: Logger = Logger(label: "switchboard.edge")) async throws {
        self.configuration = configuration
        try configuration.checkOriginsAreSecure()
        transport = try configuration.transport.transport(logger: logger, host: configuration.host)
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.tlsConfiguration = try configuration.originTLS.configuration()
        store = try EdgeStore(directory: configuration.dataDirectory, mapSize: configuration.mapSize,
                              maxReaders: configuration.maxReaders, messagesPerChannel: configuration.messagesPerChannel,
                              durable: configuration.durable)
        tokens = try await TokenAuthority(secret: configuration.tokenSecret, tokenLifetimeSeconds: 0)
        // After every step that can throw: a client dropped without its shutdown traps.
        http = HTTPClientService(configuration: httpConfiguration)
        metrics = EdgeMetrics()
        files = FileURLSigner(tokenSecret: configuration.tokenSecret, lifetimeSeconds: configuration.fileURLLifetimeSeconds)
        gateway = EdgeGateway(store: store, metrics: metrics, limits: configuration.gateway,
                              badgeIntervalMs: configuration.badgeIntervalMs)
        let boundPort = self.boundPort
        let configured = configuration
        let scheme = transport.scheme
        origins = OriginPool(directory: configuration.origins, http: http.client,
                             intervalMs: configuration.originProbeIntervalMs, timeoutMs: configuration.originProbeTimeoutMs,
                             logger: logger, metrics: metrics)
        upstreams = UpstreamSupervisor(store: store, configuration: configuration, origins: origins, logger: logger, metrics: metrics,
                                       gateway: gateway, publicURL: {
            configured.publicURL ?? "\(scheme)://\(configured.host):\(configured.port != 0 ? configured.port : boundPort.value ?? 0)"
        })
        proxy = OriginProxy(origins: origins, http: http.client)
        history = SingleFlight(ttlMs: configuration.historyCacheMs, now: { WallClock.nowMs() })
    }

    /// This edge's id at the origin.
    public var edgeID: String { configuration.edgeID ?? "edge-\(configuration.region)-\(configuration.port)" }
    /// Where clients reach this edge; nil while the port is still to be chosen.
    public var publicURL: String? {
        if let url = configuration.publicURL { return url }
        let port = configuration.port != 0 ? configuration.port : boundPort.value
        return port.map { "\(transport.scheme)://\(configuration.host):\($0)" }
    }

    /// The caller named by a bearer token, verified here with the shared secret — no round trip.
    func caller(_ authorization: String?) async throws -> Caller {
        try await checkAccess(try await tokens.verify(authorization: authorization))
    }

    /// Where this edge holds the user, their deactivation or revocation is known here too;
    /// anything else is proxied, and the origin checks.
    func checkAccess(_ caller: Caller) async throws -> Caller {
        if let (holder, signedOut) = try await holder(of: caller) {
            try Self.requireAccepted(caller, by: holder, signedOut: signedOut)
        }
        return caller
    }

    /// The token's user as this edge holds them, and whether the token's sign-in was ended.
    private func holder(of caller: Caller) async throws -> (TokenHolder, signedOut: Bool)? {
        try await blocking {
            guard let holder = try self.store.tokenHolder(caller.workspaceID, caller.userID) else { return nil }
            return (holder, try self.store.isRevoked(caller.workspaceID, sessionID: caller.sessionID))
        }
    }

    static func requireAccepted(_ caller: Caller, by holder: TokenHolder, signedOut: Bool) throws(SwitchboardError) {
        guard holder.acceptsToken(issuedAtMs: caller.issuedAtMs), !signedOut else { throw SwitchboardError.unauthorized }
    }

    /// Makes sure the caller's workspace is synced here (opening its feed if needed) and that
    /// their token still speaks for them. A valid token names a user the origin has, so one this
    /// edge does not know yet is waited for briefly: the `user.created` event is on its way.
    ///
    /// A new user joined `#general` in the same commit, but the feed carries that as a second
    /// event, which the edge may apply a moment later: for a user created in the last few
    /// seconds it is waited for too (within the same bound), so that their first working set
    /// is not an empty sidebar.
    func ready(_ caller: Caller) async throws {
        try await whenReady(caller) {}
    }

    /// ``ready(_:)``, then `work` (LMDB reads) in the same trip to the thread pool: each trip is
    /// two thread hand-offs, and on a connect they were most of the working set's latency.
    func whenReady<T: Sendable>(_ caller: Caller, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await upstreams.waitUntilSynced(caller.workspaceID)
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            let waitedEnough = ContinuousClock.now >= deadline
            let attempt = try await blocking { () throws -> ReadyAttempt<T> in
                switch try self.readiness(of: caller) {
                case .ready: return .done(try work())
                case .newcomerWithoutChannels where waitedEnough: return .done(try work())
                case .unknownUser where waitedEnough: throw SwitchboardError.unauthorized
                case .unknownUser, .newcomerWithoutChannels: return .wait
                }
            }
            if case .done(let result) = attempt { return result }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private enum Readiness {
        case ready
        /// The token's user has not reached this edge's copy yet.
        case unknownUser
        /// Created in the last few seconds, and their `#general` membership not applied yet.
        case newcomerWithoutChannels
    }

    private enum ReadyAttempt<T: Sendable>: Sendable {
        case done(T)
        case wait
    }

    /// On the thread pool. Throws if the edge holds the user and their token is not accepted.
    private func readiness(of caller: Caller) throws -> Readiness {
        guard let holder = try store.tokenHolder(caller.workspaceID, caller.userID) else { return .unknownUser }
        try Self.requireAccepted(caller, by: holder, signedOut: try store.isRevoked(caller.workspaceID, sessionID: caller.sessionID))
        if WallClock.nowMs() < holder.createdAtMs + 10_000, try !store.hasChannels(caller.workspaceID, user: caller.userID) {
            return .newcomerWithoutChannels
        }
        return .ready
    }
}
