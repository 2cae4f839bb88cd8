import NIOCore

/// What the first bytes of a connection say it speaks.
enum SniffedProtocol: Sendable, Equatable {
    /// A TLS record (0x16, handshake): a ClientHello.
    case tls
    /// The HTTP/2 connection preface in clear (h2c with prior knowledge).
    case http2Preface
    /// Anything else: plain HTTP/1.x, or garbage.
    case plaintext

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Decides from the bytes so far; nil while they are too few to tell.
    static func classify(_ bytes: ByteBuffer, acceptingPreface: Bool) -> SniffedProtocol? {
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return nil }
        if first == 0x16 { return .tls }
        guard acceptingPreface else { return .plaintext }
        let seen = bytes.readableBytesView
        let compared = min(seen.count, preface.count)
        guard seen.prefix(compared).elementsEqual(preface.prefix(compared)) else { return .plaintext }
        return compared == preface.count ? .http2Preface : nil
    }
}

/// The first handler of a connection: holds the bytes that arrive until they say what the
/// client speaks, lets `configure` build the pipeline for it, then hands the held bytes on and
/// removes itself. (The model is NIO's `NIOTypedApplicationProtocolNegotiationHandler`, with
/// the first bytes in place of ALPN.)
final class ProtocolSniffer<Result: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let classify: (ByteBuffer) -> SniffedProtocol?
    private let configure: (SniffedProtocol, any Channel) -> EventLoopFuture<Result>
    private var promise: EventLoopPromise<Result>?
    private var held: ByteBuffer?
    private var deciding = false
    private var finished = false

    init(classify: @escaping (ByteBuffer) -> SniffedProtocol?,
         configure: @escaping (SniffedProtocol, any Channel) -> EventLoopFuture<Result>) {
        self.classify = classify
        self.configure = configure
    }

    /// Completes once the pipeline is configured; fails if the connection ends first.
    var result: EventLoopFuture<Result> { promise!.futureResult }

    func handlerAdded(context: ChannelHandlerContext) {
        promise = context.eventLoop.makePromise()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            promise?.fail(ChannelError.inappropriateOperationForState)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if held == nil { held = bytes } else { held!.writeBuffer(&bytes) }
        guard !deciding, let held, let kind = classify(held) else { return }
        deciding = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        configure(kind, context.channel).hop(to: context.eventLoop).whenComplete { outcome in
            let (sniffer, context) = bound.value
            sniffer.configured(context: context, outcome: outcome)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Held until the pipeline behind is ready; forwarded with the bytes.
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            promise?.fail(ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    private func configured(context: ChannelHandlerContext, outcome: Swift.Result<Result, any Error>) {
        guard !finished else { return }
        finished = true
        switch outcome {
        case .success(let value):
            promise?.succeed(value)
            if let held {
                self.held = nil
                context.fireChannelRead(wrapInboundOut(held))
            }
            context.fireChannelReadComplete()
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        case .failure(let error):
            promise?.fail(error)
            context.close(promise: nil)
        }
    }
}
