import Foundation
import SwitchboardLocking
import SwitchboardAuth
import SwitchboardCore
import SwitchboardRouting
import SwitchboardServer

/// One identified client session of the origin's gateway. It outlives its WebSocket by the
/// resume window: while detached it keeps numbering and recording events so that a `resume`
/// can replay exactly what the client missed. Which events it gets is decided by its
/// workspace's ``WorkspaceGateway`` (the router there knows its channels and focus).
public final class GatewaySession: SessionOutboxOwner {
    /// The protocol's session id (`hello`, `resume`).
    public let id: String
    /// How its workspace's router names it.
    let key = SessionKey.next()
    public let caller: Caller
    /// Called when this session's queue overflowed; the connection must close.
    let onOverflow: @Sendable (GatewaySession) -> Void

    struct State {
        /// Workspace log position already delivered (events at or below are duplicates).
        var logSeq: UInt64
        var typing: TypingThrottle<Snowflake>
    }

    let state: Locked<State>
    let limits: GatewayLimits
    /// Numbering, replay and the attached connection.
    public let outbox: SessionOutbox

    init(id: String, caller: Caller, logSeq: UInt64, limits: GatewayLimits,
         onOverflow: @escaping @Sendable (GatewaySession) -> Void) {
        self.id = id
        self.caller = caller
        self.limits = limits
        self.onOverflow = onOverflow
        outbox = SessionOutbox(limits: limits)
        state = Locked(State(logSeq: logSeq, typing: TypingThrottle(intervalMs: limits.typingIntervalMs)))
    }

    var logSeq: UInt64 { state.withLock { $0.logSeq } }

    /// Numbers an event for this session, records it for resume and queues it if attached.
    /// Log events at or below the session's log position are skipped (already seen).
    @discardableResult
    func sendEvent(_ type: EventType, payload: [UInt8], logSeq: UInt64 = 0) -> SessionOutbox.SendResult {
        if logSeq > 0 {
            let fresh = state.withLock { state -> Bool in
                guard logSeq > state.logSeq else { return false }
                state.logSeq = logSeq
                return true
            }
            guard fresh else { return .sent }
        }
        return outbox.sendEvent(type, payload: payload)
    }

    func sendControl(_ frame: [UInt8]) { outbox.sendControl(frame) }

    func attach(_ queue: OutboundQueue, resumeAfter s: UInt64, closeConnection: (@Sendable (GatewayCloseCode) -> Void)? = nil,
                then: ((Int) -> [UInt8])? = nil) -> Int? {
        outbox.attach(queue, resumeAfter: s, closeConnection: closeConnection, then: then)
    }

    func closeConnection(_ code: GatewayCloseCode) { outbox.closeConnection(code) }
    func detach(from queue: OutboundQueue, nowMs: UInt64) { outbox.detach(from: queue, nowMs: nowMs) }
    func isExpired(nowMs: UInt64) -> Bool { outbox.isExpired(nowMs: nowMs) }
    var isAttached: Bool { outbox.isAttached }

    /// Typing is accepted at most once per channel per interval.
    func allowTyping(in channel: Snowflake, nowMs: UInt64) -> Bool {
        state.withLock { $0.typing.allow(channel, nowMs: nowMs) }
    }

    /// A message was sent in `channel`: typing there is news again.
    func sentMessage(in channel: Snowflake) {
        state.withLock { $0.typing.reset(channel) }
    }
}

