import DequeModule
import Synchronization

/// A bounded hand-off between a socket reader and one consumer. The reader suspends while
/// the mailbox is full, so a consumer that stops reading stops the socket (and the server
/// sees the backpressure) instead of growing memory.
final class FrameMailbox<Element: Sendable>: Sendable {
    private struct State {
        var items = Deque<Element>()
        var consumer: CheckedContinuation<Element?, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element; waits while the mailbox is full.
    func put(_ element: Element) async {
        while true {
            let delivered = state.withLock { state -> (Bool, CheckedContinuation<Element?, Never>?) in
                if state.finished { return (true, nil) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return (true, consumer)
                }
                if state.items.count < capacity {
                    state.items.append(element)
                    return (true, nil)
                }
                return (false, nil)
            }
            if delivered.0 {
                delivered.1?.resume(returning: element)
                return
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

    /// The next element; nil once finished and drained, or when the waiting task is cancelled.
    func take() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (immediate, producer) = state.withLock { state -> (Element??, CheckedContinuation<Void, Never>?) in
                    if let item = state.items.popFirst() {
                        return (.some(item), state.producers.isEmpty ? nil : state.producers.removeFirst())
                    }
                    if state.finished || Task.isCancelled { return (.some(nil), nil) }
                    state.consumer = continuation
                    return (nil, nil)
                }
                producer?.resume()
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Element?, Never>? in
                defer { state.consumer = nil }
                return state.consumer
            }?.resume(returning: nil)
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
        let (consumer, producers) = state.withLock { state -> (CheckedContinuation<Element?, Never>?, [CheckedContinuation<Void, Never>]) in
            state.finished = true
            defer {
                state.consumer = nil
                state.producers = []
            }
            return (state.items.isEmpty ? state.consumer : nil, state.producers)
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }
}
