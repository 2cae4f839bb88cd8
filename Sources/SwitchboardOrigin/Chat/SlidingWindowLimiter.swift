import SwitchboardLocking
import SwitchboardCore

/// At most `limit` events per `windowMs` per key: a sliding log of the last `limit` times per
/// key. Memory is bounded by sweeping idle keys as it goes. Message and reaction limits per
/// (user, channel), and sign-in attempts per account and per address, are all this rule.
public final class SlidingWindowLimiter<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var times: [Key: [UInt64]] = [:]
        var operationsSinceSweep = 0
    }

    public let limit: Int
    public let windowMs: UInt64
    private let state = Locked(State())

    public init(limit: Int, windowMs: UInt64) {
        self.limit = limit
        self.windowMs = windowMs
    }

    /// Records an event unless the key is at its limit; then returns how long until the oldest
    /// event leaves the window (and records nothing).
    public func acquire(_ key: Key, nowMs: UInt64) -> UInt64? {
        update(key, nowMs: nowMs, recording: true)
    }

    /// How long until the key may act again, without recording anything; nil if it may now.
    public func retryAfter(_ key: Key, nowMs: UInt64) -> UInt64? {
        update(key, nowMs: nowMs, recording: false)
    }

    /// Records an event whatever the count (a failure that already happened).
    public func record(_ key: Key, nowMs: UInt64) {
        guard limit > 0 else { return }
        state.withLock { state in
            var times = state.times[key, default: []].filter { $0 + windowMs > nowMs }
            times.append(nowMs)
            state.times[key] = Array(times.suffix(limit))
        }
    }

    /// Forgets a key's events (a sign-in that succeeded clears its failures).
    public func reset(_ key: Key) {
        _ = state.withLock { $0.times.removeValue(forKey: key) }
    }

    /// Gives back the event recorded at `nowMs` (it stored nothing: a nonce replay).
    public func refund(_ key: Key, nowMs: UInt64) {
        guard limit > 0 else { return }
        state.withLock { state in
            if let index = state.times[key]?.lastIndex(of: nowMs) { state.times[key]?.remove(at: index) }
        }
    }

    private func update(_ key: Key, nowMs: UInt64, recording: Bool) -> UInt64? {
        guard limit > 0 else { return nil }
        return state.withLock { state in
            state.operationsSinceSweep += 1
            if state.operationsSinceSweep >= 10_000 {
                state.operationsSinceSweep = 0
                state.times = state.times.filter { $0.value.last.map { $0 + windowMs > nowMs } ?? false }
            }
            var times = state.times[key, default: []].filter { $0 + windowMs > nowMs }
            if times.count >= limit {
                state.times[key] = times
                return times[0] + windowMs - nowMs
            }
            if recording { times.append(nowMs) }
            state.times[key] = times
            return nil
        }
    }
}

/// At most `limit` actions (messages, or reactions) per `windowMs` per (user, channel).
public final class ChannelRateLimiter: Sendable {
    private struct Key: Hashable {
        var user: Snowflake
        var channel: Snowflake
    }

    private let window: SlidingWindowLimiter<Key>
    /// What is limited, for the error message ("messages", "reactions").
    public let noun: String

    public init(limit: Int, windowMs: UInt64, noun: String = "messages") {
        window = SlidingWindowLimiter(limit: limit, windowMs: windowMs)
        self.noun = noun
    }

    /// Records a send, or throws `rate_limited` with the wait until the oldest send leaves the window.
    public func acquire(user: Snowflake, channel: Snowflake, nowMs: UInt64) throws(SwitchboardError) {
        if let retryAfter = window.acquire(Key(user: user, channel: channel), nowMs: nowMs) {
            throw SwitchboardError(.rateLimited, "too many \(noun) in this channel; slow down",
                                   retryAfterMs: Int(retryAfter))
        }
    }

    /// Gives back the send recorded at `nowMs` (it stored nothing: a nonce replay).
    public func refund(user: Snowflake, channel: Snowflake, nowMs: UInt64) {
        window.refund(Key(user: user, channel: channel), nowMs: nowMs)
    }
}
