import NIOCore
import NIOEmbedded
import NIOWebSocket
import SwitchboardCore
@testable import SwitchboardServer
import Testing

/// The gateway writer frames its text frames itself, below NIO's WebSocket encoder.
@Suite struct SocketFramingTests {
    /// Every length encoding (7-bit, 16-bit, 64-bit) reads back through NIO's own decoder.
    @Test func framesReadBackThroughNIOsDecoder() throws {
        let bodies = [0, 1, 125, 126, 1_000, 65_535, 65_536, 200_000].map { Array(repeating: UInt8(ascii: "a"), count: $0) }
        var frames = bodies.map { OutboundFrame(body: $0) }
        frames += [OutboundFrame(event: 7, body: Array(#","t":"x","d":{}}"#.utf8)),
                   OutboundFrame(event: 123_456_789_012, body: Array(repeating: UInt8(ascii: "b"), count: 126 - 30))]
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        for frame in frames { buffer.writeWebSocketText(frame) }

        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try channel.writeInbound(buffer)
        for frame in frames {
            let read = try #require(try channel.readInbound(as: WebSocketFrame.self))
            #expect(read.fin && read.opcode == .text && read.maskKey == nil)
            #expect(Array(read.unmaskedData.readableBytesView) == frame.bytes)
            #expect(frame.count == frame.bytes.count)
        }
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        #expect(OutboundFrame(event: 17, body: [UInt8(ascii: "}")]).bytes == Array(#"{"op":"event","s":17}"#.utf8))
    }
}
