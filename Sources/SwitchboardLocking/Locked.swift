#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a lock: the one lock of every target. It is a pthread mutex rather than
/// `Synchronization.Mutex` because on Linux that one is a futex ThreadSanitizer cannot see —
/// under TSan every access it protects is reported as a race (a ten-line program locking an
/// array from eight threads: two reports with `Mutex`, none with a pthread mutex), which would
/// bury a real one. A class, so closures can share it.
public final class Locked<Value>: @unchecked Sendable {
    // Only touched with `mutex` held.
    private var storage: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: sending Value) {
        storage = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&storage)
    }
}

extension Locked where Value: Sendable {
    /// A copy of the value as it is now.
    public var value: Value { withLock { $0 } }
}
