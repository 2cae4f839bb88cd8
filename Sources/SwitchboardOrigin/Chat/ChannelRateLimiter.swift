import Synchronization
import SwitchboardCore

/// At most `limit` actions (messages, or reactions) per `windowMs` per (user, channel): a
/// sliding log of the last `limit` times per key. Memory is bounded by sweeping idle keys as it goes.
public final class ChannelRateLimiter: Sendable {
    private struct Key: Hashable {
        var user: Snowflake
        var channel: Snowflake
    }

    private struct State {
        var sends: [Key: [UInt64]] = [:]
        var operationsSinceSweep = 0
    }

    public let limit: Int
    public let windowMs: UInt64
    /// What is limited, for the error message ("messages", "reactions").
    public let noun: String
    private let state = Mutex(State())

    public init(limit: Int, windowMs: UInt64, noun: String = "messages") {
        self.limit = limit
        self.windowMs = windowMs
        self.noun = noun
    }

    /// Records a send, or throws `rate_limited` with the wait until the oldest send leaves the window.
    public func acquire(user: Snowflake, channel: Snowflake, nowMs: UInt64) throws(SwitchboardError) {
        guard limit > 0 else { return }
        let key = Key(user: user, channel: channel)
        let retryAfter: UInt64? = state.withLock { state in
            state.operationsSinceSweep += 1
            if state.operationsSinceSweep >= 10_000 {
                state.operationsSinceSweep = 0
                state.sends = state.sends.filter { $0.value.last.map { $0 + windowMs > nowMs } ?? false }
            }
            var times = state.sends[key, default: []].filter { $0 + windowMs > nowMs }
            if times.count >= limit {
                state.sends[key] = times
                return times[0] + windowMs - nowMs
            }
            times.append(nowMs)
            state.sends[key] = times
            return nil
        }
        if let retryAfter {
            throw SwitchboardError(.rateLimited, "too many \(noun) in this channel; slow down",
                                   retryAfterMs: Int(retryAfter))
        }
    }

    /// Gives back the send recorded at `nowMs` (it stored nothing: a nonce replay).
    public func refund(user: Snowflake, channel: Snowflake, nowMs: UInt64) {
        guard limit > 0 else { return }
        state.withLock { state in
            let key = Key(user: user, channel: channel)
            if let index = state.sends[key]?.lastIndex(of: nowMs) { state.sends[key]?.remove(at: index) }
        }
    }
}
