import Logging
import SwitchboardLocking
import SwitchboardCore
import SwitchboardRouting

/// One workspace's gateway sessions at this origin. It takes the workspace's events from the
/// ``EventHub`` once, decodes each once, and the ``WorkspaceRouter`` (every session in
/// ``DeliveryMode/everything``: these clients hold the whole workspace) names the sessions
/// that get it; the work per event is its recipients, not the sessions of the workspace.
///
/// A session whose log position is behind the live stream (its bootstrap was read at an
/// older position, or it resumes after its queue overflowed) catches up on a subscription of
/// its own, with a router holding just that session, and joins the shared router once it
/// has reached the live position. Events both routed twice are dropped by the session's log
/// position, and membership changes replayed on a state that has them change nothing.
final class WorkspaceGateway: EventSink, Sendable {
    let workspaceID: Snowflake
    private let hub: EventHub
    private let logger: Logger

    /// A session routed apart from the shared router: catching up, or dropped after an overflow.
    private struct Apart {
        var router: WorkspaceRouter
        /// Every event up to here was routed for the session.
        var position: UInt64
        /// Its subscription while catching up; nil while dropped.
        var sink: CatchUpSink?
    }

    private struct State {
        var router = WorkspaceRouter()
        var sessions: [SessionKey: GatewaySession] = [:]
        /// Every event up to here was routed by `router`.
        var position: UInt64
        var apart: [SessionKey: Apart] = [:]

        /// The router holding the session, wherever it is.
        mutating func withRouter<T, E: Error>(of id: SessionKey, _ body: (inout WorkspaceRouter) throws(E) -> T) throws(E) -> T {
            if apart[id] != nil { return try body(&apart[id]!.router) }
            return try body(&router)
        }
    }

    private let state: Locked<State>

    /// Starts routing the workspace's events after `position`.
    init(workspaceID: Snowflake, position: UInt64, hub: EventHub, logger: Logger) {
        self.workspaceID = workspaceID
        self.hub = hub
        self.logger = logger
        state = Locked(State(position: position))
        hub.subscribe(self, workspaceID: workspaceID, after: position)
    }

    var isEmpty: Bool { state.withLock { $0.sessions.isEmpty } }

    /// Stops taking events (the last session is gone).
    func close() { hub.unsubscribe(self, workspaceID: workspaceID) }

    // MARK: Sessions

    /// Adds a session whose bootstrap was read at its log position.
    func add(_ session: GatewaySession, channels: Set<Snowflake>, focus: Snowflake?) {
        let routed = RoutedSession(id: session.key, userID: session.caller.userID, mode: .everything,
                                   channels: channels, focus: focus, tokenIssuedAtMs: session.caller.issuedAtMs,
                                   tokenSessionID: session.caller.sessionID)
        let after = session.logSeq
        let sink = state.withLock { state -> CatchUpSink? in
            state.sessions[session.key] = session
            guard after < state.position else {
                state.router.insert(routed)
                return nil
            }
            return setApart(routed, after: after, in: &state)
        }
        if let sink { hub.subscribe(sink, workspaceID: workspaceID, after: after) }
    }

    func remove(_ session: GatewaySession) {
        let sink = state.withLock { state -> CatchUpSink? in
            guard state.sessions[session.key] === session else { return nil }
            state.sessions[session.key] = nil
            state.router.remove(session.key)
            return state.apart.removeValue(forKey: session.key)?.sink
        }
        if let sink { hub.unsubscribe(sink, workspaceID: workspaceID) }
    }

    /// A session dropped after an overflow catches up from its log position (it resumed).
    func resubscribeIfDropped(_ session: GatewaySession) {
        let after = session.logSeq
        let sink = state.withLock { state -> CatchUpSink? in
            guard let apart = state.apart[session.key], apart.sink == nil else { return nil }
            let sink = CatchUpSink(gateway: self, sessionID: session.key)
            state.apart[session.key] = Apart(router: apart.router, position: after, sink: sink)
            return sink
        }
        if let sink { hub.subscribe(sink, workspaceID: workspaceID, after: after) }
    }

    func setFocus(_ session: GatewaySession, to channel: Snowflake?) throws(SwitchboardError) {
        try state.withLock { state throws(SwitchboardError) in
            try state.withRouter(of: session.key) { router throws(SwitchboardError) in try router.setFocus(session.key, to: channel) }
        }
    }

    func setPresenceSubscriptions(_ session: GatewaySession, to users: Set<Snowflake>) {
        state.withLock { state in
            state.withRouter(of: session.key) { router in _ = router.setPresenceSubscriptions(session.key, to: users) }
        }
    }

    func isMember(_ session: GatewaySession, of channel: Snowflake) -> Bool {
        state.withLock { state in state.withRouter(of: session.key) { router in router.isMember(session.key, of: channel) } }
    }

    // MARK: Events

    /// The live stream, from the hub's pump.
    func deliver(_ events: [WorkspaceEvent]) -> Bool {
        state.withLock { state in
            for event in events where event.seq > state.position {
                state.position = event.seq
                guard let content = decode(event) else { continue }
                let routing = state.router.route(content, nowMs: WallClock.nowMs())
                for id in routing.recipients {
                    guard let session = state.sessions[id],
                          session.sendEvent(event.type, payload: event.payload, logSeq: event.seq) == .overflow else { continue }
                    // Its state as of this event goes apart with it; a resume catches up from here.
                    if let routed = state.router.remove(id) {
                        state.apart[id] = Apart(router: Self.router(with: routed), position: event.seq, sink: nil)
                    }
                    session.onOverflow(session)
                }
                for id in routing.revoked {
                    state.router.remove(id)
                    state.sessions[id]?.closeConnection(.sessionRevoked)
                }
            }
            return true
        }
    }

    /// A catching-up session's own stream. False ends it (the session overflowed or is gone).
    fileprivate func catchUp(_ id: SessionKey, _ events: [WorkspaceEvent], sink: CatchUpSink) -> Bool {
        let (keepGoing, joined) = state.withLock { state -> (Bool, Bool) in
            guard var apart = state.apart[id], apart.sink === sink, let session = state.sessions[id] else { return (false, false) }
            for event in events where event.seq > apart.position {
                apart.position = event.seq
                guard let content = decode(event) else { continue }
                let routing = apart.router.route(content, nowMs: WallClock.nowMs())
                if !routing.revoked.isEmpty {
                    state.apart[id] = nil
                    session.closeConnection(.sessionRevoked)
                    return (false, false)
                }
                guard !routing.recipients.isEmpty,
                      session.sendEvent(event.type, payload: event.payload, logSeq: event.seq) == .overflow else { continue }
                apart.sink = nil
                state.apart[id] = apart
                session.onOverflow(session)
                return (false, false)
            }
            guard apart.position >= state.position, let routed = apart.router.remove(id) else {
                state.apart[id] = apart
                return (true, false)
            }
            state.apart[id] = nil
            state.router.insert(routed)
            return (true, true)
        }
        if joined { hub.unsubscribe(sink, workspaceID: workspaceID) }
        return keepGoing
    }

    /// `typing.started` and `presence.changed`, which never enter the log.
    func deliverEphemeral(_ content: EventContent, payload: [UInt8]) {
        state.withLock { state in
            let routing = state.router.route(content, nowMs: WallClock.nowMs())
            for id in routing.recipients {
                guard let session = state.sessions[id], session.sendEvent(content.type, payload: payload) == .overflow
                else { continue }
                session.onOverflow(session)
            }
        }
    }

    // MARK: Helpers

    private func setApart(_ routed: RoutedSession, after: UInt64, in state: inout State) -> CatchUpSink {
        let sink = CatchUpSink(gateway: self, sessionID: routed.id)
        state.apart[routed.id] = Apart(router: Self.router(with: routed), position: after, sink: sink)
        return sink
    }

    private static func router(with session: RoutedSession) -> WorkspaceRouter {
        var router = WorkspaceRouter()
        router.insert(session)
        return router
    }

    private func decode(_ event: WorkspaceEvent) -> EventContent? {
        do {
            return try event.content()
        } catch {
            logger.error("an event of the log could not be read; its sessions miss it",
                         metadata: ["workspace_id": "\(workspaceID)", "seq": "\(event.seq)", "type": "\(event.type.rawValue)",
                                    "error": "\(error)"])
            return nil
        }
    }
}

/// The subscription a session catches up on before it joins its workspace's shared router.
final class CatchUpSink: EventSink, Sendable {
    private let gateway: WorkspaceGateway
    let sessionID: SessionKey

    init(gateway: WorkspaceGateway, sessionID: SessionKey) {
        self.gateway = gateway
        self.sessionID = sessionID
    }

    func deliver(_ events: [WorkspaceEvent]) -> Bool { gateway.catchUp(sessionID, events, sink: self) }
}
