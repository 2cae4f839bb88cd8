import Synchronization

/// A value behind a lock that closures can share (a `Mutex` cannot be captured: it is not copyable).
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { mutex.withLock(body) }

    public var value: Value { mutex.withLock { $0 } }
}
