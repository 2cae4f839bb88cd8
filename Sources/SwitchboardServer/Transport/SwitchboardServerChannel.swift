import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP2
import NIOSSL
import NIOTLS

/// The child channel of both daemons: one port for REST, file downloads and WebSocket
/// upgrades. With TLS, ALPN picks HTTP/2 (REST and downloads) or HTTP/1.1 (everything, and
/// the only way to upgrade to a WebSocket); without, HTTP/1.1 — plus h2c if enabled.
///
/// Hummingbird's `HTTP2UpgradeChannel` pairs `h2` with a plain `HTTP1Channel` and so cannot
/// upgrade to WebSockets; this is that channel with the WebSocket upgrade channel on the
/// `http/1.1` side, a TLS context taken per connection (so a renewed certificate serves new
/// connections at once), a handshake deadline, and a clear answer to plain HTTP on a TLS port.
public struct SwitchboardServerChannel: ServerChildChannel, HTTPChannelHandler {
    public enum Negotiated: Sendable {
        case http1(HTTP1WebSocketUpgradeChannel.Value)
        case http2(HTTP2Channel.Value)
    }

    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        public let channel: any Channel
    }

    let http1: HTTP1WebSocketUpgradeChannel
    let http2: HTTP2Channel
    let transport: ServerTransport

    public var responder: Responder { http1.responder }

    init(http1: HTTP1WebSocketUpgradeChannel, http2: HTTP2Channel, transport: ServerTransport) {
        self.http1 = http1
        self.http2 = http2
        self.transport = transport
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let http1 = self.http1
        guard transport.certificates != nil || transport.plaintextHTTP2 else {
            return http1.setup(channel: channel, logger: logger).map {
                Value(negotiated: channel.eventLoop.makeSucceededFuture(.http1($0)), channel: channel)
            }
        }
        let transport = self.transport
        let sniffer = ProtocolSniffer<EventLoopFuture<Negotiated>>(
            classify: { SniffedProtocol.classify($0, acceptingPreface: transport.certificates == nil && transport.plaintextHTTP2) },
            configure: { kind, channel in self.configure(kind, channel: channel, logger: logger) })
        do {
            try channel.pipeline.syncOperations.addHandler(sniffer)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let negotiated = sniffer.result.flatMap { $0 }
        if let certificates = transport.certificates {
            // A client that opens a connection and never finishes the handshake does not keep it.
            let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(certificates.configuration.handshakeTimeoutMs))) {
                logger.debug("TLS handshake timed out")
                channel.close(promise: nil)
            }
            negotiated.whenComplete { _ in deadline.cancel() }
        }
        return channel.eventLoop.makeSucceededFuture(Value(negotiated: negotiated, channel: channel))
    }

    private func configure(_ kind: SniffedProtocol, channel: any Channel, logger: Logger) -> EventLoopFuture<EventLoopFuture<Negotiated>> {
        let http1 = self.http1, http2 = self.http2
        switch kind {
        case .tls:
            guard let certificates = transport.certificates else { return Self.refuse(channel, "this port does not speak TLS") }
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: certificates.context))
                let alpn = NIOTypedApplicationProtocolNegotiationHandler<Negotiated> { result, channel in
                    switch result {
                    case .negotiated("h2"):
                        return http2.setup(channel: channel, logger: logger).map { .http2($0) }
                    case .negotiated("http/1.1"), .fallback:
                        return http1.setup(channel: channel, logger: logger).map { .http1($0) }
                    case .negotiated:
                        return channel.close().flatMap { channel.eventLoop.makeFailedFuture(NIOHTTP2Errors.invalidALPNToken()) }
                    }
                }
                try channel.pipeline.syncOperations.addHandler(alpn)
                return alpn.protocolNegotiationResult
            }
        case .http2Preface:
            return http2.setup(channel: channel, logger: logger).map { channel.eventLoop.makeSucceededFuture(.http2($0)) }
        case .plaintext:
            if transport.certificates != nil {
                return Self.refuse(channel, "this port speaks TLS: use https:// or wss://")
            }
            return http1.setup(channel: channel, logger: logger).map { channel.eventLoop.makeSucceededFuture(.http1($0)) }
        }
    }

    /// Answers in the protocol's error JSON (in clear, as the client spoke) and closes.
    private static func refuse(_ channel: any Channel, _ message: String) -> EventLoopFuture<EventLoopFuture<Negotiated>> {
        let body = #"{"error":{"code":"bad_request","message":"\#(message)"}}"#
        let head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = channel.allocator.buffer(string: head + body)
        return channel.writeAndFlush(bytes)
            .flatMap { channel.close() }
            .flatMap { channel.eventLoop.makeFailedFuture(PlaintextRefused()) }
    }

    struct PlaintextRefused: Error {}

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            // A refused plaintext request, a failed or abandoned handshake: the connection is gone.
            logger.debug("connection ended before a protocol was agreed", metadata: ["error": "\(error)"])
        }
    }
}

extension HTTPServerBuilder {
    /// The server both daemons run: ``SwitchboardServerChannel`` over `transport`, WebSocket
    /// upgrades answered by `webSocketRouter`.
    public static func switchboard<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        transport: ServerTransport,
        webSocketRouter: WSResponderBuilder,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            SwitchboardServerChannel(
                http1: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                    configuration: configuration),
                http2: HTTP2Channel(responder: responder,
                                    configuration: .init(idleTimeout: configuration.http1.idleTimeout.map { .nanoseconds($0.nanoseconds) },
                                                         streamConfiguration: .init())),
                transport: transport)
        }
    }
}
