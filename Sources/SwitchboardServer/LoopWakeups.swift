import NIOCore
import SwitchboardLocking

/// The socket writers woken on one event loop, run together: a fan-out wakes hundreds of
/// writers on each loop at once, and scheduling each on its loop (a task, the loop's lock,
/// often an `eventfd` write) cost more than the write's own framing. Here the first writer
/// woken schedules one task and the others join its list until it runs.
final class LoopWakeups: Sendable {
    private let loop: any EventLoop
    private struct Ready {
        var writers: [SocketWriter] = []
        var scheduled = false
    }
    private let ready = Locked(Ready())

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Runs `writer.drain()` on the loop soon, with any other writers woken meanwhile.
    func wake(_ writer: SocketWriter) {
        let schedule = ready.withLock { ready -> Bool in
            ready.writers.append(writer)
            defer { ready.scheduled = true }
            return !ready.scheduled
        }
        if schedule { loop.execute { self.runWoken() } }
    }

    /// On the loop.
    private func runWoken() {
        let writers = ready.withLock { ready -> [SocketWriter] in
            defer { ready = Ready() }
            return ready.writers
        }
        for writer in writers { writer.drain() }
    }

    /// The one instance for `loop`. Loops are few and live as long as their group (a process
    /// has one or two groups; a test run a few dozen), so the instances are kept.
    static func of(_ loop: any EventLoop) -> LoopWakeups {
        registry.withLock { registry in
            if let wakeups = registry[ObjectIdentifier(loop)] { return wakeups }
            let wakeups = LoopWakeups(loop: loop)
            registry[ObjectIdentifier(loop)] = wakeups
            return wakeups
        }
    }

    private static let registry = Locked<[ObjectIdentifier: LoopWakeups]>([:])
}
