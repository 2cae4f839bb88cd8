import Synchronization
import SwitchboardCore

/// `send`s forwarded over a feed and waiting for the origin's `ack {ref}` or `error {ref}`.
/// A feed that drops fails them all with `unavailable`: the client retries with the same
/// nonce, and the origin's de-duplication makes the retry safe.
final class PendingReplies: Sendable {
    private let waiting = Mutex<[String: CheckedContinuation<Message, any Error>]>([:])

    /// Registers `ref`, runs `send`, and waits for the reply (at most `timeout`).
    func request(ref: String, timeout: Duration, send: @escaping @Sendable () async throws -> Void) async throws -> Message {
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.resolve(ref, .failure(SwitchboardError(.unavailable, "the origin did not answer in time; retry with the same nonce")))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.withLock { $0[ref] = continuation }
            Task {
                do { try await send() } catch {
                    self.resolve(ref, .failure(SwitchboardError(.unavailable, "the origin is not connected; retry with the same nonce")))
                }
            }
        }
    }

    func resolve(_ ref: String, _ result: Result<Message, any Error>) {
        waiting.withLock { $0.removeValue(forKey: ref) }?.resume(with: result)
    }

    /// The feed closed: nothing more will be answered on it.
    func failAll() {
        let all = waiting.withLock { waiting in
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        for continuation in all {
            continuation.resume(throwing: SwitchboardError(.unavailable, "the origin connection dropped; retry with the same nonce"))
        }
    }
}
