/// A sliding-window count of client frames: over the limit frames are refused; far over it
/// (three times) the connection is closed.
public struct FloodGuard: Sendable {
    public enum Verdict: Equatable, Sendable { case admit, refuse(retryAfterMs: UInt64), disconnect }

    let limit: Int
    let windowMs: UInt64
    private var windowStart: UInt64 = 0
    private var count = 0

    public init(limit: Int, windowMs: UInt64) {
        self.limit = limit
        self.windowMs = windowMs
    }

    public mutating func admit(nowMs: UInt64) -> Verdict {
        if nowMs >= windowStart + windowMs {
            windowStart = nowMs
            count = 0
        }
        count += 1
        if count > 3 * limit { return .disconnect }
        if count > limit { return .refuse(retryAfterMs: windowStart + windowMs - nowMs) }
        return .admit
    }
}
