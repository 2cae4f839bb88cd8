import SwitchboardLocking
import SwitchboardCore

/// One client WebSocket of a gateway as its handler sees it: the bounded queue toward the
/// socket, the way to close it, and the heartbeat clock. Shared by the reader, the writer and
/// the heartbeat monitor of ``GatewayConnectionLoop``.
public final class GatewayLink: Sendable {
    struct State {
        var identified = false
        var lastHeartbeatMs: UInt64
        var closeCode: GatewayCloseCode?
    }

    let state: Locked<State>
    public let queue: OutboundQueue
    /// The id announced in `hello`; a session created by `identify` takes it.
    public let helloSessionID: String

    init(queue: OutboundQueue, helloSessionID: String, nowMs: UInt64) {
        self.queue = queue
        self.helloSessionID = helloSessionID
        state = Locked(State(lastHeartbeatMs: nowMs))
    }

    /// Queues a frame outside the event sequence (ack, error, ...).
    public func reply(_ frame: [UInt8]) {
        _ = queue.enqueue(frame)
    }

    /// Ends the connection with this close code (the first reason wins); queued frames are dropped.
    public func close(_ code: GatewayCloseCode) {
        state.withLock { if $0.closeCode == nil { $0.closeCode = code } }
        queue.close()
    }

    /// Ends the connection after what is queued has been written.
    public func drain(_ code: GatewayCloseCode = .draining) {
        state.withLock { if $0.closeCode == nil { $0.closeCode = code } }
        queue.finish()
    }

    /// Ends the connection as `code` calls for: a `reconnect` (draining) is written first,
    /// anything else drops what is queued.
    public func end(_ code: GatewayCloseCode) {
        if code == .draining { drain(code) } else { close(code) }
    }

    /// A session is bound: the heartbeat clock starts now.
    func identified(nowMs: UInt64) {
        state.withLock {
            $0.identified = true
            $0.lastHeartbeatMs = nowMs
        }
    }

    func heartbeat(nowMs: UInt64) {
        state.withLock { $0.lastHeartbeatMs = nowMs }
    }
}
