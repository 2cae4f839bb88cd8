import Foundation
import Synchronization
import SwitchboardAuth
import SwitchboardCore
import SwitchboardHTTP

/// One identified client session of the origin's gateway. It outlives its WebSocket by the
/// resume window: while detached it keeps numbering and recording events so that a `resume`
/// can replay exactly what the client missed.
///
/// Each session subscribes to its workspace's ``EventHub`` from the log position it
/// bootstrapped at, and keeps its own membership set up to date from the events about its
/// user, so it forwards exactly the events its user may see, in log order.
public final class GatewaySession: EventSink {
    public let id: String
    public let caller: Caller
    /// Called when this session's queue overflowed; the connection must close.
    let onOverflow: @Sendable (GatewaySession) -> Void

    struct State {
        /// Workspace log position already delivered (events at or below are duplicates).
        var logSeq: UInt64
        /// False once the hub dropped this session (its queue overflowed): resume resubscribes.
        var subscribed = true
        var focus: Snowflake?
        var presenceSubscriptions: Set<Snowflake> = []
        var channels: Set<Snowflake>
        var typing: TypingThrottle<Snowflake>
    }

    let state: Mutex<State>
    let limits: GatewayLimits
    /// Numbering, replay and the attached connection.
    let outbox: SessionOutbox

    init(id: String, caller: Caller, channels: Set<Snowflake>, logSeq: UInt64, focus: Snowflake?, limits: GatewayLimits,
         onOverflow: @escaping @Sendable (GatewaySession) -> Void) {
        self.id = id
        self.caller = caller
        self.limits = limits
        self.onOverflow = onOverflow
        outbox = SessionOutbox(limits: limits)
        state = Mutex(State(logSeq: logSeq, focus: focus, channels: channels,
                           typing: TypingThrottle(intervalMs: limits.typingIntervalMs)))
    }

    // MARK: EventSink

    public func deliver(_ events: [WorkspaceEvent]) -> Bool {
        for event in events {
            guard event.seq > state.withLock({ $0.logSeq }) else { continue }
            learnMembership(before: event)
            let visible = state.withLock { state in
                if let channel = event.channelID { return state.channels.contains(channel) || event.userID == caller.userID }
                if let user = event.userID { return user == caller.userID }
                return true
            }
            learnMembership(after: event)
            if visible {
                if sendEvent(event.type, payload: event.payload, logSeq: event.seq) == .overflow {
                    state.withLock { $0.subscribed = false }
                    onOverflow(self)
                    return false
                }
            } else {
                state.withLock { $0.logSeq = event.seq }
            }
        }
        return true
    }

    /// Joining (or being in a new private channel or DM) takes effect before the event is
    /// forwarded, so the joiner receives it; leaving takes effect after, so the leaver hears it.
    private func learnMembership(before event: WorkspaceEvent) {
        let me = caller.userID
        switch event.type {
        case .memberJoined:
            guard let change = try? JSON.decode(MembershipChange.self, from: Data(event.payload)), change.userID == me else { return }
            state.withLock { _ = $0.channels.insert(change.channelID) }
        case .channelCreated where event.channelID != nil:
            guard let channel = try? JSON.decode(Channel.self, from: Data(event.payload)),
                  channel.creatorID == me || channel.memberIDs?.contains(me) == true else { return }
            state.withLock { _ = $0.channels.insert(channel.id) }
        default:
            return
        }
    }

    private func learnMembership(after event: WorkspaceEvent) {
        guard event.type == .memberLeft, event.userID == caller.userID, let channel = event.channelID else { return }
        state.withLock { state in
            state.channels.remove(channel)
            if state.focus == channel { state.focus = nil }
        }
    }

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
    var focus: Snowflake? { state.withLock { $0.focus } }
    var channels: Set<Snowflake> { state.withLock { $0.channels } }
    func isMember(of channel: Snowflake) -> Bool { state.withLock { $0.channels.contains(channel) } }

    /// Typing is accepted at most once per channel per interval.
    func allowTyping(in channel: Snowflake, nowMs: UInt64) -> Bool {
        state.withLock { $0.typing.allow(channel, nowMs: nowMs) }
    }
}

