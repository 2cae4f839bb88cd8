import DequeModule
import NIOCore
import Synchronization

/// One frame on its way to a socket: a small head of its own and a body that many
/// recipients share. An event is encoded once; a Swift array's storage is shared until
/// written, so a thousand queues hold one body, and only the head (`{"op":"event","s":17`)
/// differs per recipient.
public struct OutboundFrame: Sendable {
    public var head: [UInt8]
    public var body: [UInt8]

    public init(head: [UInt8] = [], body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var count: Int { head.count + body.count }
    public var bytes: [UInt8] { head + body }

    /// The frame as one buffer for the socket (the only copy made per recipient).
    public func buffer(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        buffer.writeBytes(head)
        buffer.writeBytes(body)
        return buffer
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

    private struct State {
        var frames = Deque<OutboundFrame>()
        var bytes = 0
        var waiter: CheckedContinuation<OutboundFrame?, Never>?
        var closed = false
        /// No more frames will be accepted; the queued ones are still delivered.
        var finishing = false
    }

    /// Most bytes that may wait in the queue.
    public let limitBytes: Int
    private let state = Mutex(State())

    public init(limitBytes: Int) {
        self.limitBytes = limitBytes
    }

    public func enqueue(_ bytes: [UInt8]) -> EnqueueResult { enqueue(OutboundFrame(body: bytes)) }

    /// Queues a frame; a queue over its byte budget overflows and closes, unless
    /// `exceedingLimit` (a resume's replay, which is bounded by the replay buffer instead).
    public func enqueue(_ frame: OutboundFrame, exceedingLimit: Bool = false) -> EnqueueResult {
        let (result, waiter) = state.withLock { state -> (EnqueueResult, CheckedContinuation<OutboundFrame?, Never>?) in
            guard !state.closed, !state.finishing else { return (.closed, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (.enqueued, waiter)
            }
            guard state.bytes + frame.count <= limitBytes || exceedingLimit else {
                state.closed = true
                state.frames.removeAll()
                state.bytes = 0
                return (.overflow, nil)
            }
            state.frames.append(frame)
            state.bytes += frame.count
            return (.enqueued, nil)
        }
        waiter?.resume(returning: frame)
        return result
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

    /// The next frame and every one queued behind it, up to `maxBytes` (at least one frame):
    /// a writer puts them on the socket with one flush. `nil` as for ``next()``.
    public func nextBatch(maxBytes: Int = 256 << 10) async -> [OutboundFrame]? {
        guard let first = await next() else { return nil }
        return state.withLock { state in
            var batch = [first], bytes = first.count
            while !state.closed, let frame = state.frames.first, bytes + frame.count <= maxBytes {
                state.frames.removeFirst()
                state.bytes -= frame.count
                bytes += frame.count
                batch.append(frame)
            }
            return batch
        }
    }

    /// Stops the queue; a waiting `next()` returns nil.
    public func close() {
        let waiter = state.withLock { state -> CheckedContinuation<OutboundFrame?, Never>? in
            state.closed = true
            state.frames.removeAll()
            state.bytes = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Accepts no more frames; `next()` returns what is queued, then nil.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<OutboundFrame?, Never>? in
            state.finishing = true
            guard state.frames.isEmpty else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    public var isClosed: Bool { state.withLock { $0.closed } }
    public var queuedBytes: Int { state.withLock { $0.bytes } }
}
