import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSCompression
import NIOCore
import SwitchboardLocking

/// Request context of both daemons' WebSocket upgrades: Hummingbird's, plus the connection
/// (where the edge feed finds a client certificate, and where the gateway writes its frames).
public struct ChannelWebSocketContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any NIOCore.Channel
    private let upgrade: UpgradeSlot

    /// hummingbird-websocket's router (2.8) stores the upgrade's handler together with a copy
    /// of this context in the box this reference holds — a cycle that nothing breaks, so every
    /// WebSocket's context, logger, channel and the channel's buffers stayed in memory after it
    /// closed (~3 KB a connection; the edge's RSS rose with every reconnect). The slot lets go
    /// of the reference when the connection closes, which breaks the cycle on every path
    /// (upgraded, refused, or failed in between).
    public var webSocket: WebSocketHandlerReference<Self> { upgrade.reference }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        let upgrade = UpgradeSlot()
        self.upgrade = upgrade
        source.channel.closeFuture.whenComplete { _ in upgrade.release() }
    }
}

/// The upgrade's handler reference until the connection closes.
private final class UpgradeSlot: Sendable {
    private let held = Locked<WebSocketHandlerReference<ChannelWebSocketContext>?>(WebSocketHandlerReference())

    /// After the close nothing reads it; a fresh, empty one keeps the getter total.
    var reference: WebSocketHandlerReference<ChannelWebSocketContext> {
        held.withLock { $0 } ?? WebSocketHandlerReference()
    }

    func release() {
        held.withLock { $0 = nil }
    }
}

extension HTTP1WebSocketUpgradeChannel.Configuration {
    /// Both daemons' WebSocket settings. The frame limit is above the protocol's, so that an
    /// oversized frame is answered with an error instead of a closed connection; idle HTTP
    /// connections are closed after a while, so a drain never waits on them for long; a client
    /// that offers permessage-deflate gets it (as Discord compresses its gateway), with a small
    /// window and no context kept between messages, so an idle connection holds little.
    public static func switchboard(limits: GatewayLimits) -> Self {
        .init(http1: .init(idleTimeout: .seconds(75)),
              ws: .init(maxFrameSize: 4 * limits.maxClientFrameBytes,
                        extensions: [.perMessageDeflate(clientMaxWindow: 10, clientNoContextTakeover: true,
                                                        serverMaxWindow: 10, serverNoContextTakeover: true,
                                                        memoryLevel: 2, minFrameSizeToCompress: 256)],
                        autoPing: .disabled))
    }
}

extension GatewayConnectionLoop {
    /// Serves a gateway WebSocket that `context`'s request opened.
    public func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                    context: WebSocketRouterContext<ChannelWebSocketContext>) async {
        let offers = context.request.headers[values: .secWebSocketExtensions].contains { $0.contains("permessage-deflate") }
        await run(inbound: inbound, outbound: outbound, channel: context.requestContext.channel, compressed: offers)
    }
}
