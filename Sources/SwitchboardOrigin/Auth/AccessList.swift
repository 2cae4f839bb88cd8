import Logging
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// The users some of whose tokens are refused — deactivated, or with their sessions revoked —
/// and the sign-ins ended one by one (`POST /api/auth/logout`), held in memory so that checking a token costs no store read. Changes made here are learnt
/// at once; changes made by other origin processes sharing the database within one refresh.
public final class AccessList: Service {
    private let store: any Store
    private let refreshMs: UInt64
    private let logger: Logger
    private let restricted = Locked<[Snowflake: User]>([:])
    /// Session id → when its token expires.
    private let signedOut = Locked<[String: UInt64]>([:])

    /// Reads the list before returning: a restarted origin refuses revoked tokens from its first request.
    init(store: any Store, refreshMs: UInt64, logger: Logger) async throws {
        self.store = store
        self.refreshMs = refreshMs
        self.logger = logger
        try await reload()
    }

    /// `unauthorized` unless the caller's token still speaks for its user.
    public func check(_ caller: Caller) throws(SwitchboardError) {
        let user = restricted.withLock { $0[caller.userID] }
        if let user, !user.acceptsToken(issuedAtMs: caller.issuedAtMs) { throw SwitchboardError.unauthorized }
        if !caller.sessionID.isEmpty, signedOut.withLock({ $0[caller.sessionID] != nil }) { throw SwitchboardError.unauthorized }
    }

    /// Whether the user is deactivated (for commands an edge relays, whose token it checked).
    public func isDeactivated(_ userID: Snowflake) -> Bool {
        restricted.withLock { $0[userID]?.deleted ?? false }
    }

    /// A user's new state, as just committed.
    func learn(_ user: User) {
        restricted.withLock { $0[user.id] = user.deleted || user.sessionsValidFromMs > 0 ? user : nil }
    }

    /// A sign-out, as just committed.
    func learn(_ revocation: SessionRevocation) {
        signedOut.withLock { $0[revocation.sessionID] = revocation.expiresAtMs }
    }

    /// Merges what the store holds with what was learnt meanwhile: a change committed here while
    /// the read was under way is newer than the read, and must not be undone by it. (Nothing
    /// leaves the list: a revocation cutoff is never reset, a sign-out never undone; only
    /// expired sign-outs are dropped.)
    private func reload() async throws {
        let users = try await store.restrictedUsers()
        let nowMs = WallClock.nowMs()
        let revocations = try await store.revokedSessions(nowMs: nowMs)
        restricted.withLock { current in
            var merged = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            for (id, user) in current where (merged[id]?.updatedAtMs ?? 0) < user.updatedAtMs { merged[id] = user }
            current = merged
        }
        signedOut.withLock { current in
            current = current.filter { $0.value > nowMs }
                .merging(revocations.map { ($0.sessionID, $0.expiresAtMs) }, uniquingKeysWith: max)
        }
    }

    public func run() async throws {
        await runPeriodically(every: .milliseconds(Int64(refreshMs))) {
            do {
                try await self.reload()
            } catch {
                self.logger.warning("could not re-read refused tokens; keeping the last list", metadata: ["error": "\(error)"])
            }
        }
    }
}
