import Synchronization
import SwitchboardCore

/// The presence a user chose (`away`, `dnd`, or back to `active`). Connection-based presence
/// (online while connected, offline 30 s after the last connection) builds on this.
public final class PresenceRegistry: Sendable {
    private let chosen = Mutex<[Snowflake: PresenceStatus]>([:])

    public init() {}

    /// Records the status a user set. `offline` cannot be chosen.
    public func set(_ status: PresenceStatus, for user: Snowflake) throws(SwitchboardError) {
        guard status != .offline else { throw .badRequest("status must be active, away or dnd") }
        chosen.withLock { $0[user] = status }
    }

    public func status(of user: Snowflake) -> PresenceStatus {
        chosen.withLock { $0[user] } ?? .offline
    }

    /// Statuses of many users under one lock acquisition.
    public func statuses(of users: [Snowflake]) -> [PresenceStatus] {
        chosen.withLock { map in users.map { map[$0] ?? .offline } }
    }
}
