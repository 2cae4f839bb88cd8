import DequeModule
import Dispatch
import SwitchboardLocking

/// A bounded hand-off between a socket reader and one consumer. The reader suspends while
/// the mailbox is full, so a consumer that stops reading stops the socket (and the server
/// sees the backpressure) instead of growing memory.
final class FrameMailbox<Element: Sendable>: Sendable {
    /// What a timed wait ended with.
    enum Taken {
        case element(Element)
        case finished
        case timedOut
    }

    private struct State {
        var items = Deque<Element>()
        /// The waiting consumer and when its wait times out.
        var timedConsumer: (deadline: DispatchTime, continuation: CheckedContinuation<Taken, Never>)?
        var producers: [CheckedContinuation<Void, Never>] = []
        var finished = false
        /// Takes every element as it arrives, once set (``handOff(to:)``).
        var handler: (@Sendable (Element) -> Void)?
    }

    private enum PutOutcome { case done, handTo(CheckedContinuation<Taken, Never>), handle(@Sendable (Element) -> Void), full }

    let capacity: Int
    private let state = Locked(State())
    /// One timer for every timed wait of this mailbox, re-armed by each. Not a timer per wait:
    /// `asyncAfter` cannot be taken back, so each wait that ended early would hold its timer
    /// (and a closure) until its timeout — the edge's feed loop waits up to a day per frame, and
    /// that held ~250–300 bytes per message for a day (found by the soak's heap profile).
    /// (A dispatch source is safe to arm and cancel from any thread; Dispatch does not say so
    /// in Swift's types.)
    nonisolated(unsafe) private let timer: any DispatchSourceTimer

    init(capacity: Int) {
        self.capacity = capacity
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.setEventHandler { [weak self] in self?.expireTimedWait() }
        timer.activate()
    }

    deinit { timer.cancel() }

    /// Ends the waiting consumer's wait with `.timedOut` if its deadline has passed. A timer
    /// armed for an earlier wait may fire late; the deadline check makes that harmless.
    private func expireTimedWait() {
        let expired = state.withLock { state -> CheckedContinuation<Taken, Never>? in
            guard let timed = state.timedConsumer, DispatchTime.now() >= timed.deadline else { return nil }
            state.timedConsumer = nil
            return timed.continuation
        }
        expired?.resume(returning: .timedOut)
    }

    /// Adds an element; waits while the mailbox is full.
    func put(_ element: Element) async {
        while true {
            let outcome = state.withLock { state -> PutOutcome in
                if state.finished { return .done }
                if let handler = state.handler { return .handle(handler) }
                if let timed = state.timedConsumer {
                    state.timedConsumer = nil
                    return .handTo(timed.continuation)
                }
                if state.items.count < capacity {
                    state.items.append(element)
                    return .done
                }
                return .full
            }
            switch outcome {
            case .done: return
            case .handTo(let consumer):
                consumer.resume(returning: .element(element))
                return
            case .handle(let handler):
                handler(element)
                return
            case .full: break
            }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.items.count < capacity { return true }
                    state.producers.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// The next element, or `.timedOut` after `timeout`, or `.finished`.
    func take(timeout: Duration) async -> Taken {
        let nanoseconds = max(0, timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let deadline = DispatchTime.now() + .nanoseconds(Int(min(nanoseconds, Int64(Int.max / 2))))
        return await withCheckedContinuation { (continuation: CheckedContinuation<Taken, Never>) in
            let (immediate, producer) = state.withLock { state -> (Taken?, CheckedContinuation<Void, Never>?) in
                if let item = state.items.popFirst() {
                    return (.element(item), state.producers.isEmpty ? nil : state.producers.removeFirst())
                }
                if state.finished { return (.finished, nil) }
                state.timedConsumer = (deadline, continuation)
                // Armed under the lock, so that timers are armed in the order waits begin: a wait
                // that already ended cannot re-arm the timer after the next wait has armed it.
                // Re-arming replaces the previous deadline: one pending timer per mailbox.
                timer.schedule(deadline: deadline, leeway: .milliseconds(10))
                return (nil, nil)
            }
            producer?.resume()
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// From now on each element goes to `handler` as it is put, on the producer's task, instead
    /// of waiting to be taken (no hand-off to a consumer task, no timer): the elements already
    /// waiting go first, in order. `take` then only reports the end.
    func handOff(to handler: @escaping @Sendable (Element) -> Void) {
        let producers = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            // Under the lock, so that no element put meanwhile overtakes these.
            while let item = state.items.popFirst() { handler(item) }
            state.handler = handler
            defer { state.producers = [] }
            return state.producers
        }
        for producer in producers { producer.resume() }
    }

    /// The next element if one is waiting; never suspends.
    func poll() -> Element? {
        let (item, producer) = state.withLock { state -> (Element?, CheckedContinuation<Void, Never>?) in
            guard let item = state.items.popFirst() else { return (nil, nil) }
            return (item, state.producers.isEmpty ? nil : state.producers.removeFirst())
        }
        producer?.resume()
        return item
    }

    /// No more elements will come; waiting producers and the consumer are released.
    func finish() {
        let (timed, producers) = state.withLock {
            state -> (CheckedContinuation<Taken, Never>?, [CheckedContinuation<Void, Never>]) in
            state.finished = true
            defer {
                state.producers = []
                if state.items.isEmpty { state.timedConsumer = nil }
            }
            return (state.items.isEmpty ? state.timedConsumer?.continuation : nil, state.producers)
        }
        timed?.resume(returning: .finished)
        for producer in producers { producer.resume() }
    }
}
