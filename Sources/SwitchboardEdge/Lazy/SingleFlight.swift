import SwitchboardLocking

/// Request coalescing: concurrent calls with the same key share one execution of the work,
/// and its result is kept for a short time so a herd that arrives a little spread out is
/// served too. Bounded: at most `capacity` results are kept.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var inFlight: [Key: Task<Value, any Error>] = [:]
        var recent: [Key: (value: Value, expiresAtMs: UInt64)] = [:]
    }

    private enum Plan { case recent(Value), join(Task<Value, any Error>), lead(Task<Value, any Error>) }

    private let state = Locked(State())
    private let ttlMs: UInt64
    private let capacity: Int
    private let now: @Sendable () -> UInt64

    init(ttlMs: UInt64, capacity: Int = 1_000, now: @escaping @Sendable () -> UInt64) {
        self.ttlMs = ttlMs
        self.capacity = capacity
        self.now = now
    }

    /// The value for `key`: a recent one, the one being fetched, or a new fetch by `work`.
    /// `fetched` is true only for the caller whose call ran the work.
    func value(for key: Key, _ work: @escaping @Sendable () async throws -> Value) async throws -> (value: Value, fetched: Bool) {
        let nowMs = now()
        let plan = state.withLock { state -> Plan in
            if let recent = state.recent[key], recent.expiresAtMs > nowMs { return .recent(recent.value) }
            if let task = state.inFlight[key] { return .join(task) }
            // Unstructured on purpose: the fetch belongs to every waiter, not to the first one,
            // so that one waiter going away does not cancel it for the others.
            let task = Task { try await work() }
            state.inFlight[key] = task
            return .lead(task)
        }
        switch plan {
        case .recent(let value):
            return (value, false)
        case .join(let task):
            return (try await task.value, false)
        case .lead(let task):
            do {
                let value = try await task.value
                state.withLock { state in
                    state.inFlight[key] = nil
                    if state.recent.count >= capacity {
                        state.recent = state.recent.filter { $0.value.expiresAtMs > nowMs }
                        if state.recent.count >= capacity { state.recent.removeAll() }
                    }
                    state.recent[key] = (value, now() + ttlMs)
                }
                return (value, true)
            } catch {
                state.withLock { $0.inFlight[key] = nil }
                throw error
            }
        }
    }
}
