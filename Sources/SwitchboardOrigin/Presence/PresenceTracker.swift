import ServiceLifecycle
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer

/// Presence of every user, aggregated over this origin's gateway sessions and every edge's
/// reports: `active` while a user has a connection (unless they chose `away` or `dnd`),
/// `away` by itself once a connected user did nothing for the idle time (auto-away; the next
/// thing they do makes them active), `offline` only once the last connection has been gone for
/// the grace period, so a quick reconnect never shows offline → online.
public final class PresenceTracker: Service, Sendable {
    private struct Entry {
        var workspaceID: Snowflake
        /// Connections by source: "local" for this origin's sessions, else the edge's id.
        var connections: [String: Int] = [:]
        var chosen: PresenceStatus?
        var disconnectedAtMs: UInt64?
        var published: PresenceStatus = .offline
        var lastActiveMs: UInt64 = 0
        /// Away because idle, not by choice.
        var idle = false

        var connectionCount: Int { connections.values.reduce(0, +) }
    }

    /// Offline after this long without a connection (milliseconds).
    public let graceMs: UInt64
    /// Away after this long without activity (milliseconds); 0: never.
    public let idleMs: UInt64
    private let now: @Sendable () -> UInt64
    private let entries = Locked<[Snowflake: Entry]>([:])
    private let publish: @Sendable (Snowflake, PresenceChange) -> Void

    /// - Parameter publish: called with (workspace, change) whenever a user's visible status changes.
    public init(graceMs: UInt64 = 30_000, idleMs: UInt64 = 0, now: @escaping @Sendable () -> UInt64 = { WallClock.nowMs() },
                publish: @escaping @Sendable (Snowflake, PresenceChange) -> Void) {
        self.graceMs = graceMs
        self.idleMs = idleMs
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

    /// The user did something (sent, read, typed, changed what they look at): not idle.
    public func activity(user: Snowflake, workspaceID: Snowflake) {
        let nowMs = now()
        update(user, workspaceID) { entry in
            entry.lastActiveMs = nowMs
            entry.idle = false
        }
    }

    /// A connection of the user opened (`delta` +1) or closed (−1) at `source`.
    public func connection(user: Snowflake, workspaceID: Snowflake, source: String = "local", delta: Int) {
        let nowMs = now()
        update(user, workspaceID) { entry in
            if delta > 0 {
                entry.lastActiveMs = nowMs
                entry.idle = false
            }
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

    /// Publishes `offline` for users whose grace period has run out, and `away` for connected
    /// users idle for the idle time.
    public func sweep() {
        let nowMs = now()
        let idleMs = idleMs
        let changes = entries.withLock { map -> [(Snowflake, Snowflake, PresenceStatus)] in
            var changes: [(Snowflake, Snowflake, PresenceStatus)] = []
            for (user, entry) in map {
                if entry.connectionCount == 0, entry.published != .offline, let gone = entry.disconnectedAtMs,
                   gone + graceMs <= nowMs {
                    map[user]?.published = .offline
                    changes.append((user, entry.workspaceID, .offline))
                } else if idleMs > 0, entry.connectionCount > 0, entry.chosen == nil, !entry.idle,
                          entry.lastActiveMs + idleMs <= nowMs {
                    map[user]?.idle = true
                    map[user]?.published = .away
                    if entry.published != .away { changes.append((user, entry.workspaceID, .away)) }
                }
            }
            return changes
        }
        for (user, workspaceID, status) in changes { publish(workspaceID, PresenceChange(userID: user, status: status)) }
    }

    public func run() async throws {
        let often = min(1_000, graceMs / 4, idleMs > 0 ? idleMs / 4 : 1_000)
        await runPeriodically(every: .milliseconds(Int(max(50, often)))) { self.sweep() }
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
            let visible: PresenceStatus = connected ? (entry.chosen ?? (entry.idle ? .away : .active))
                : (entry.disconnectedAtMs != nil ? entry.published : .offline)
            defer { map[user] = entry }
            guard visible != entry.published else { return nil }
            entry.published = visible
            return visible
        }
        if let changed { publish(workspaceID, PresenceChange(userID: user, status: changed)) }
    }
}
