import Logging
import ServiceLifecycle
import Synchronization
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// The users some of whose tokens are refused — deactivated, or with their sessions revoked —
/// held in memory so that checking a token costs no store read. Changes made here are learnt
/// at once; changes made by other origin processes sharing the database within one refresh.
public final class AccessList: Service {
    private let store: any Store
    private let refreshMs: UInt64
    private let logger: Logger
    private let restricted = Mutex<[Snowflake: User]>([:])

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
    }

    /// Whether the user is deactivated (for commands an edge relays, whose token it checked).
    public func isDeactivated(_ userID: Snowflake) -> Bool {
        restricted.withLock { $0[userID]?.deleted ?? false }
    }

    /// A user's new state, as just committed.
    func learn(_ user: User) {
        restricted.withLock { $0[user.id] = user.deleted || user.sessionsValidFromMs > 0 ? user : nil }
    }

    private func reload() async throws {
        let users = try await store.restrictedUsers()
        restricted.withLock { $0 = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last }) }
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
