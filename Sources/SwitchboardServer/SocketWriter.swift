import NIOCore
import NIOWebSocket
import SwitchboardLocking

/// Writes a client's ``OutboundQueue`` to its channel from the channel's event loop: no task
/// between the producer and the socket. A frame queued while the writer is idle schedules it
/// on the loop (with every other writer woken there meanwhile: ``LoopWakeups``); it takes
/// everything queued, frames it into one buffer and writes that with one flush — one write
/// system call — and, once that reached the socket, takes what queued meanwhile. So a fan-out
/// costs one buffer and one system call per recipient and wake-up, one event-loop hop per loop,
/// and a client that does not read leaves its frames in the bounded queue, which overflows
/// instead of growing.
///
/// The frames are framed here (``ByteBuffer/writeWebSocketText(_:)``) and written below NIO's
/// `WebSocketFrameEncoder`, which would otherwise take a `WebSocketFrame`, a buffer of its own
/// and a separate header buffer for each. Control frames (pong, close) still pass through the
/// encoder; both go down the same pipeline in order. Frames go out uncompressed; a connection
/// that negotiated permessage-deflate writes through the WebSocket writer instead.
final class SocketWriter: Sendable {
    private let queue: OutboundQueue
    private let channel: any Channel
    private let done = Locked<CheckedContinuation<Void, any Error>?>(nil)
    /// The WebSocket encoder's place in the pipeline, looked up on the first batch.
    private let encoder: NIOLoopBoundBox<ChannelHandlerContext?>

    init(queue: OutboundQueue, channel: any Channel) {
        self.queue = queue
        self.channel = channel
        encoder = .makeEmptyBox(valueType: ChannelHandlerContext.self, eventLoop: channel.eventLoop)
    }

    /// Returns when the queue is closed, or finished and drained; throws if the socket failed.
    func run() async throws {
        try await withCheckedThrowingContinuation { continuation in
            done.withLock { $0 = continuation }
            let wakeups = LoopWakeups.of(channel.eventLoop)
            queue.setConsumer { [self] in wakeups.wake(self) }
        }
    }

    /// On the event loop.
    func drain() {
        switch queue.takeBatch() {
        case .empty:
            return
        case .ended:
            finish(nil)
        case .frames(let frames):
            let written = channel.eventLoop.makePromise(of: Void.self)
            do {
                var buffer = channel.allocator.buffer(capacity: frames.reduce(0) { $0 + $1.count + ByteBuffer.webSocketHeaderMaxBytes })
                for frame in frames { buffer.writeWebSocketText(frame) }
                try encoderContext().writeAndFlush(NIOAny(buffer), promise: written)
            } catch {
                written.fail(error)
            }
            written.futureResult.whenComplete { [self] result in
                switch result {
                case .success:
                    drain()
                case .failure(let error):
                    queue.close()
                    finish(error)
                }
            }
        }
    }

    /// On the event loop. Writing from the encoder's context passes it by: what is written
    /// there goes to the handlers below it (TLS, the socket).
    private func encoderContext() throws -> ChannelHandlerContext {
        if let context = encoder.value { return context }
        let context = try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        encoder.value = context
        return context
    }

    private func finish(_ error: (any Error)?) {
        guard let continuation = done.withLock({ state in defer { state = nil }; return state }) else { return }
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}

extension ByteBuffer {
    /// A frame header's most bytes: first byte, length byte, 64-bit extended length.
    static let webSocketHeaderMaxBytes = 10

    /// `frame` as one final, unmasked text frame (RFC 6455 §5.2: a server does not mask).
    mutating func writeWebSocketText(_ frame: OutboundFrame) {
        let length = frame.count
        writeInteger(UInt8(0x81))  // FIN, opcode 1 (text)
        switch length {
        case ..<126:
            writeInteger(UInt8(length))
        case ...Int(UInt16.max):
            writeInteger(UInt8(126))
            writeInteger(UInt16(length))  // network byte order
        default:
            writeInteger(UInt8(127))
            writeInteger(UInt64(length))
        }
        frame.write(to: &self)
    }
}
