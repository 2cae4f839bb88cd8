import NIOCore
import NIOWebSocket

/// Puts a client's queued frames on its channel, a batch at a time: one event-loop task and
/// one flush — so one write system call — for everything that queued up while the previous
/// batch was being written, where the WebSocket writer costs an actor hop, a task switch and
/// a flush per frame. Returns once the batch has reached the socket, so a client that does
/// not read leaves its frames in the bounded ``OutboundQueue``, which overflows instead of
/// growing.
///
/// Frames go out uncompressed; a connection that negotiated permessage-deflate writes through
/// the WebSocket writer instead (an uncompressed message is valid there too, but is not what
/// the client asked for).
struct FrameBatchWriter: Sendable {
    let channel: any Channel

    func write(_ frames: [OutboundFrame]) async throws {
        guard !frames.isEmpty else { return }
        let channel = self.channel
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            let last = frames.count - 1
            for (index, frame) in frames.enumerated() {
                let data = frame.buffer(allocator: channel.allocator)
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: data), promise: index == last ? written : nil)
            }
            channel.flush()
        }
        try await written.futureResult.get()
    }
}
