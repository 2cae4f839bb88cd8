import SwitchboardLocking
import SwitchboardCore

/// `send`s forwarded over a feed and waiting for the origin's `ack {ref}` or `error {ref}`.
///
/// A feed that drops does not fail them: whether the origin committed a send before the drop
/// cannot be known here, so each one is sent again, with its nonce, on the next feed — to the
/// same process or to the one a failover picked — and the origin's nonce de-duplication makes
/// that safe (a committed one is answered with the message it already made). Each waits at most
/// its timeout; then the client is told to retry, with the same nonce.
final class PendingReplies: Sendable {
    private struct Waiting {
        var order: UInt64
        var command: FeedCommand
        var continuation: CheckedContinuation<EncodedMessage, any Error>
    }

    private struct State {
        var waiting: [String: Waiting] = [:]
        var next: UInt64 = 0
    }

    private let state = Locked(State())

    /// Registers `command` under `ref`, sends it with `send` (a feed that is down sends nothing:
    /// ``resend(with:)`` does when one opens), and waits for the reply (at most `timeout`).
    func request(ref: String, command: FeedCommand, timeout: Duration,
                 send: @escaping @Sendable (FeedCommand) async throws -> Void) async throws -> EncodedMessage {
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.resolve(ref, .failure(SwitchboardError(.unavailable, "the origin did not answer in time; retry with the same nonce")))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                state.next += 1
                state.waiting[ref] = Waiting(order: state.next, command: command, continuation: continuation)
            }
            Task {
                do { try await send(command) } catch {
                    // No feed right now: the command stays registered and goes out with the
                    // next feed's `resend`, or times out above.
                }
            }
        }
    }

    /// Sends every waiting command again, oldest first (a new feed has opened).
    func resend(with send: (FeedCommand) async throws -> Void) async throws {
        let commands = state.withLock { $0.waiting.values.sorted { $0.order < $1.order }.map(\.command) }
        for command in commands { try await send(command) }
    }

    var count: Int { state.withLock { $0.waiting.count } }

    func resolve(_ ref: String, _ result: Result<EncodedMessage, any Error>) {
        state.withLock { $0.waiting.removeValue(forKey: ref) }?.continuation.resume(with: result)
    }

    /// The feed stops for good (the edge shuts down): nothing more will be answered.
    func failAll() {
        let all = state.withLock { state in
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for waiting in all {
            waiting.continuation.resume(throwing: SwitchboardError(.unavailable, "the edge is shutting down; retry with the same nonce"))
        }
    }
}
