import Foundation
import NIOCore
import NIOPosix
import SwitchboardLocking

/// A TCP proxy on a loopback port for fault tests: put it between two tiers (an edge and its
/// origin, clients and an edge) and break the path on purpose — cut every connection (a FIN,
/// or a reset), cut each one in the middle of the next chunk of bytes, drop every byte both
/// ways without closing anything (a blackhole: no FIN, no RST), or shape the path like a long
/// or thin link: latency, jitter, and a bandwidth limit.
/// Bytes are passed on as they come, in order, each connection's two directions independent.
public final class FaultProxy: Sendable {
    public enum Cut: Sendable {
        /// Both sides see an orderly close.
        case close
        /// Both sides see a reset (SO_LINGER 0).
        case reset
        /// The next chunk in either direction is passed on only in part, then both sides close:
        /// a frame cut in the middle.
        case midFrame
    }

    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    private let server: any Channel
    private let state = Locked(State())

    private struct State {
        var pairs: [ObjectIdentifier: Pair] = [:]
        var blackholed = false
        var shape = Shape()
        /// Connections to cut in the middle of their next chunk.
        var cutPending: Set<ObjectIdentifier> = []
        var accepted = 0
    }

    /// Two channels glued together.
    private struct Pair {
        let client: any Channel
        let server: any Channel
    }

    /// Listens on a free loopback port and forwards to `targetPort` on 127.0.0.1.
    public init(targetPort: Int) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let box = ProxyBox()
        server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                // Connect to the target, then glue the two; the client's bytes wait unread until then.
                ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.autoRead, value: false)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMap { outbound in
                        guard let proxy = box.proxy else { return inbound.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
                        return proxy.glue(inbound, outbound)
                    }
                    .flatMapError { error in inbound.close().flatMapThrowing { throw error } }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = server.localAddress?.port ?? 0
        box.proxy = self
    }

    /// Connections accepted so far.
    public var accepted: Int { state.withLock { $0.accepted } }

    /// Connections open now.
    public var openConnections: Int { state.withLock { $0.pairs.count } }

    /// Breaks every open connection the way `cut` says. New connections are accepted as before.
    public func cutAll(_ cut: Cut = .close) {
        if case .midFrame = cut {
            state.withLock { $0.cutPending = Set($0.pairs.keys) }
            return
        }
        let pairs = state.withLock { Array($0.pairs.values) }
        for pair in pairs {
            for channel in [pair.client, pair.server] {
                if case .reset = cut, let socket = channel as? any SocketOptionProvider {
                    // Linger 0: the close sends a reset instead of a FIN.
                    socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    channel.close(promise: nil)
                }
            }
        }
    }

    /// While on, every byte in either direction is dropped and nothing is closed: each side
    /// sees a peer that has gone silent. New connections are accepted and go silent too.
    public func blackhole(_ on: Bool) {
        state.withLock { $0.blackholed = on }
    }

    /// How the path delays what it carries.
    public struct Shape: Sendable {
        /// Every chunk waits this long before it is passed on…
        public var latency: Duration = .zero
        /// …plus a random part of this (order is kept, as on one TCP connection).
        public var jitter: Duration = .zero
        /// Bytes per second each direction of a connection carries (0: no limit); a chunk takes
        /// its size over this rate, after the chunk before it.
        public var bytesPerSecond = 0

        public init(latency: Duration = .zero, jitter: Duration = .zero, bytesPerSecond: Int = 0) {
            self.latency = latency
            self.jitter = jitter
            self.bytesPerSecond = bytesPerSecond
        }
    }

    /// Shapes every connection from now on (open ones included).
    public func shape(_ shape: Shape) {
        state.withLock { $0.shape = shape }
    }

    /// Every chunk waits this long before it is passed on (order kept).
    public func delay(_ amount: Duration) {
        shape(Shape(latency: amount))
    }

    /// Stops listening and closes every connection.
    public func close() async {
        cutAll(.close)
        do { try await server.close() } catch {
            // Already closed.
        }
    }

    // MARK: Plumbing

    private func glue(_ client: any Channel, _ server: any Channel) -> EventLoopFuture<Void> {
        let key = ObjectIdentifier(client)
        state.withLock {
            $0.pairs[key] = Pair(client: client, server: server)
            $0.accepted += 1
        }
        let forget: @Sendable (Result<Void, any Error>) -> Void = { [weak self] _ in
            _ = self?.state.withLock { $0.pairs.removeValue(forKey: key) }
            client.close(promise: nil)
            server.close(promise: nil)
        }
        client.closeFuture.whenComplete(forget)
        server.closeFuture.whenComplete(forget)
        // Both on the accepting channel's event loop (the outbound one was made on it).
        return server.pipeline.addHandler(Forwarder(peer: client, key: key, proxy: self))
            .flatMap { client.pipeline.addHandler(Forwarder(peer: server, key: key, proxy: self)) }
            .flatMap { server.setOption(.autoRead, value: true) }
            .flatMap { client.setOption(.autoRead, value: true) }
    }

    /// What to do with a chunk read: drop it, pass part of it and cut, or pass it after `delay`.
    fileprivate enum Verdict {
        case drop
        case cutAfter(Int)
        /// After waiting `delay`, and taking `transmit` on the wire behind the chunk before it.
        case pass(delay: TimeAmount, transmit: TimeAmount)
    }

    fileprivate func verdict(for bytes: Int, key: ObjectIdentifier) -> Verdict {
        state.withLock { state in
            if state.blackholed { return .drop }
            if state.cutPending.remove(key) != nil { return .cutAfter(max(1, bytes / 2)) }
            let shape = state.shape
            let jitter = shape.jitter == .zero ? Duration.zero : shape.jitter * Double.random(in: 0...1)
            let transmit = shape.bytesPerSecond > 0 ? Int64(bytes) * 1_000_000_000 / Int64(shape.bytesPerSecond) : 0
            return .pass(delay: .nanoseconds(Self.nanoseconds(shape.latency + jitter)), transmit: .nanoseconds(transmit))
        }
    }
}

extension FaultProxy {
    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

/// Set once the proxy exists (the bootstrap's initializer is made before `self` is).
private final class ProxyBox: @unchecked Sendable {
    // Written once before the first connection is accepted, read after.
    var proxy: FaultProxy?
}

/// Reads one side and writes to the other, with the proxy's faults applied.
private final class Forwarder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    // Used on the channel's own event loop only.
    private let peer: any Channel
    private let key: ObjectIdentifier
    private let proxy: FaultProxy
    /// When the last delayed chunk goes out, so that a later one with the same delay keeps its place.
    private var lastDeadline = NIODeadline.uptimeNanoseconds(0)

    init(peer: any Channel, key: ObjectIdentifier, proxy: FaultProxy) {
        self.peer = peer
        self.key = key
        self.proxy = proxy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let peer = self.peer
        switch proxy.verdict(for: buffer.readableBytes, key: key) {
        case .drop:
            return
        case .cutAfter(let count):
            let part = buffer.readSlice(length: min(count, buffer.readableBytes)) ?? buffer
            let channel = context.channel
            peer.writeAndFlush(part).whenComplete { _ in
                peer.close(promise: nil)
                channel.close(promise: nil)
            }
        case .pass(let delay, let transmit):
            if delay == .zero && transmit == .zero && lastDeadline < .now() {
                peer.writeAndFlush(buffer, promise: nil)
            } else {
                let deadline = max(NIODeadline.now() + delay, lastDeadline) + transmit
                lastDeadline = deadline
                context.eventLoop.scheduleTask(deadline: deadline) { peer.writeAndFlush(buffer, promise: nil) }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
