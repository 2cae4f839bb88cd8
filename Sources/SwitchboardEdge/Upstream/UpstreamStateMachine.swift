/// The rules of one workspace's upstream feed, without sockets or clocks:
/// `idle → connecting → (snapshotting →) live → backingOff(attempt) → connecting ...`.
/// Reconnects back off exponentially from 0.5 s to 30 s with jitter (half to all of the
/// delay), and the attempt count resets once a connection has gone live.
struct UpstreamStateMachine: Sendable {
    enum State: Equatable, Sendable {
        case idle
        case connecting(attempt: Int)
        case snapshotting
        case live
        case backingOff(attempt: Int)
        case stopped
    }

    enum Action: Equatable, Sendable {
        /// Open the feed after this cursor (nil: ask for a snapshot).
        case connect(after: UInt64?)
        /// Wait this long, then call `backoffElapsed()`.
        case wait(ms: UInt64)
        case none
    }

    static let initialBackoffMs: UInt64 = 500
    static let maximumBackoffMs: UInt64 = 30_000

    private(set) var state: State = .idle
    /// A number in 0..<1 for jitter (injected by tests).
    let random: @Sendable () -> Double

    init(random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.random = random
    }

    mutating func start(cursor: UInt64?) -> Action {
        guard state == .idle else { return .none }
        state = .connecting(attempt: 0)
        return .connect(after: cursor)
    }

    /// The socket opened; the first frame tells whether a snapshot follows.
    mutating func opened(snapshot: Bool) {
        state = snapshot ? .snapshotting : .live
    }

    mutating func snapshotEnded() {
        if state == .snapshotting { state = .live }
    }

    /// The connection failed or ended.
    mutating func disconnected() -> Action {
        let attempt: Int
        switch state {
        case .connecting(let previous): attempt = previous + 1
        case .backingOff(let previous): attempt = previous + 1
        case .snapshotting, .live: attempt = 1
        case .idle, .stopped: return .none
        }
        state = .backingOff(attempt: attempt)
        return .wait(ms: Self.delay(attempt: attempt, random: random()))
    }

    mutating func backoffElapsed(cursor: UInt64?) -> Action {
        guard case .backingOff(let attempt) = state else { return .none }
        state = .connecting(attempt: attempt)
        return .connect(after: cursor)
    }

    mutating func stop() {
        state = .stopped
    }

    /// 0.5 s · 2^(attempt−1), capped at 30 s, scaled into [½, 1) by `random`.
    static func delay(attempt: Int, random: Double) -> UInt64 {
        let exponent = min(max(attempt - 1, 0), 16)
        let base = min(maximumBackoffMs, initialBackoffMs << UInt64(exponent))
        return UInt64(Double(base) * (0.5 + 0.5 * random))
    }
}
