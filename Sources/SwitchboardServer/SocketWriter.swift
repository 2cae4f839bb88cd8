import NIOCore
import NIOWebSocket
import SwitchboardLocking

/// Writes a client's ``OutboundQueue`` to its channel from the channel's event loop: no task
/// between the producer and the socket. A frame queued while the writer is idle schedules it
/// on the loop; it takes everything queued, writes it with one flush — one write system call —
/// and, once that reached the socket, takes what queued meanwhile. So a fan-out costs one
/// event-loop hop and one system call per recipient and wake-up, and a client that does not
/// read leaves its frames in the bounded queue, which overflows instead of growing.
///
/// Frames go out uncompressed; a connection that negotiated permessage-deflate writes through
/// the WebSocket writer instead.
final class SocketWriter: Sendable {
    private let queue: OutboundQueue
    private let channel: any Channel
    private let done = Locked<CheckedContinuation<Void, any Error>?>(nil)

    init(queue: OutboundQueue, channel: any Channel) {
        self.queue = queue
        self.channel = channel
    }

    /// Returns when the queue is closed, or finished and drained; throws if the socket failed.
    func run() async throws {
        try await withCheckedThrowingContinuation { continuation in
            done.withLock { $0 = continuation }
            queue.setConsumer { [self] in channel.eventLoop.execute { self.drain() } }
        }
    }

    /// On the event loop.
    private func drain() {
        switch queue.takeBatch() {
        case .empty:
            return
        case .ended:
            finish(nil)
        case .frames(let frames):
            let written = channel.eventLoop.makePromise(of: Void.self)
            let last = frames.count - 1
            for (index, frame) in frames.enumerated() {
                let data = frame.buffer(allocator: channel.allocator)
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: data), promise: index == last ? written : nil)
            }
            channel.flush()
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

    private func finish(_ error: (any Error)?) {
        guard let continuation = done.withLock({ state in defer { state = nil }; return state }) else { return }
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}
