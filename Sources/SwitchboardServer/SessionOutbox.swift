import DequeModule
import SwitchboardLocking
import SwitchboardCore

/// The outbound side of one gateway session, shared by the origin's and the edge's gateways:
/// numbers events with the session's `s`, keeps the last ones for `resume`, and hands frames
/// to the bounded queue of whichever connection is attached. A session outlives its socket by
/// the resume window: detached, it keeps numbering and recording.
public final class SessionOutbox: Sendable {
    public enum SendResult: Equatable, Sendable { case sent, overflow, detached }

    private struct State {
        /// The `s` of the next event.
        var nextS: UInt64 = 1
        /// The last events sent, for `resume`: (s, frame).
        var replay = Deque<(s: UInt64, frame: OutboundFrame)>()
        var replayBytes = 0
        var queue: OutboundQueue?
        /// Ends the current connection with a close code.
        var closeConnection: (@Sendable (GatewayCloseCode) -> Void)?
        var detachedAtMs: UInt64?
    }

    private let state = Locked(State())
    public let limits: GatewayLimits

    public init(limits: GatewayLimits) {
        self.limits = limits
    }

    /// Numbers an event, records it for resume and queues it if a connection is attached.
    @discardableResult
    public func sendEvent(_ type: EventType, payload: [UInt8]) -> SendResult {
        sendEvent(EventBody(type, payload: payload))
    }

    /// Same, with a body encoded once and shared with other sessions.
    @discardableResult
    public func sendEvent(_ body: EventBody) -> SendResult {
        state.withLock { state in
            let s = state.nextS
            state.nextS += 1
            let frame = OutboundFrame(event: s, body: body.bytes)
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

    /// The client has every event up to `s` (its heartbeat says so): those are no longer kept
    /// for a resume, which must now name `s` or later. A busy session otherwise holds its last
    /// `replayEvents` events for as long as it lives.
    public func acknowledge(upTo s: UInt64) {
        state.withLock { state in
            let acknowledged = min(s, state.nextS - 1)
            while let first = state.replay.first, first.s <= acknowledged {
                state.replay.removeFirst()
                state.replayBytes -= first.frame.count
            }
        }
    }

    /// A frame outside the event sequence (ack, error, heartbeat_ack, ...).
    public func sendControl(_ frame: [UInt8]) {
        _ = state.withLock { $0.queue }?.enqueue(frame)
    }

    /// Binds a connection: queues the events after `resumeAfter`, then `then(count)` if
    /// given, then live events. Returns how many were replayed, or nil when they are no
    /// longer all held (the session cannot be resumed). A previous connection is closed.
    public func attach(_ queue: OutboundQueue, resumeAfter s: UInt64,
                       closeConnection: (@Sendable (GatewayCloseCode) -> Void)? = nil,
                       then: ((Int) -> [UInt8])? = nil) -> Int? {
        let (replayed, previous) = state.withLock { state -> (Int?, (@Sendable (GatewayCloseCode) -> Void)?) in
            let oldest = state.replay.first?.s ?? state.nextS
            // Every event after `s` must still be held.
            guard s < state.nextS, s + 1 >= oldest else { return (nil, nil) }
            var replayed = 0
            for entry in state.replay where entry.s > s {
                // The replay may exceed the queue's budget: it is bounded by the replay buffer.
                guard queue.enqueue(entry.frame, exceedingLimit: true) == .enqueued else { return (nil, nil) }
                replayed += 1
            }
            if let then { _ = queue.enqueue(OutboundFrame(body: then(replayed)), exceedingLimit: true) }
            let previous = state.queue === queue ? nil : state.closeConnection
            state.queue = queue
            state.closeConnection = closeConnection
            state.detachedAtMs = nil
            return (replayed, previous)
        }
        previous?(.sessionReplaced)
        return replayed
    }

    /// Closes the connection currently bound, if any.
    public func closeConnection(_ code: GatewayCloseCode) {
        state.withLock { $0.closeConnection }?(code)
    }

    /// The connection ended; the session waits for a resume.
    public func detach(from queue: OutboundQueue, nowMs: UInt64) {
        state.withLock { state in
            guard state.queue === queue else { return }
            state.queue = nil
            state.closeConnection = nil
            state.detachedAtMs = nowMs
        }
        queue.close()
    }

    /// Detached for longer than the resume window.
    public func isExpired(nowMs: UInt64) -> Bool {
        state.withLock { state in state.detachedAtMs.map { $0 + limits.resumeWindowMs <= nowMs } ?? false }
    }

    public var isAttached: Bool { state.withLock { $0.queue != nil } }
}

/// A gateway session as the connection loop needs it: its outbound side.
public protocol SessionOutboxOwner: Sendable {
    var outbox: SessionOutbox { get }
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
