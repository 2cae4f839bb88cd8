import Logging
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer

/// Every gateway session of this origin: lookup for `resume`, one ``WorkspaceGateway`` per
/// workspace with sessions (which routes its events), and the expiry of sessions not
/// resumed within the window.
public final class SessionRegistry: Service, Sendable {
    private struct State {
        var sessions: [String: GatewaySession] = [:]
        var workspaces: [Snowflake: WorkspaceGateway] = [:]
        /// Listeners for a workspace's ephemeral events (edge feeds).
        var listeners: [Snowflake: [ObjectIdentifier: any EphemeralListener]] = [:]
    }

    let hub: EventHub
    let limits: GatewayLimits
    private let logger: Logger
    private let now: @Sendable () -> UInt64
    private let state = Locked(State())

    init(hub: EventHub, limits: GatewayLimits, logger: Logger, now: @escaping @Sendable () -> UInt64 = { WallClock.nowMs() }) {
        self.hub = hub
        self.limits = limits
        self.logger = logger
        self.now = now
    }

    /// Adds a session, which gets its workspace's events after its log position.
    func register(_ session: GatewaySession, channels: Set<Snowflake>, focus: Snowflake?) {
        let workspaceID = session.caller.workspaceID
        let workspace = state.withLock { state -> WorkspaceGateway in
            state.sessions[session.id] = session
            if let existing = state.workspaces[workspaceID] { return existing }
            let created = WorkspaceGateway(workspaceID: workspaceID, position: session.logSeq, hub: hub, logger: logger)
            state.workspaces[workspaceID] = created
            return created
        }
        workspace.add(session, channels: channels, focus: focus)
    }

    func session(_ id: String) -> GatewaySession? {
        state.withLock { $0.sessions[id] }
    }

    func workspace(_ id: Snowflake) -> WorkspaceGateway? {
        state.withLock { $0.workspaces[id] }
    }

    /// Forgets a session for good (expired, or replaced by a fresh identify).
    func remove(_ session: GatewaySession) {
        let workspace = state.withLock { state -> WorkspaceGateway? in
            guard state.sessions[session.id] === session else { return nil }
            state.sessions[session.id] = nil
            return state.workspaces[session.caller.workspaceID]
        }
        guard let workspace else { return }
        workspace.remove(session)
        let emptied = state.withLock { state -> Bool in
            guard workspace.isEmpty, state.workspaces[session.caller.workspaceID] === workspace else { return false }
            state.workspaces[session.caller.workspaceID] = nil
            return true
        }
        if emptied { workspace.close() }
    }

    /// A session dropped when its queue overflowed continues from its log position.
    func resubscribeIfDropped(_ session: GatewaySession) {
        workspace(session.caller.workspaceID)?.resubscribeIfDropped(session)
    }

    var sessionCount: Int { state.withLock { $0.sessions.count } }

    // MARK: Ephemeral events

    /// `user` is typing in `channel` (a member, throttled by whoever asks): `typing.started`,
    /// expiring after the typing TTL, to the channel's viewers here and to every edge. The one
    /// place for the gateway's `typing`, an edge's, and `POST /api/channels/{id}/typing`.
    func startTyping(userID: Snowflake, channelID: Snowflake, workspaceID: Snowflake, nowMs: UInt64) {
        publishTyping(TypingStarted(channelID: channelID, userID: userID, expiresAtMs: nowMs + limits.typingTTLms),
                      workspaceID: workspaceID)
    }

    private func publishTyping(_ typing: TypingStarted, workspaceID: Snowflake) {
        let payload = [UInt8]((try? JSON.encode(typing)) ?? .init())
        workspace(workspaceID)?.deliverEphemeral(.typingStarted(typing), payload: payload)
        for listener in listeners(workspaceID) { listener.ephemeral(.typingStarted, payload: payload) }
    }

    func publishPresence(_ change: PresenceChange, workspaceID: Snowflake) {
        let payload = [UInt8]((try? JSON.encode(change)) ?? .init())
        workspace(workspaceID)?.deliverEphemeral(.presenceChanged(change), payload: payload)
        for listener in listeners(workspaceID) { listener.ephemeral(.presenceChanged, payload: payload) }
    }

    func addListener(_ listener: any EphemeralListener, workspaceID: Snowflake) {
        state.withLock { $0.listeners[workspaceID, default: [:]][ObjectIdentifier(listener)] = listener }
    }

    func removeListener(_ listener: any EphemeralListener, workspaceID: Snowflake) {
        state.withLock { state in
            state.listeners[workspaceID]?[ObjectIdentifier(listener)] = nil
            if state.listeners[workspaceID]?.isEmpty == true { state.listeners[workspaceID] = nil }
        }
    }

    private func listeners(_ workspaceID: Snowflake) -> [any EphemeralListener] {
        state.withLock { Array(($0.listeners[workspaceID] ?? [:]).values) }
    }

    // MARK: Shutdown

    /// Tells every connected client to reconnect (`reconnect {reason: "draining"}`, then close
    /// 4004) and waits briefly for them to go.
    func drain() async {
        await SessionOutbox.drain(state.withLock { state in state.sessions.values.map(\.outbox) })
    }

    // MARK: Expiry

    /// Drops detached sessions whose resume window has passed.
    func expireDetached() {
        let nowMs = now()
        let expired = state.withLock { state in state.sessions.values.filter { $0.isExpired(nowMs: nowMs) } }
        for session in expired { remove(session) }
    }

    public func run() async throws {
        await runPeriodically(every: .milliseconds(Int(min(1_000, max(50, limits.resumeWindowMs / 10))))) {
            self.expireDetached()
        }
    }
}

/// Receives a workspace's ephemeral events (typing, presence), which never enter the log.
protocol EphemeralListener: AnyObject, Sendable {
    func ephemeral(_ type: EventType, payload: [UInt8])
}
