import SwitchboardLocking

/// Writes that arrive together are committed together: the first caller starts a writer that
/// takes everything waiting (up to `maxBatch`) and hands it to `commit` as one unit — one
/// transaction, one WAL write — and keeps going while requests keep coming. Each request gets
/// its own answer (a failing one fails alone: `commit` isolates them) once the unit committed.
/// Requests are committed in the order they joined the queue; `prepare` runs as a request joins,
/// under the queue's lock, so what it assigns (a message id) follows that order.
final class GroupCommit<Request: Sendable, Output: Sendable>: Sendable {
    typealias Commit = @Sendable ([Request]) async throws -> [Result<Output, any Error>]
    typealias Prepare = @Sendable (inout Request) -> Void

    private struct State {
        var waiting: [(request: Request, continuation: CheckedContinuation<Output, any Error>)] = []
        var writing = false
    }

    private let state = Locked(State())
    private let maxBatch: Int
    private let commit: Commit
    private let prepare: Prepare

    init(maxBatch: Int = 256, prepare: @escaping Prepare = { _ in }, commit: @escaping Commit) {
        self.maxBatch = maxBatch
        self.prepare = prepare
        self.commit = commit
    }

    func submit(_ request: Request) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLock { state -> Bool in
                var request = request
                prepare(&request)
                state.waiting.append((request, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter { Task { await self.write() } }
        }
    }

    private func write() async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let results = try await commit(batch.map(\.request))
                for (entry, result) in zip(batch, results) { entry.continuation.resume(with: result) }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
    }
}
