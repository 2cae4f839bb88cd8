import Logging
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer

/// Every gateway session of this edge: lookup for `resume`, one ``WorkspaceFanout`` per
/// workspace with sessions, the expiry of sessions not resumed in time, and the timer that
/// sends held badges.
public final class EdgeGateway: Service, Sendable {
    private struct State {
        var sessions: [String: EdgeSession] = [:]
        var fanouts: [Snowflake: WorkspaceFanout] = [:]
        var draining = false
    }

    let store: EdgeStore
    let metrics: EdgeMetrics
    let limits: GatewayLimits
    let badgeIntervalMs: UInt64
    private let state = Locked(State())

    init(store: EdgeStore, metrics: EdgeMetrics, limits: GatewayLimits, badgeIntervalMs: UInt64) {
        self.store = store
        self.metrics = metrics
        self.limits = limits
        self.badgeIntervalMs = badgeIntervalMs
    }

    /// The workspace's fan-out, created on first use.
    func fanout(_ workspaceID: Snowflake) -> WorkspaceFanout {
        state.withLock { state in
            if let existing = state.fanouts[workspaceID] { return existing }
            let created = WorkspaceFanout(workspaceID: workspaceID, store: store, metrics: metrics, badgeIntervalMs: badgeIntervalMs)
            state.fanouts[workspaceID] = created
            return created
        }
    }

    func add(_ session: EdgeSession) {
        state.withLock { $0.sessions[session.id] = session }
        metrics.gatewaySessions.increment()
    }

    func session(_ id: String) -> EdgeSession? {
        state.withLock { $0.sessions[id] }
    }

    /// Forgets a session for good (expired, or its workspace was re-synced).
    func remove(_ session: EdgeSession) {
        let fanout = state.withLock { state -> WorkspaceFanout? in
            guard state.sessions[session.id] === session else { return nil }
            state.sessions[session.id] = nil
            return state.fanouts[session.caller.workspaceID]
        }
        guard let fanout else { return }
        metrics.gatewaySessions.decrement()
        fanout.unregister(session)
        state.withLock { state in
            if fanout.isEmpty, state.fanouts[session.caller.workspaceID] === fanout {
                state.fanouts[session.caller.workspaceID] = nil
            }
        }
    }

    /// Applied feed messages of a workspace, to its sessions.
    /// Made if need be: the feed's presence state comes before the first session is added (it
    /// is the one that opened the feed), and must be there when that session subscribes.
    func route(_ messages: [FeedMessage], workspaceID: Snowflake) {
        fanout(workspaceID).route(messages)
    }

    func hasSessions(_ workspaceID: Snowflake) -> Bool {
        state.withLock { $0.fanouts[workspaceID].map { !$0.isEmpty } ?? false }
    }

    var sessionCount: Int { state.withLock { $0.sessions.count } }

    /// The workspace was replaced by a snapshot: events may have been lost in between (and a
    /// session indexed while it was written read a partial copy), so its sessions are told to
    /// reconnect and identify afresh (they cannot resume).
    func resync(_ workspaceID: Snowflake) {
        guard let fanout = state.withLock({ $0.fanouts[workspaceID] }) else { return }
        for session in fanout.allSessions {
            session.sendControl(GatewayFrame.reconnect(reason: "resync"))
            session.outbox.closeConnection(.draining)  // after the frame above is written
            remove(session)
        }
    }

    var isDraining: Bool { state.withLock { $0.draining } }

    /// Shutting down: no new sessions; every attached one is told to reconnect elsewhere,
    /// spread evenly over `window` so they do not all land on the next edge at once. Returns
    /// when all have gone, or a little after the window.
    func drain(over window: Duration) async {
        let outboxes = state.withLock { state in
            state.draining = true
            return state.sessions.values.map(\.outbox)
        }
        await SessionOutbox.drain(outboxes, over: window)
    }

    /// Drops detached sessions whose resume window has passed.
    func expireDetached(nowMs: UInt64) {
        let expired = state.withLock { state in state.sessions.values.filter { $0.outbox.isExpired(nowMs: nowMs) } }
        for session in expired { remove(session) }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await runPeriodically(every: .milliseconds(Int(min(1_000, max(50, self.limits.resumeWindowMs / 10))))) {
                    self.expireDetached(nowMs: WallClock.nowMs())
                }
            }
            group.addTask {
                // Held badges go out when their interval ends; a tick of a fifth of it keeps
                // the extra delay small.
                await runPeriodically(every: .milliseconds(Int(max(10, self.badgeIntervalMs / 5)))) {
                    let nowMs = WallClock.nowMs()
                    for fanout in self.state.withLock({ Array($0.fanouts.values) }) { fanout.flushBadges(nowMs: nowMs) }
                }
            }
        }
    }
}
