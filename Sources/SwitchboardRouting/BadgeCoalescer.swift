import SwitchboardCore

/// At most one `unread.updated` per channel per interval for one session: the first change
/// goes at once, later ones within the interval are held and sent together when it ends, with
/// the counts of that moment. Pure, so it is tested without a clock.
public struct BadgeCoalescer: Sendable {
    public let intervalMs: UInt64
    private var lastSentMs: [Snowflake: UInt64] = [:]
    public private(set) var pending: Set<Snowflake> = []

    public init(intervalMs: UInt64) {
        self.intervalMs = intervalMs
    }

    /// A channel's counts changed: true if a badge goes now, false if it is held.
    public mutating func changed(_ channel: Snowflake, nowMs: UInt64) -> Bool {
        if pending.contains(channel) { return false }
        if let last = lastSentMs[channel], nowMs < last + intervalMs {
            pending.insert(channel)
            return false
        }
        lastSentMs[channel] = nowMs
        return true
    }

    /// The held channels whose interval has passed; they count as sent now.
    public mutating func due(nowMs: UInt64) -> [Snowflake] {
        var ready: [Snowflake] = []
        for channel in pending where nowMs >= (lastSentMs[channel] ?? 0) + intervalMs {
            ready.append(channel)
        }
        for channel in ready {
            pending.remove(channel)
            lastSentMs[channel] = nowMs
        }
        // Forget channels quiet for a while, so the map stays the size of the active ones.
        if lastSentMs.count > 64 { lastSentMs = lastSentMs.filter { nowMs < $0.value + intervalMs || pending.contains($0.key) } }
        return ready
    }

    /// The session left the channel (or now views it): nothing more is held for it.
    public mutating func forget(_ channel: Snowflake) {
        pending.remove(channel)
    }
}
