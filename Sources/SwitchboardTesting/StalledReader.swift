import Foundation
import NIOCore
import NIOPosix
import SwitchboardLocking

/// A gateway client that identifies and then stops reading — a phone that went into a tunnel
/// with its socket open. Written on raw TCP with a small receive buffer (`SO_RCVBUF`), so that
/// the kernel holds only a few KB for it and the server's own outbound queue is what fills.
/// `drainToClose()` reads again and reports the close code the server sent, if any.
public final class StalledReader: Sendable {
    private let channel: any Channel
    private let collector: Collector

    /// Connects to `port`, upgrades `/gateway`, waits for `hello`, sends `identify` with `token`
    /// and stops reading.
    public static func open(port: Int, token: String, focus: String?, receiveBuffer: Int = 4_096) async throws -> StalledReader {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            .channelInitializer { channel in channel.pipeline.addHandler(collector) }
            .connect(host: "127.0.0.1", port: port).get()
        let reader = StalledReader(channel: channel, collector: collector)
        let upgrade = "GET /gateway HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: c3dpdGNoYm9hcmQtc3RhbGw=\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: upgrade))
        try await collector.hello.futureResult.get()
        var identify: [String: Any] = ["token": token]
        if let focus { identify["focus_channel_id"] = focus }
        let frame = try JSONSerialization.data(withJSONObject: ["op": "identify", "d": identify])
        // Stop reading first: from here the socket is read no more (the kernel's small window fills).
        try await channel.setOption(.autoRead, value: false)
        try await channel.writeAndFlush(ByteBuffer(bytes: Self.maskedTextFrame(Array(frame))))
        return reader
    }

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Reads everything left until the server closes (at most `timeout`): the close code of
    /// the server's close frame, or nil if it closed without one (or did not close in time).
    public func drainToClose(timeout: Duration = .seconds(30)) async throws -> UInt16? {
        try await channel.setOption(.autoRead, value: true)
        channel.read()
        let closed = channel.closeFuture
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
            self.channel.close(promise: nil)
        }
        try? await closed.get()
        deadline.cancel()
        return collector.closeCode
    }

    public func close() async {
        try? await channel.close()
    }

    /// A client frame: text, FIN, masked (with a zero key, which the protocol allows).
    static func maskedTextFrame(_ payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        return frame + [0, 0, 0, 0] + payload
    }

    /// Gathers what the server sends: the upgrade's answer, then frames, walked as they come.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let hello: EventLoopPromise<Void>
        private let state = Locked(State())

        private struct State {
            var bytes: [UInt8] = []
            var headersEnd: Int?
            var offset = 0
            var sawHello = false
            var closeCode: UInt16?
        }

        init() { hello = MultiThreadedEventLoopGroup.singleton.any().makePromise() }

        var closeCode: UInt16? { state.withLock { $0.closeCode } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let greeted = state.withLock { state -> Bool in
                state.bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
                if state.headersEnd == nil, let end = Self.find([13, 10, 13, 10], in: state.bytes) {
                    state.headersEnd = end + 4
                    state.offset = end + 4
                }
                guard state.headersEnd != nil else { return false }
                let before = state.sawHello
                Self.walkFrames(&state)
                return state.sawHello && !before
            }
            if greeted { hello.succeed() }
        }

        func channelInactive(context: ChannelHandlerContext) {
            hello.fail(ChannelError.ioOnClosedChannel)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        /// Server frames are unmasked: opcode, a 7/16/64-bit length, the payload.
        private static func walkFrames(_ state: inout State) {
            while state.bytes.count - state.offset >= 2 {
                let start = state.offset
                let opcode = state.bytes[start] & 0x0F
                var length = Int(state.bytes[start + 1] & 0x7F), header = 2
                if length == 126 {
                    guard state.bytes.count - start >= 4 else { return }
                    length = Int(state.bytes[start + 2]) << 8 | Int(state.bytes[start + 3]); header = 4
                } else if length == 127 {
                    guard state.bytes.count - start >= 10 else { return }
                    length = (2..<10).reduce(0) { $0 << 8 | Int(state.bytes[start + $1]) }; header = 10
                }
                guard state.bytes.count - start >= header + length else { return }
                let payload = state.bytes[(start + header)..<(start + header + length)]
                if opcode == 0x1, !state.sawHello, find(Array(#""op":"hello""#.utf8), in: Array(payload)) != nil { state.sawHello = true }
                if opcode == 0x8, payload.count >= 2 { state.closeCode = UInt16(payload[payload.startIndex]) << 8 | UInt16(payload[payload.startIndex + 1]) }
                state.offset = start + header + length
            }
            // What was walked is not kept: a thousand readers hold only their partial frames.
            state.bytes.removeFirst(state.offset)
            state.offset = 0
        }

        private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            return nil
        }
    }
}
