import DequeModule
import NIOCore
import SwitchboardCore
import SwitchboardLocking

/// One frame on its way to a socket: for an event, its number `s` (the only part that differs
/// per recipient) and a body that many recipients share. An event is encoded once; a Swift
/// array's storage is shared until written, so a thousand queues hold one body, and the head
/// (`{"op":"event","s":17`) is written straight into the socket's buffer.
public struct OutboundFrame: Sendable {
    /// The event's number, for an `event` frame; nil for a frame that is all `body`.
    public var s: UInt64?
    public var body: [UInt8]

    public init(body: [UInt8]) {
        self.body = body
    }

    public init(event s: UInt64, body: [UInt8]) {
        self.s = s
        self.body = body
    }

    /// Bytes of the frame's text.
    public var count: Int {
        guard let s else { return body.count }
        return GatewayFrame.eventHeadPrefix.count + Self.decimalDigits(s) + body.count
    }

    public var bytes: [UInt8] { (s.map { GatewayFrame.eventHead(s: $0) } ?? []) + body }

    /// Appends the frame's text to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        if let s {
            buffer.writeBytes(GatewayFrame.eventHeadPrefix)
            buffer.writeString(String(s))  // up to 15 digits: a small string, no allocation
        }
        buffer.writeBytes(body)
    }

    /// The frame as one buffer for the socket.
    public func buffer(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        write(to: &buffer)
        return buffer
    }

    private static func decimalDigits(_ value: UInt64) -> Int {
        var digits = 1, rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }
}

/// The bounded queue between everything that produces frames for one client and the one
/// writer task that puts them on its socket. Producers never wait: `enqueue` answers at once,
/// and a client that cannot keep up overflows its byte budget and is disconnected instead of
/// growing memory (the Centrifuge writer model).
public final class OutboundQueue: Sendable {
    public enum EnqueueResult: Sendable, Equatable {
        case enqueued
        /// The byte budget is exhausted: the consumer is too slow. The queue is now closed.
        case overflow
        case closed
    }

    fileprivate struct State {
        var frames = Deque<OutboundFrame>()
        var bytes = 0
        var waiter: CheckedContinuation<OutboundFrame?, Never>?
        var closed = false
        /// No more frames will be accepted; the queued ones are still delivered.
        var finishing = false
        /// A consumer that is woken rather than awaited (``SocketWriter``), and whether it is
        /// idle — waiting to be woken — rather than busy with a batch. Dropped once the queue
        /// has ended: the writer holds this queue, so keeping its wake-up would be a cycle that
        /// kept the writer, its channel and the channel's buffers alive after every disconnect.
        var wake: (@Sendable () -> Void)?
        var consumerIdle = false
    }

    /// Most bytes that may wait in the queue.
    public let limitBytes: Int
    private let state = Locked(State())

    public init(limitBytes: Int) {
        self.limitBytes = limitBytes
    }

    public func enqueue(_ bytes: [UInt8]) -> EnqueueResult { enqueue(OutboundFrame(body: bytes)) }

    /// Queues a frame; a queue over its byte budget overflows and closes, unless
    /// `exceedingLimit` (a resume's replay, which is bounded by the replay buffer instead).
    public func enqueue(_ frame: OutboundFrame, exceedingLimit: Bool = false) -> EnqueueResult {
        let (result, waiter, wake) = state.withLock { state -> (EnqueueResult, CheckedContinuation<OutboundFrame?, Never>?, (@Sendable () -> Void)?) in
            guard !state.closed, !state.finishing else { return (.closed, nil, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (.enqueued, waiter, nil)
            }
            guard state.bytes + frame.count <= limitBytes || exceedingLimit else {
                state.closed = true
                state.frames.removeAll()
                state.bytes = 0
                return (.overflow, nil, state.takeWake())
            }
            state.frames.append(frame)
            state.bytes += frame.count
            return (.enqueued, nil, state.takeWake())
        }
        waiter?.resume(returning: frame)
        wake?()
        return result
    }

    // MARK: A consumer that is woken

    /// What ``takeBatch(maxBytes:)`` found.
    public enum Batch: Sendable {
        case frames([OutboundFrame])
        /// Nothing queued: the consumer is woken when something is.
        case empty
        /// Closed, or finished and drained: nothing more will come.
        case ended
    }

    /// Makes `wake` the consumer: it is called (from whoever enqueues, so it must only
    /// schedule work) whenever frames arrive, or the queue ends, while the consumer is idle.
    public func setConsumer(_ wake: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.wake = wake
            state.consumerIdle = true
        }
        wake()
    }

    /// Every queued frame up to `maxBytes` (at least one), for one write and one flush; the
    /// consumer is busy until its next call.
    public func takeBatch(maxBytes: Int = 256 << 10) -> Batch {
        state.withLock { state in
            if state.closed { return state.ended() }
            guard let first = state.frames.popFirst() else {
                if state.finishing { return state.ended() }
                state.consumerIdle = true
                return .empty
            }
            var batch = [first], bytes = first.count
            state.bytes -= first.count
            while let frame = state.frames.first, bytes + frame.count <= maxBytes {
                state.frames.removeFirst()
                state.bytes -= frame.count
                bytes += frame.count
                batch.append(frame)
            }
            state.consumerIdle = false
            return .frames(batch)
        }
    }

    /// The next frame; `nil` once the queue is closed (pending frames are dropped on close)
    /// or finished and drained.
    public func next() async -> OutboundFrame? {
        if let frame = state.withLock({ state -> OutboundFrame?? in
            if state.closed { return .some(nil) }
            guard let frame = state.frames.popFirst() else { return state.finishing ? .some(nil) : nil }
            state.bytes -= frame.count
            return .some(frame)
        }) {
            return frame
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = state.withLock { state -> OutboundFrame?? in
                    if state.closed || Task.isCancelled { return .some(nil) }
                    if let frame = state.frames.popFirst() {
                        state.bytes -= frame.count
                        return .some(frame)
                    }
                    if state.finishing { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            close()
        }
    }

    /// Stops the queue; a waiting `next()` returns nil.
    public func close() {
        let (waiter, wake) = state.withLock { state -> (CheckedContinuation<OutboundFrame?, Never>?, (@Sendable () -> Void)?) in
            state.closed = true
            state.frames.removeAll()
            state.bytes = 0
            // An idle consumer is woken once more to see the end; a busy one sees it in its next
            // `takeBatch`, or never if its socket failed — so the queue lets go of it now.
            defer { state.waiter = nil; state.wake = nil }
            return (state.waiter, state.takeWake())
        }
        waiter?.resume(returning: nil)
        wake?()
    }

    /// Accepts no more frames; `next()` returns what is queued, then nil.
    public func finish() {
        let (waiter, wake) = state.withLock { state -> (CheckedContinuation<OutboundFrame?, Never>?, (@Sendable () -> Void)?) in
            state.finishing = true
            guard state.frames.isEmpty else { return (nil, nil) }
            defer { state.waiter = nil }
            return (state.waiter, state.takeWake())
        }
        waiter?.resume(returning: nil)
        wake?()
    }

    public var isClosed: Bool { state.withLock { $0.closed } }
    public var queuedBytes: Int { state.withLock { $0.bytes } }
}

extension OutboundQueue.State {
    /// The consumer's wake-up, if it is idle (it is busy from now on).
    fileprivate mutating func takeWake() -> (@Sendable () -> Void)? {
        guard consumerIdle, let wake else { return nil }
        consumerIdle = false
        return wake
    }

    /// Nothing more will come: the consumer is not woken again.
    fileprivate mutating func ended() -> OutboundQueue.Batch {
        wake = nil
        return .ended
    }
}
