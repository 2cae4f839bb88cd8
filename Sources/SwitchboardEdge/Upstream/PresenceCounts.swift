import SwitchboardLocking
import SwitchboardCore

/// How many live connections each user has at this edge, and what the origin has been told.
/// A feed that (re)connects first reports everything (`presence_sync`, which replaces this
/// edge's counts at the origin), then only the differences, from one task — so a report is
/// never counted twice.
final class PresenceCounts: Sendable {
    private struct State {
        var counts: [Snowflake: Int] = [:]
        var reported: [Snowflake: Int] = [:]
        var dirty: Set<Snowflake> = []
        /// Wakes the reporting task of the current feed.
        var signal: AsyncStream<Void>.Continuation?
    }

    private let state = Locked(State())

    func changed(user: Snowflake, delta: Int) {
        let signal = state.withLock { state in
            let count = max(0, state.counts[user, default: 0] + delta)
            state.counts[user] = count > 0 ? count : nil
            state.dirty.insert(user)
            return state.signal
        }
        signal?.yield()
    }

    /// Everything, for a feed that just connected, and a stream that ticks when counts change
    /// (iterated by that feed's reporting task alone).
    func beginReport() -> (counts: [Snowflake: Int], changes: AsyncStream<Void>) {
        let (changes, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (counts, previous) = state.withLock { state in
            state.reported = state.counts
            state.dirty.removeAll()
            defer { state.signal = signal }
            return (state.counts, state.signal)
        }
        previous?.finish()
        return (counts, changes)
    }

    /// What changed since the last report.
    func takeDeltas() -> [FeedCommand.Presence] {
        state.withLock { state in
            defer { state.dirty.removeAll() }
            return state.dirty.sorted().compactMap { user in
                let delta = state.counts[user, default: 0] - state.reported[user, default: 0]
                state.reported[user] = state.counts[user]
                return delta == 0 ? nil : FeedCommand.Presence(userID: user, delta: delta)
            }
        }
    }

    var connectedUsers: Int { state.withLock { $0.counts.count } }
}
