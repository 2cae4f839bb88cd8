/// The rules of one workspace's upstream feed, without sockets or clocks:
/// `idle → connecting → (snapshotting →) live → backingOff(attempt) → connecting ...`.
/// Reconnects back off exponentially from 0.5 s to 30 s with jitter (half to all of the
/// delay), and the attempt count resets once a connection has gone live.
///
/// It also follows how current the edge's copy is — the position LMDB holds, the one the
/// feed announced — so that whether client sessions may start is one question asked of it.
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
    /// The position LMDB holds (nil: never synced, or a snapshot is being written).
    private(set) var applied: UInt64?
    /// The log position the current connection announced when it started.
    private(set) var target: UInt64?
    /// Some connection of this process has opened: LMDB is no longer just a copy left from before.
    private(set) var hasBeenCurrent = false
    /// A number in 0..<1 for jitter (injected by tests).
    let random: @Sendable () -> Double

    init(random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.random = random
    }

    mutating func start(cursor: UInt64?) -> Action {
        guard state == .idle else { return .none }
        state = .connecting(attempt: 0)
        applied = cursor
        return .connect(after: cursor)
    }

    /// The socket opened; the first frame tells whether a snapshot follows (which clears the copy).
    mutating func opened(snapshot: Bool) {
        state = snapshot ? .snapshotting : .live
        hasBeenCurrent = true
        if snapshot { applied = nil }
    }

    mutating func snapshotEnded(seq: UInt64) {
        if state == .snapshotting { state = .live }
        applied = seq
    }

    /// The feed said where the log was when it started.
    mutating func announced(position: UInt64) { target = position }

    /// Events up to `seq` are in LMDB.
    mutating func appliedEvents(upTo seq: UInt64) { applied = max(applied ?? 0, seq) }

    /// Connected and LMDB is being replaced or brought up to date in order.
    var isCurrent: Bool { state == .snapshotting || state == .live }
    var isSnapshotting: Bool { state == .snapshotting }

    /// Connected, not in a snapshot, and LMDB has every event up to the announced position.
    var isCaughtUp: Bool {
        guard state == .live, let target, let applied else { return false }
        return applied >= target
    }

    /// How the copy stands, for `/readyz`.
    enum Readiness: String, Sendable {
        /// Connected, and every event the feed announced is in LMDB.
        case current
        /// Nothing complete to serve yet: a snapshot is being written, the first sync has not
        /// happened, or a live connection is still catching up.
        case loading
        /// The origin is unreachable; the copy serves as it is, and the feed keeps retrying.
        case stale
    }

    var readiness: Readiness {
        if applied == nil || state == .snapshotting || (isCurrent && !isCaughtUp) { return .loading }
        return isCurrent ? .current : .stale
    }

    /// Client sessions may start: LMDB holds a complete copy, and it is not catching up on a
    /// live connection (when the origin is unreachable the copy serves as it is).
    var servesSessions: Bool { applied != nil && (!isCurrent || isCaughtUp) }

    /// The connection failed or ended.
    mutating func disconnected() -> Action {
        let attempt: Int
        switch state {
        case .connecting(let previous): attempt = previous + 1
        case .backingOff(let previous): attempt = previous + 1
        case .snapshotting, .live: attempt = 1
        case .idle, .stopped: return .none
        }
        // A snapshot cut short left no position: the next connection starts with a snapshot.
        target = nil
        state = .backingOff(attempt: attempt)
        return .wait(ms: Self.delay(attempt: attempt, random: random()))
    }

    mutating func backoffElapsed() -> Action {
        guard case .backingOff(let attempt) = state else { return .none }
        state = .connecting(attempt: attempt)
        return .connect(after: applied)
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
