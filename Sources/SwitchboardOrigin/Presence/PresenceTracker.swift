import ServiceLifecycle
import Synchronization
import SwitchboardCore
import SwitchboardServer

/// Presence of every user, aggregated over this origin's gateway sessions and every edge's
/// reports: `active` while a user has a connection (unless they chose `away` or `dnd`),
/// `offline` only once the last connection has been gone for the grace period, so a quick
/// reconnect never shows offline → online.
public final class PresenceTracker: Service, Sendable {
    private struct Entry {
        var workspaceID: Snowflake
        /// Connections by source: "local" for this origin's sessions, else the edge's id.
        var connections: [String: Int] = [:]
        var chosen: PresenceStatus?
        var disconnectedAtMs: UInt64?
        var published: PresenceStatus = .offline

        var connectionCount: Int { connections.values.reduce(0, +) }
    }

    /// Offline after this long without a connection (milliseconds).
    public let graceMs: UInt64
    private let now: @Sendable () -> UInt64
    private let entries = Mutex<[Snowflake: Entry]>([:])
    private let publish: @Sendable (Snowflake, PresenceChange) -> Void

    /// - Parameter publish: called with (workspace, change) whenever a user's visible status changes.
    public init(graceMs: UInt64 = 30_000, now: @escaping @Sendable () -> UInt64 = { WallClock.nowMs() },
                publish: @escaping @Sendable (Snowflake, PresenceChange) -> Void) {
        self.graceMs = graceMs
        self.now = now
        self.publish = publish
    }

    public func status(of user: Snowflake) -> PresenceStatus {
        entries.withLock { $0[user]?.published } ?? .offline
    }

    public func statuses(of users: [Snowflake]) -> [PresenceStatus] {
        entries.withLock { map in users.map { map[$0]?.published ?? .offline } }
    }

    /// Every user of the workspace who is not offline: what an edge's feed starts with.
    public func visibleStatuses(workspaceID: Snowflake) -> [Snowflake: PresenceStatus] {
        entries.withLock { map in
            var statuses: [Snowflake: PresenceStatus] = [:]
            for (user, entry) in map where entry.workspaceID == workspaceID && entry.published != .offline {
                statuses[user] = entry.published
            }
            return statuses
        }
    }

    /// Whether the user has at least one live connection (for `@here` and notifications).
    public func isConnected(_ user: Snowflake) -> Bool {
        entries.withLock { ($0[user]?.connectionCount ?? 0) > 0 }
    }

    /// The status the user chose. `offline` cannot be chosen.
    public func choose(_ status: PresenceStatus, user: Snowflake, workspaceID: Snowflake) throws(SwitchboardError) {
        guard status != .offline else { throw .badRequest("status must be active, away or dnd") }
        update(user, workspaceID) { $0.chosen = status == .active ? nil : status }
    }

    /// A connection of the user opened (`delta` +1) or closed (−1) at `source`.
    public func connection(user: Snowflake, workspaceID: Snowflake, source: String = "local", delta: Int) {
        update(user, workspaceID) { entry in
            entry.connections[source, default: 0] = max(0, entry.connections[source, default: 0] + delta)
            if entry.connections[source] == 0 { entry.connections[source] = nil }
        }
    }

    /// Replaces everything a source reported (an edge's full report, or its disappearance).
    public func replaceSource(_ source: String, workspaceID: Snowflake, counts: [Snowflake: Int]) {
        let affected = entries.withLock { map in
            Set(map.filter { $0.value.workspaceID == workspaceID && $0.value.connections[source] != nil }.keys)
        }.union(counts.keys)
        for user in affected {
            update(user, workspaceID) { entry in
                let count = counts[user] ?? 0
                entry.connections[source] = count > 0 ? count : nil
            }
        }
    }

    /// Publishes `offline` for users whose grace period has run out.
    public func sweep() {
        let nowMs = now()
        let expired = entries.withLock { map -> [(Snowflake, Snowflake)] in
            var expired: [(Snowflake, Snowflake)] = []
            for (user, entry) in map where entry.connectionCount == 0 && entry.published != .offline {
                if let gone = entry.disconnectedAtMs, gone + graceMs <= nowMs {
                    map[user]?.published = .offline
                    expired.append((user, entry.workspaceID))
                }
            }
            return expired
        }
        for (user, workspaceID) in expired { publish(workspaceID, PresenceChange(userID: user, status: .offline)) }
    }

    public func run() async throws {
        await runPeriodically(every: .milliseconds(Int(max(50, min(1_000, graceMs / 4))))) { self.sweep() }
    }

    private func update(_ user: Snowflake, _ workspaceID: Snowflake, _ change: (inout Entry) -> Void) {
        let nowMs = now()
        let changed = entries.withLock { map -> PresenceStatus? in
            var entry = map[user] ?? Entry(workspaceID: workspaceID)
            let wasConnected = entry.connectionCount > 0
            change(&entry)
            let connected = entry.connectionCount > 0
            if wasConnected && !connected { entry.disconnectedAtMs = nowMs }
            if connected { entry.disconnectedAtMs = nil }
            // Connected: what they chose, else active. In the grace period after the last
            // connection: unchanged (the sweep turns it offline). Never connected: offline.
            let visible: PresenceStatus = connected ? (entry.chosen ?? .active)
                : (entry.disconnectedAtMs != nil ? entry.published : .offline)
            defer { map[user] = entry }
            guard visible != entry.published else { return nil }
            entry.published = visible
            return visible
        }
        if let changed { publish(workspaceID, PresenceChange(userID: user, status: changed)) }
    }
}
