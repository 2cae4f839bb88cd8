import ServiceLifecycle
import SwitchboardLocking

/// Runs `tick` every `interval` until a graceful shutdown or cancellation.
///
/// Services wait in short steps and watch a flag set by the graceful shutdown handler, rather
/// than rely on cancelling one long sleep: a shutdown is noticed within `step` whatever
/// happens to the cancellation of a sleeping task.
public func runPeriodically(every interval: Duration, step: Duration = .milliseconds(200),
                            _ tick: @Sendable () async -> Void) async {
    let stopping = ShutdownFlag()
    await withGracefulShutdownHandler {
        let clock = ContinuousClock()
        var next = clock.now + interval
        while !stopping.isSet && !Task.isCancelled {
            let wait = min(step, next - clock.now)
            if wait > .zero { try? await Task.sleep(for: wait) }
            guard !stopping.isSet && !Task.isCancelled else { return }
            if clock.now >= next {
                await tick()
                next = clock.now + interval
            }
        }
    } onGracefulShutdown: {
        stopping.set()
    }
}

/// A flag raised once, readable from any thread.
public final class ShutdownFlag: Sendable {
    private let flag = Locked(false)
    public init() {}
    public func set() { flag.withLock { $0 = true } }
    public var isSet: Bool { flag.withLock { $0 } }
}
