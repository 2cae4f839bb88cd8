/// At most one `typing` per key (a channel, or a user in a channel) per interval; keys older
/// than the interval are forgotten once many have gathered, so it stays small.
public struct TypingThrottle<Key: Hashable & Sendable>: Sendable {
    public let intervalMs: UInt64
    private var last: [Key: UInt64] = [:]
    private let forgetAbove: Int

    public init(intervalMs: UInt64, forgetAbove: Int = 256) {
        self.intervalMs = intervalMs
        self.forgetAbove = forgetAbove
    }

    public mutating func allow(_ key: Key, nowMs: UInt64) -> Bool {
        if last.count > forgetAbove { last = last.filter { $0.value + intervalMs > nowMs } }
        if let previous = last[key], previous + intervalMs > nowMs { return false }
        last[key] = nowMs
        return true
    }

    /// The user sent their message: the next `typing` in that channel is news again, however
    /// soon it comes (the web client announces it at once).
    public mutating func reset(_ key: Key) {
        last[key] = nil
    }
}
