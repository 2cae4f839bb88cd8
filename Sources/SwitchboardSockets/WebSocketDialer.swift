import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import SwitchboardTLS
import WSClient
@_spi(WSInternal) import WSCore

/// Opens client WebSockets (`ws://` and `wss://`) and runs a handler on them.
///
/// swift-websocket's own client passes the URL's host as the TLS server name even when it is
/// an IP address, which TLS forbids and NIOSSL refuses, so `wss://10.0.0.5/` could not be
/// reached. This channel is that client's (same upgrader, same frame handler) with the server
/// name left out for IP literals: the certificate is then checked against the address, as
/// curl and AsyncHTTPClient do. Hostname verification stays on either way.
public enum WebSocketDialer {
    public struct Context: WebSocketContext {
        public let logger: Logger
    }

    public struct InvalidURL: Error, CustomStringConvertible {
        public let url: String
        public var description: String { "not a ws:// or wss:// URL: \(url)" }
    }

    /// The server answered the upgrade request with something else than 101: its status
    /// and the start of its body (an error JSON, typically), so that the refusal can be told.
    public struct UpgradeDeclined: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "the server refused the WebSocket: HTTP \(status) \(body)" }
    }

    /// Connects to `url`, runs `handler` until the socket closes, and returns the server's close frame.
    /// A server that takes the TCP connection but does not complete the upgrade within
    /// `openTimeout` (a blackholed path, a stuck proxy) gets the connection closed: `run` throws
    /// instead of waiting for ever. With `silence`, an open socket on which nothing arrives for
    /// its limit is closed at once (no close handshake: that would wait on the same silence)
    /// and `run` throws ``SilenceWatchdog/Silent``.
    @discardableResult
    public static func run(url: String, configuration: WebSocketClientConfiguration, tls: ClientTLS = .system,
                           wire: WireCounter? = nil, silence: SilenceWatchdog? = nil, openTimeout: TimeAmount = .seconds(10),
                           logger: Logger,
                           handler: @escaping WebSocketDataHandler<Context>) async throws -> WebSocketCloseFrame? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty else { throw InvalidURL(url: url) }
        let secure = scheme == "wss"
        let port = components.port ?? (secure ? 443 : 80)
        let context = secure ? try ClientTLSContexts.shared.context(for: tls) : nil
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let channel = DialChannel(host: host, port: port, path: path, scheme: scheme, sslContext: context,
                                  configuration: configuration, wire: wire, silence: silence, openTimeout: openTimeout,
                                  handler: handler)
        let connection = ClientConnection(channel, address: .hostname(host, port: port), logger: logger)
        return try await connection.run()
    }

    struct DialChannel: ClientConnectionChannel {
        enum UpgradeResult {
            case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, [any WebSocketExtension])
            case notUpgraded(EventLoopFuture<UpgradeDeclined>)
        }
        typealias Value = EventLoopFuture<UpgradeResult>

        let host: String
        let port: Int
        let path: String
        let scheme: String
        let sslContext: NIOSSLContext?
        let configuration: WebSocketClientConfiguration
        let wire: WireCounter?
        let silence: SilenceWatchdog?
        let openTimeout: TimeAmount
        let handler: WebSocketDataHandler<Context>

        func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
            channel.eventLoop.makeCompletedFuture { try upgrade(channel: channel, logger: logger) }
        }

        private func upgrade(channel: any Channel, logger: Logger) throws -> Value {
            let extensionBuilders = configuration.extensions
            // Cancelled once the server answers the upgrade, either way.
            let deadline = channel.eventLoop.scheduleTask(in: openTimeout) { channel.close(promise: nil) }
            let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                maxFrameSize: configuration.maxFrameSize,
                upgradePipelineHandler: { channel, head in
                    deadline.cancel()
                    return channel.eventLoop.makeCompletedFuture {
                        let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                        let extensions = try extensionBuilders.buildClientExtensions(from: HTTPFields(head.headers, splitCookie: false))
                        return UpgradeResult.websocket(asyncChannel, extensions)
                    }
                })
            var headers = HTTPHeaders()
            let defaultPort = scheme == "wss" ? 443 : 80
            let hostName = host.contains(":") ? "[\(host)]" : host
            headers.replaceOrAdd(name: "Host", value: port == defaultPort ? hostName : "\(hostName):\(port)")
            headers.replaceOrAdd(name: "Origin", value: "\(scheme)://\(hostName)")
            headers.add(contentsOf: HTTPHeaders(configuration.additionalHeaders))
            for builder in extensionBuilders {
                let offer = builder.clientRequestHeader()
                if !offer.isEmpty { headers.add(name: "Sec-WebSocket-Extensions", value: offer) }
            }
            let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration(
                upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers),
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    deadline.cancel()
                    return channel.eventLoop.makeCompletedFuture {
                        let capture = RefusalCapture(promise: channel.eventLoop.makePromise())
                        try channel.pipeline.syncOperations.addHandler(capture)
                        return UpgradeResult.notUpgraded(capture.promise.futureResult)
                    }
                })
            var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
            pipeline.leftOverBytesStrategy = .forwardBytes
            if let sslContext {
                // No server name for an IP literal (see the type's comment); NIOSSL then verifies the address.
                let serverName = configuration.sniHostname ?? (Self.isIPAddress(host) ? nil : host)
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName),
                                                               position: .first)
            }
            if let wire { try channel.pipeline.syncOperations.addHandler(WireCounter.Handler(counter: wire), position: .first) }
            if let silence { try channel.pipeline.syncOperations.addHandler(SilenceWatchdog.Handler(watchdog: silence), position: .first) }
            return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
        }

        func handle(value: Value, logger: Logger) async throws -> WebSocketCloseFrame? {
            switch try await value.get() {
            case .websocket(let webSocket, let extensions):
                let handlerConfiguration = WebSocketHandler.Configuration(
                    extensions: extensions, autoPing: configuration.autoPing, closeTimeout: configuration.closeTimeout,
                    validateUTF8: configuration.validateUTF8,
                    ignoreUncleanSSLShutdownErrors: configuration.ignoreUncleanSSLShutdownErrors,
                    maxFrameSize: configuration.maxFrameSize)
                let handler = self.handler
                @Sendable func serve() async throws -> WebSocketCloseFrame? {
                    try await WebSocketHandler.handle(type: .client, configuration: handlerConfiguration, asyncChannel: webSocket,
                                                      context: Context(logger: logger), handler: handler)
                }
                guard let silence else { return try await serve() }
                return try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
                    silence.resume()
                    group.addTask { try await serve() }
                    group.addTask {
                        try await silence.silence()
                        webSocket.channel.close(promise: nil)
                        throw SilenceWatchdog.Silent(limit: silence.limit)
                    }
                    defer { group.cancelAll() }
                    let closeFrame = try await group.next() ?? nil
                    // Closing the channel can end the socket before the watchdog's error is collected: say why all the same.
                    if silence.fired { throw SilenceWatchdog.Silent(limit: silence.limit) }
                    return closeFrame
                }
            case .notUpgraded(let refusal):
                throw try await refusal.get()
            }
        }

        static func isIPAddress(_ host: String) -> Bool {
            var v4 = in_addr(), v6 = in6_addr()
            return host.withCString { inet_pton(AF_INET, $0, &v4) == 1 || inet_pton(AF_INET6, $0, &v6) == 1 }
        }
    }
}

/// Reads the response that declined an upgrade (status, first KiB of the body), then closes.
private final class RefusalCapture: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<WebSocketDialer.UpgradeDeclined>
    private var status = 0
    private var body = ByteBuffer()
    private var done = false

    init(promise: EventLoopPromise<WebSocketDialer.UpgradeDeclined>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var chunk):
            if body.readableBytes < 1024, let slice = chunk.readSlice(length: min(chunk.readableBytes, 1024 - body.readableBytes)) {
                body.writeImmutableBuffer(slice)
            }
        case .end:
            finish(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context: context)
        context.fireChannelInactive()
    }

    private func finish(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        promise.succeed(WebSocketDialer.UpgradeDeclined(status: status, body: String(buffer: body)))
        context.close(promise: nil)
    }
}
