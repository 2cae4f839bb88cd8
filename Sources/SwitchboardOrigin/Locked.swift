import Synchronization

/// A value behind a lock that closures can share (a `Mutex` cannot be captured: it is not copyable).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { mutex.withLock(body) }

    var value: Value { mutex.withLock { $0 } }
}
