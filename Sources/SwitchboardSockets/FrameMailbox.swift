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
        /// The waiting timed consumer and its ticket (so a late timer cannot wake a later wait).
        var timedConsumer: (ticket: UInt64, continuation: CheckedContinuation<Taken, Never>)?
        var nextTicket: UInt64 = 0
        var producers: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    private enum PutOutcome { case done, handTo(CheckedContinuation<Taken, Never>), full }

    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element; waits while the mailbox is full.
    func put(_ element: Element) async {
        while true {
            let outcome = state.withLock { state -> PutOutcome in
                if state.finished { return .done }
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

    /// The next element, or `.timedOut` after `timeout`, or `.finished`. The timeout is a
    /// timer that resumes this one wait; nothing depends on cancelling a sleeping task.
    func take(timeout: Duration) async -> Taken {
        await withCheckedContinuation { (continuation: CheckedContinuation<Taken, Never>) in
            let (immediate, producer, ticket) = state.withLock { state -> (Taken?, CheckedContinuation<Void, Never>?, UInt64) in
                if let item = state.items.popFirst() {
                    return (.element(item), state.producers.isEmpty ? nil : state.producers.removeFirst(), 0)
                }
                if state.finished { return (.finished, nil, 0) }
                state.nextTicket += 1
                state.timedConsumer = (state.nextTicket, continuation)
                return (nil, nil, state.nextTicket)
            }
            producer?.resume()
            if let immediate {
                continuation.resume(returning: immediate)
                return
            }
            let nanoseconds = max(0, timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(min(nanoseconds, Int64(Int.max))))) {
                let expired = self.state.withLock { state -> CheckedContinuation<Taken, Never>? in
                    guard let timed = state.timedConsumer, timed.ticket == ticket else { return nil }
                    state.timedConsumer = nil
                    return timed.continuation
                }
                expired?.resume(returning: .timedOut)
            }
        }
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
