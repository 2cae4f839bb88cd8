import DequeModule
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
        /// The `s` of the next event.
        var nextS: UInt64 = 1
        /// The last events sent, for `resume`: (s, frame).
        var replay = Deque<(s: UInt64, frame: [UInt8])>()
        var replayBytes = 0
        /// Workspace log position already delivered (events at or below are duplicates).
        var logSeq: UInt64
        var queue: OutboundQueue?
        /// Ends the current connection with a close code.
        var closeConnection: (@Sendable (GatewayCloseCode) -> Void)?
        /// False once the hub dropped this session (its queue overflowed): resume resubscribes.
        var subscribed = true
        var detachedAtMs: UInt64?
        var focus: Snowflake?
        var presenceSubscriptions: Set<Snowflake> = []
        var channels: Set<Snowflake>
        var lastTypingMs: [Snowflake: UInt64] = [:]
    }

    let state: Mutex<State>
    let limits: GatewayLimits

    init(id: String, caller: Caller, channels: Set<Snowflake>, logSeq: UInt64, focus: Snowflake?, limits: GatewayLimits,
         onOverflow: @escaping @Sendable (GatewaySession) -> Void) {
        self.id = id
        self.caller = caller
        self.limits = limits
        self.onOverflow = onOverflow
        state = Mutex(State(logSeq: logSeq, focus: focus, channels: channels))
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

    public enum SendResult: Equatable { case sent, overflow, detached }

    /// Numbers an event for this session, records it for resume and queues it if attached.
    /// Log events at or below the session's log position are skipped (already seen).
    @discardableResult
    func sendEvent(_ type: EventType, payload: [UInt8], logSeq: UInt64 = 0) -> SendResult {
        state.withLock { state in
            if logSeq > 0 {
                guard logSeq > state.logSeq else { return .sent }
                state.logSeq = logSeq
            }
            let s = state.nextS
            state.nextS += 1
            let frame = GatewayFrame.event(s: s, type: type, payload: payload)
            state.replay.append((s, frame))
            state.replayBytes += frame.count
            while state.replay.count > limits.replayEvents || state.replayBytes > limits.replayBytes,
                  let dropped = state.replay.popFirst() {
                state.replayBytes -= dropped.frame.count
            }
            guard let queue = state.queue else { return .detached }
            switch queue.enqueue(frame) {
            case .enqueued: return .sent
            case .overflow: return .overflow
            case .closed: return .detached
            }
        }
    }

    /// A frame outside the event sequence (ack, error, heartbeat_ack, ...).
    func sendControl(_ frame: [UInt8]) {
        _ = state.withLock { $0.queue }?.enqueue(frame)
    }

    /// Binds a connection: queues the events after `resumeAfter`, then `then(count)` if
    /// given, then live events. Returns how many were replayed, or nil when they are no
    /// longer all held (the session cannot be resumed). A previous connection is closed.
    func attach(_ queue: OutboundQueue, resumeAfter s: UInt64, closeConnection: (@Sendable (GatewayCloseCode) -> Void)? = nil,
                then: ((Int) -> [UInt8])? = nil) -> Int? {
        let (replayed, previous) = state.withLock { state -> (Int?, (@Sendable (GatewayCloseCode) -> Void)?) in
            let oldest = state.replay.first?.s ?? state.nextS
            // Every event after `s` must still be held.
            guard s < state.nextS, s + 1 >= oldest else { return (nil, nil) }
            var replayed = 0
            for entry in state.replay where entry.s > s {
                guard queue.enqueue(entry.frame) == .enqueued else { return (nil, nil) }
                replayed += 1
            }
            if let then { _ = queue.enqueue(then(replayed)) }
            let previous = state.queue === queue ? nil : state.closeConnection
            state.queue = queue
            state.closeConnection = closeConnection
            state.detachedAtMs = nil
            return (replayed, previous)
        }
        previous?(.sessionReplaced)
        return replayed
    }

    /// Closes the connection currently bound to the session, if any.
    func closeConnection(_ code: GatewayCloseCode) {
        state.withLock { $0.closeConnection }?(code)
    }

    /// The connection ended; the session waits for a resume.
    func detach(from queue: OutboundQueue, nowMs: UInt64) {
        state.withLock { state in
            guard state.queue === queue else { return }
            state.queue = nil
            state.closeConnection = nil
            state.detachedAtMs = nowMs
        }
        queue.close()
    }

    func isExpired(nowMs: UInt64) -> Bool {
        state.withLock { state in state.detachedAtMs.map { $0 + limits.resumeWindowMs <= nowMs } ?? false }
    }

    var isAttached: Bool { state.withLock { $0.queue != nil } }
    var focus: Snowflake? { state.withLock { $0.focus } }
    var channels: Set<Snowflake> { state.withLock { $0.channels } }
    func isMember(of channel: Snowflake) -> Bool { state.withLock { $0.channels.contains(channel) } }

    /// Typing is accepted at most once per channel per interval.
    func allowTyping(in channel: Snowflake, nowMs: UInt64) -> Bool {
        state.withLock { state in
            if let last = state.lastTypingMs[channel], last + limits.typingIntervalMs > nowMs { return false }
            state.lastTypingMs[channel] = nowMs
            return true
        }
    }
}

/// Bounds of one gateway session.
public struct GatewayLimits: Sendable {
    /// Heartbeat interval announced in `hello` (ms); two missed intervals close the socket.
    public var heartbeatIntervalMs: UInt64 = 30_000
    /// How long a detached session can be resumed (ms).
    public var resumeWindowMs: UInt64 = 60_000
    /// Events kept for resume: at most this many, and at most `replayBytes` bytes.
    public var replayEvents = 2_000
    public var replayBytes = 4 << 20
    /// Bytes that may wait in a client's outbound queue before it is dropped as too slow.
    public var outboundQueueBytes = 8 << 20
    /// Largest client frame accepted (bigger ones get `payload_too_large`).
    public var maxClientFrameBytes = 64 << 10
    /// Client frames allowed per `commandWindowMs`; more get `rate_limited`.
    public var commandsPerWindow = 120
    public var commandWindowMs: UInt64 = 10_000
    /// Minimum time between two `typing.started` from one user in one channel (ms).
    public var typingIntervalMs: UInt64 = 3_000
    /// How long a `typing.started` is valid (ms).
    public var typingTTLms: UInt64 = 10_000
    /// Time allowed between `hello` and `identify` / `resume` (ms).
    public var identifyTimeoutMs: UInt64 = 30_000

    public init() {}
}
