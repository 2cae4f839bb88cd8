import NIOCore
import SwitchboardLocking

/// Notices a peer that went silent without closing — a blackholed path, a frozen process —
/// from the bytes that arrive, not from pings: a ping's answer queues behind whatever the peer
/// is sending, so a peer busy streaming megabytes (a large snapshot) looks as dead as a
/// silent one. The peer must send something more often than `limit` (the origin's feed
/// heartbeat does); any byte off the network counts.
///
/// While the reader is ``pause()``d — waiting for room to hand a frame on — nothing is read,
/// so that time does not count: a slow consumer is not a silent peer.
public final class SilenceWatchdog: Sendable {
    public struct Silent: Error, CustomStringConvertible {
        public let limit: Duration
        public var description: String { "nothing arrived from the peer for \(limit)" }
    }

    private struct State {
        var lastHeard = ContinuousClock.now
        var paused = false
        var fired = false
    }

    public let limit: Duration
    private let state = Locked(State())

    public init(limit: Duration) {
        self.limit = limit
    }

    /// Bytes arrived.
    public func heard() {
        state.withLock { $0.lastHeard = .now }
    }

    /// The reader stops reading until ``resume()`` (its consumer is behind).
    public func pause() {
        state.withLock { $0.paused = true }
    }

    /// The reader reads again: the silence is counted from now.
    public func resume() {
        state.withLock { state in
            state.paused = false
            state.lastHeard = .now
        }
    }

    /// Whether ``silence()`` has returned: the connection ended for it.
    public var fired: Bool { state.withLock { $0.fired } }

    /// Returns once nothing has arrived for `limit` while the reader was reading; throws
    /// `CancellationError` if cancelled first. Wakes about once per `limit`, not per byte.
    public func silence() async throws {
        while true {
            let wait: Duration? = state.withLock { state in
                if state.paused { return limit }
                let quiet = ContinuousClock.now - state.lastHeard
                if quiet >= limit {
                    state.fired = true
                    return nil
                }
                return limit - quiet
            }
            guard let wait else { return }
            try await Task.sleep(for: wait)
        }
    }

    /// The first handler of a pipeline: every read counts as heard.
    final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let watchdog: SilenceWatchdog

        init(watchdog: SilenceWatchdog) { self.watchdog = watchdog }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            watchdog.heard()
            context.fireChannelRead(data)
        }
    }
}
