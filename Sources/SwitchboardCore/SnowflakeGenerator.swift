import SwitchboardLocking

/// Makes strictly increasing ``Snowflake``s for one worker.
///
/// If the wall clock steps back (NTP, a VM resumed) the generator keeps using the last
/// millisecond it issued and runs its sequence on; when the sequence is exhausted it borrows
/// the next millisecond. Ids therefore never repeat and never go backwards.
public final class SnowflakeGenerator: Sendable {
    private struct State {
        var lastMs: UInt64 = 0
        var sequence: UInt64 = 0
    }

    public let worker: UInt64
    private let clock: @Sendable () -> UInt64
    private let state = Locked(State())

    /// - Parameters:
    ///   - worker: 0...1023, unique per process that writes to the same store.
    ///   - clock: milliseconds since the Unix epoch (injected by tests).
    public init(worker: UInt64, clock: @escaping @Sendable () -> UInt64 = { WallClock.nowMs() }) {
        precondition(worker <= Snowflake.maxWorker, "worker id must be 0...1023")
        self.worker = worker
        self.clock = clock
    }

    /// Makes every later id greater than `floor` (an id another writer made, or one made before
    /// the clock stepped back): they move to the millisecond after `floor`'s, whatever its worker.
    public func advance(past floor: Snowflake) {
        state.withLock { state in
            let ms = floor.timestampMs + 1
            if ms > state.lastMs {
                state.lastMs = ms
                state.sequence = 0
            }
        }
    }

    public func next() -> Snowflake {
        let now = clock()
        return state.withLock { state in
            if now > state.lastMs {
                state.lastMs = now
                state.sequence = 0
            } else if state.sequence < Snowflake.maxSequence {
                state.sequence += 1
            } else {
                state.lastMs += 1
                state.sequence = 0
            }
            return Snowflake(timestampMs: state.lastMs, worker: worker, sequence: state.sequence)
        }
    }
}
