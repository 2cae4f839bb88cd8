import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardCore

/// What differs between the origin's and the edge's gateway: how a session is identified or
/// resumed, and what its commands do. Everything else — the handshake, frame limits, the flood
/// guard, heartbeats, the bounded writer, draining — is ``GatewayConnectionLoop``.
public protocol GatewayHandler: Sendable {
    associatedtype Session: SessionOutboxOwner

    /// Verifies the token, sends `ready` through `link` and binds the new session to it.
    func identify(_ identify: GatewayCommand.Identify, link: GatewayLink) async throws -> Session
    /// Rebinds an existing session to `link`, replaying what it missed, then `resumed`.
    func resume(_ resume: GatewayCommand.Resume, link: GatewayLink) async throws -> Session
    /// Any other command of an identified session.
    func perform(_ command: GatewayCommand, session: Session, link: GatewayLink) async throws
    /// The socket is gone; the session (if any) stays resumable for the resume window.
    func disconnected(_ session: Session, link: GatewayLink)
}

/// Serves one client WebSocket of a gateway. Reader and writer run as one task group; leaving
/// it closes the socket. The heartbeat monitor is a timer on the connection's event loop.
public struct GatewayConnectionLoop<Handler: GatewayHandler>: Sendable {
    public let handler: Handler
    public let limits: GatewayLimits
    public let logger: Logger

    public init(handler: Handler, limits: GatewayLimits, logger: Logger) {
        self.handler = handler
        self.limits = limits
        self.logger = logger
    }

    /// Shared by the reader and the writer.
    private final class Bound: Sendable {
        let session = Locked<Handler.Session?>(nil)
    }

    /// Serves the socket. `channel` is its connection: frames are written to it in batches,
    /// unless `compressed` (permessage-deflate was negotiated: each frame goes through the
    /// WebSocket writer, which compresses it).
    public func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any NIOCore.Channel,
                    compressed: Bool) async {
        let queue = OutboundQueue(limitBytes: limits.outboundQueueBytes)
        let link = GatewayLink(queue: queue, helloSessionID: UUID().uuidString.lowercased(), nowMs: WallClock.nowMs())
        let bound = Bound()
        link.reply(GatewayFrame.hello(heartbeatIntervalMs: Int(limits.heartbeatIntervalMs), sessionID: link.helloSessionID))
        let heartbeats = watchHeartbeats(link: link, on: channel.eventLoop)
        defer { heartbeats.cancel() }

        // A server shutting down waits for its connections: tell the client to go elsewhere
        // (it can resume there, or identify) and close once that is written. (A server run in
        // a ``DrainingService`` has done this, spread over time, before.)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await readLoop(inbound: inbound, link: link, bound: bound)
                    // The reader is done (client gone, or we decided to close): the writer
                    // sends the close frame and ends.
                    link.close(.heartbeatTimeout)
                }
                await writeLoop(link: link, outbound: outbound, direct: compressed ? nil : SocketWriter(queue: queue, channel: channel))
                group.cancelAll()
            }
        } onGracefulShutdown: {
            _ = queue.enqueue(GatewayFrame.reconnect(reason: "draining"))
            link.drain()
        }
        if let session = bound.session.withLock({ $0 }) { handler.disconnected(session, link: link) }
    }

    // MARK: Writer and monitor

    private func writeLoop(link: GatewayLink, outbound: WebSocketOutboundWriter, direct: SocketWriter?) async {
        do {
            // Writing waits until the socket took the frames: that is the backpressure that
            // fills the bounded queue when a client reads too slowly.
            if let direct {
                try await direct.run()
            } else {
                while let frame = await link.queue.next() {
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame.buffer())))
                }
            }
            let code = link.state.withLock { $0.closeCode } ?? .heartbeatTimeout
            try await outbound.close(.unknown(code.rawValue), reason: code.reason)
        } catch {
            link.queue.close()
        }
    }

    /// Closes the connection when its client misses heartbeats, or does not identify in time:
    /// a timer on the connection's event loop, not a task of its own (a task per idle
    /// connection costs its stack memory and a wake-up per check).
    private func watchHeartbeats(link: GatewayLink, on eventLoop: any EventLoop) -> RepeatedTask {
        let interval = limits.heartbeatIntervalMs
        let identifyDeadline = WallClock.nowMs() + limits.identifyTimeoutMs
        let period = TimeAmount.milliseconds(Int64(max(20, interval / 4)))
        return eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { task in
            let nowMs = WallClock.nowMs()
            let (identified, last) = link.state.withLock { ($0.identified, $0.lastHeartbeatMs) }
            // Before identify only the identify deadline applies; the heartbeat clock starts
            // when the session is ready (a large bootstrap must not count against the client).
            let missed: GatewayCloseCode? = if !identified {
                nowMs >= identifyDeadline ? .identifyTimeout : nil
            } else {
                nowMs > last + 2 * interval ? .heartbeatTimeout : nil
            }
            guard let missed else { return }
            link.close(missed)
            task.cancel()
        }
    }

    // MARK: Reader

    private func readLoop(inbound: WebSocketInboundStream, link: GatewayLink, bound: Bound) async {
        var flood = FloodGuard(limit: limits.commandsPerWindow, windowMs: limits.commandWindowMs)
        do {
            // The socket's own limit is larger than the protocol's, so that a too-large
            // frame gets an error and the connection lives on.
            for try await message in inbound.messages(maxSize: limits.maxClientFrameBytes * 4) {
                guard !link.queue.isClosed else { break }
                let bytes: [UInt8]
                switch message {
                case .text(let text): bytes = Array(text.utf8)
                case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                }
                switch flood.admit(nowMs: WallClock.nowMs()) {
                case .admit: break
                case .refuse(let retryAfterMs):
                    // A refused `send` is answered with its nonce, so its client knows which to retry.
                    let nonce: String? = if bytes.count <= limits.maxClientFrameBytes,
                                            case .send(let send)? = try? GatewayCommand.decode(bytes) { send.nonce } else { nil }
                    link.reply(GatewayFrame.error(SwitchboardError(
                        .rateLimited, "too many frames; slow down", retryAfterMs: Int(retryAfterMs)), nonce: nonce))
                    continue
                case .disconnect:
                    link.close(.flooding)
                    return
                }
                guard bytes.count <= limits.maxClientFrameBytes else {
                    link.reply(GatewayFrame.error(SwitchboardError(.payloadTooLarge,
                        "frames are limited to \(limits.maxClientFrameBytes) bytes")))
                    continue
                }
                do {
                    try await handle(try GatewayCommand.decode(bytes), link: link, bound: bound)
                } catch let error as SwitchboardError {
                    link.reply(GatewayFrame.error(error))
                } catch {
                    logger.error("gateway command failed", metadata: ["error": "\(String(reflecting: error))"])
                    link.reply(GatewayFrame.error(SwitchboardError(.internalError, "internal error")))
                }
            }
        } catch {
            logger.debug("gateway connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Runs a deep, one-off call (identify reads and writes the working set) in a child task:
    /// a task keeps the memory of its deepest stack of async frames for as long as it lives, so
    /// run in the reader's task, identify's frames would stay with every idle connection.
    private static func inTaskOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask(operation: body)
            guard let result = try await group.next() else { throw CancellationError() }
            return result
        }
    }

    private func handle(_ command: GatewayCommand, link: GatewayLink, bound: Bound) async throws {
        let session = bound.session.withLock { $0 }
        switch command {
        case .heartbeat(let heartbeat):
            link.heartbeat(nowMs: WallClock.nowMs())
            link.reply(GatewayFrame.heartbeatAck())
            if let s = heartbeat.s, let session { session.outbox.acknowledge(upTo: s) }
        case .identify(let identify):
            guard session == nil else { throw SwitchboardError.badRequest("already identified") }
            let session = try await Self.inTaskOfItsOwn { [handler] in try await handler.identify(identify, link: link) }
            bound.session.withLock { $0 = session }
            link.identified(nowMs: WallClock.nowMs())
        case .resume(let resume):
            guard session == nil else { throw SwitchboardError.badRequest("already identified") }
            let session = try await Self.inTaskOfItsOwn { [handler] in try await handler.resume(resume, link: link) }
            bound.session.withLock { $0 = session }
            link.identified(nowMs: WallClock.nowMs())
        default:
            guard let session else { throw SwitchboardError(.unauthorized, "identify or resume first") }
            try await handler.perform(command, session: session, link: link)
        }
    }
}
