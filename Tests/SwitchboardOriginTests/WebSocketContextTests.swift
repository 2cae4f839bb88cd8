import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded
import SwitchboardServer
import Testing

/// hummingbird-websocket's router keeps the upgrade's handler and a copy of the request
/// context in a box the context itself holds. ``ChannelWebSocketContext`` breaks that cycle
/// when the connection closes; without it every WebSocket's channel stayed in memory.
@Suite struct WebSocketContextTests {
    @Test func aClosedConnectionsUpgradeContextIsReleased() async throws {
        weak var released: EmbeddedChannel?
        do {
            let channel = EmbeddedChannel()
            released = channel
            let router = Router(context: ChannelWebSocketContext.self)
            router.ws("/gateway") { _, _, _ in }
            let context = ChannelWebSocketContext(source: .init(channel: channel, logger: Logger(label: "test")))
            let request = Request(head: .init(method: .get, scheme: "http", authority: "localhost", path: "/gateway"),
                                  body: .init(buffer: ByteBuffer()))
            // What the upgrade does first: the route stores its handler (and the context) for it.
            let response = try await router.buildResponder().respond(to: request, context: context)
            #expect(response.status == .ok)
            #expect(try channel.finish().isClean)
        }
        #expect(released == nil)
    }
}
