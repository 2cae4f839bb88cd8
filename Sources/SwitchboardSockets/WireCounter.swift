import NIOCore
import Synchronization

/// Counts the bytes a client connection reads off the network — before TLS and WebSocket
/// decoding, so a compressed or encrypted frame counts as what crossed the wire.
public final class WireCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var bytesRead: Int { count.load(ordering: .relaxed) }

    func add(_ bytes: Int) { count.add(bytes, ordering: .relaxed) }

    /// The first handler of a pipeline: counts and passes everything on.
    final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let counter: WireCounter

        init(counter: WireCounter) { self.counter = counter }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            counter.add(unwrapInboundIn(data).readableBytes)
            context.fireChannelRead(data)
        }
    }
}
