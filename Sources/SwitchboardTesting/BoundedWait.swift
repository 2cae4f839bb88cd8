import Dispatch
import SwitchboardLocking

/// Waits for `task` to finish, at most `seconds`; returns whether it finished. The wait is
/// ended by a timer, not by cancelling anything, so it cannot itself get stuck.
func waitForCompletion(of task: Task<Void, any Error>, seconds: Double) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let once = ResumeOnce(continuation)
        Task {
            _ = try? await task.value
            once.resume(true)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { once.resume(false) }
    }
}

/// Resumes a continuation with the first value offered; later offers are ignored.
final class ResumeOnce: Sendable {
    private let continuation: Locked<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Locked(continuation)
    }

    func resume(_ value: Bool) {
        continuation.withLock { pending in
            defer { pending = nil }
            return pending
        }?.resume(returning: value)
    }
}

struct TestServerError: Error, CustomStringConvertible {
    var description: String
}
