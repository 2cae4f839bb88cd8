import Foundation
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import NIOCore
import NIOWebSocket
import Synchronization
import SwitchboardCore
import SwitchboardHTTP

/// Serves one client WebSocket on the origin's `/gateway`: the handshake, the commands, the
/// heartbeat watch and the writer. Reader, writer and heartbeat monitor run as one task
/// group; leaving it closes the socket and detaches the session, which stays resumable.
struct GatewayConnection {
    let origin: Origin
    let logger: Logger

    private var chat: Chat { origin.chat }
    private var limits: GatewayLimits { origin.configuration.gateway }

    /// Mutable state shared by the reader, the writer and the monitor.
    final class Shared: Sendable {
        struct State {
            var session: GatewaySession?
            var lastHeartbeatMs: UInt64
            var closeCode: GatewayCloseCode?
        }
        let state: Mutex<State>
        let queue: OutboundQueue
        init(queue: OutboundQueue, nowMs: UInt64) {
            self.queue = queue
            state = Mutex(State(lastHeartbeatMs: nowMs))
        }

        /// Ends the connection with this close code (the first reason wins).
        func close(_ code: GatewayCloseCode) {
            state.withLock { if $0.closeCode == nil { $0.closeCode = code } }
            queue.close()
        }

        /// Ends the connection after what is queued has been written.
        func drain() {
            state.withLock { if $0.closeCode == nil { $0.closeCode = .draining } }
            queue.finish()
        }
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let queue = OutboundQueue(limitBytes: limits.outboundQueueBytes)
        let shared = Shared(queue: queue, nowMs: WallClock.nowMs())
        let helloID = UUID().uuidString.lowercased()
        _ = queue.enqueue(GatewayFrame.hello(heartbeatIntervalMs: Int(limits.heartbeatIntervalMs), sessionID: helloID))
        origin.metrics.gatewayConnections.increment()

        // A server shutting down waits for its connections: tell the client to go elsewhere
        // (it can resume there) and close.
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await watchHeartbeats(shared: shared) }
                group.addTask {
                    await readLoop(inbound: inbound, shared: shared, helloID: helloID)
                    // The reader is done (client gone, or we decided to close): the writer sends
                    // the close frame and ends.
                    shared.close(.heartbeatTimeout)
                }
                await writeLoop(shared: shared, outbound: outbound)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            _ = queue.enqueue(GatewayFrame.reconnect(reason: "draining"))
            shared.drain()
        }

        origin.metrics.gatewayConnections.decrement()
        if let session = shared.state.withLock({ $0.session }) {
            session.detach(from: queue, nowMs: WallClock.nowMs())
            origin.presence.connection(user: session.caller.userID, workspaceID: session.caller.workspaceID, delta: -1)
        }
    }

    // MARK: Writer and monitor

    private func writeLoop(shared: Shared, outbound: WebSocketOutboundWriter) async {
        do {
            while let frame = await shared.queue.next() {
                // Writing suspends while the socket is not writable: that is the backpressure
                // that fills the bounded queue when a client reads too slowly.
                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: frame))))
            }
            let code = shared.state.withLock { $0.closeCode } ?? .heartbeatTimeout
            try await outbound.close(.unknown(code.rawValue), reason: code.reason)
        } catch {
            shared.queue.close()
        }
    }

    private func watchHeartbeats(shared: Shared) async {
        let interval = limits.heartbeatIntervalMs
        let identifyDeadline = WallClock.nowMs() + limits.identifyTimeoutMs
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int(max(20, interval / 4))))
            let nowMs = WallClock.nowMs()
            let (identified, last) = shared.state.withLock { ($0.session != nil, $0.lastHeartbeatMs) }
            // Before identify only the identify deadline applies; the heartbeat clock starts
            // when the session is ready (a large bootstrap must not count against the client).
            if !identified {
                if nowMs >= identifyDeadline {
                    shared.close(.identifyTimeout)
                    return
                }
                continue
            }
            if nowMs > last + 2 * interval {
                shared.close(.heartbeatTimeout)
                return
            }
        }
    }

    // MARK: Reader

    private func readLoop(inbound: WebSocketInboundStream, shared: Shared, helloID: String) async {
        var flood = FloodGuard(limit: limits.commandsPerWindow, windowMs: limits.commandWindowMs)
        do {
            // The socket's own limit is larger than the protocol's, so that a too-large
            // frame gets an error and the connection lives on.
            for try await message in inbound.messages(maxSize: limits.maxClientFrameBytes * 4) {
                guard !shared.queue.isClosed else { break }
                switch flood.admit(nowMs: WallClock.nowMs()) {
                case .admit: break
                case .refuse(let retryAfterMs):
                    _ = shared.queue.enqueue(GatewayFrame.error(SwitchboardError(
                        .rateLimited, "too many frames; slow down", retryAfterMs: Int(retryAfterMs))))
                    continue
                case .disconnect:
                    shared.close(.flooding)
                    return
                }
                let bytes: [UInt8]
                switch message {
                case .text(let text): bytes = Array(text.utf8)
                case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                }
                guard bytes.count <= limits.maxClientFrameBytes else {
                    reply(shared, GatewayFrame.error(SwitchboardError(.payloadTooLarge,
                        "frames are limited to \(limits.maxClientFrameBytes) bytes")))
                    continue
                }
                do {
                    try await handle(try GatewayCommand.decode(bytes), shared: shared, helloID: helloID)
                } catch let error as SwitchboardError {
                    reply(shared, GatewayFrame.error(error))
                } catch {
                    logger.error("gateway command failed", metadata: ["error": "\(String(reflecting: error))"])
                    reply(shared, GatewayFrame.error(SwitchboardError(.internalError, "internal error")))
                }
            }
        } catch {
            logger.debug("gateway connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func reply(_ shared: Shared, _ frame: [UInt8]) {
        _ = shared.queue.enqueue(frame)
    }

    private func handle(_ command: GatewayCommand, shared: Shared, helloID: String) async throws {
        let session = shared.state.withLock { $0.session }
        switch command {
        case .heartbeat:
            shared.state.withLock { $0.lastHeartbeatMs = WallClock.nowMs() }
            reply(shared, GatewayFrame.heartbeatAck())
        case .identify(let identify):
            guard session == nil else { throw SwitchboardError.badRequest("already identified") }
            try await self.identify(identify, shared: shared, sessionID: helloID)
        case .resume(let resume):
            guard session == nil else { throw SwitchboardError.badRequest("already identified") }
            try await self.resume(resume, shared: shared)
        default:
            guard let session else { throw SwitchboardError(.unauthorized, "identify or resume first") }
            try await perform(command, session: session, shared: shared)
        }
    }

    private func identify(_ identify: GatewayCommand.Identify, shared: Shared, sessionID: String) async throws {
        let caller = try await origin.tokens.verify(identify.token)
        _ = try await chat.me(caller)
        // The log position is read before the bootstrap: events after it are delivered even
        // if the bootstrap already reflects some of them, so none is missed.
        let logSeq = try await origin.store.eventLogBounds(workspaceID: caller.workspaceID).lastSeq
        let channels = Set(try await origin.store.channels(ofUser: caller.userID).map(\.id))
        let focus = identify.focusChannelID.flatMap { channels.contains($0) ? $0 : nil }
        // Counted as connected before the bootstrap, so the bootstrap shows the user active.
        origin.presence.connection(user: caller.userID, workspaceID: caller.workspaceID, delta: 1)
        do {
            let session = GatewaySession(id: sessionID, caller: caller, channels: channels, logSeq: logSeq, focus: focus,
                                         limits: limits, onOverflow: { $0.closeConnection(.slowConsumer) })
            origin.sessions.register(session)
            var bootstrap: [UInt8] = []
            do {
                try await chat.writeFullBootstrap(caller, focus: focus) { bootstrap += $0 }
            } catch {
                origin.sessions.remove(session)
                throw error
            }
            reply(shared, GatewayFrame.ready(bootstrap: bootstrap))
            // Events that arrived while the bootstrap was read follow the ready frame.
            guard session.attach(shared.queue, resumeAfter: 0, closeConnection: { shared.close($0) }) != nil else {
                origin.sessions.remove(session)
                throw SwitchboardError(.sessionExpired, "too many events during identify; identify again")
            }
            shared.state.withLock {
                $0.session = session
                $0.lastHeartbeatMs = WallClock.nowMs()
            }
        } catch {
            origin.presence.connection(user: caller.userID, workspaceID: caller.workspaceID, delta: -1)
            throw error
        }
        origin.metrics.gatewayIdentifies.increment()
    }

    private func resume(_ resume: GatewayCommand.Resume, shared: Shared) async throws {
        let caller = try await origin.tokens.verify(resume.token)
        guard let session = origin.sessions.session(resume.sessionID), session.caller == caller,
              !session.isExpired(nowMs: WallClock.nowMs()) else {
            throw SwitchboardError(.sessionExpired, "the session cannot be resumed; identify again")
        }
        guard let replayed = session.attach(shared.queue, resumeAfter: resume.s, closeConnection: { shared.close($0) },
                                            then: { GatewayFrame.resumed(replayed: $0) }) else {
            origin.sessions.remove(session)
            throw SwitchboardError(.sessionExpired, "the events since s=\(resume.s) are no longer held; identify again")
        }
        origin.sessions.resubscribeIfDropped(session)
        shared.state.withLock {
            $0.session = session
            $0.lastHeartbeatMs = WallClock.nowMs()
        }
        origin.presence.connection(user: caller.userID, workspaceID: caller.workspaceID, delta: 1)
        origin.metrics.gatewayResumes.increment()
        logger.debug("session resumed", metadata: ["session_id": "\(session.id)", "replayed": "\(replayed)"])
    }

    private func perform(_ command: GatewayCommand, session: GatewaySession, shared: Shared) async throws {
        let caller = session.caller
        switch command {
        case .send(let send):
            do {
                let result = try await chat.postMessage(caller, channelID: send.channelID, PostMessageRequest(
                    content: send.content, nonce: send.nonce, threadID: send.threadID, alsoToChannel: send.alsoToChannel))
                (result.created ? origin.metrics.messagesPosted : origin.metrics.nonceReplays).increment()
                reply(shared, GatewayFrame.ack(nonce: send.nonce, message: result.message))
            } catch let error as SwitchboardError {
                if error.code == .rateLimited { origin.metrics.rateLimited.increment() }
                reply(shared, GatewayFrame.error(error, nonce: send.nonce))
            }
        case .focus(let focus):
            if let channel = focus.channelID, !session.isMember(of: channel) { throw SwitchboardError.notAMember }
            origin.sessions.workspace(caller.workspaceID)?.setFocus(session, to: focus.channelID)
        case .presenceSubscribe(let subscribe):
            guard subscribe.userIDs.count <= 500 else { throw SwitchboardError.badRequest("at most 500 user_ids") }
            let users = Set(subscribe.userIDs)
            origin.sessions.workspace(caller.workspaceID)?.setPresenceSubscriptions(session, to: users)
            // Answer at once with the current statuses.
            let ordered = Array(users)
            for (user, status) in zip(ordered, origin.presence.statuses(of: ordered)) {
                let payload = [UInt8]((try? JSON.encode(PresenceChange(userID: user, status: status))) ?? .init())
                session.sendEvent(.presenceChanged, payload: payload)
            }
        case .typing(let typing):
            guard session.isMember(of: typing.channelID) else { throw SwitchboardError.notAMember }
            let nowMs = WallClock.nowMs()
            guard session.allowTyping(in: typing.channelID, nowMs: nowMs) else { return }
            origin.sessions.publishTyping(TypingStarted(channelID: typing.channelID, userID: caller.userID,
                                                        expiresAtMs: nowMs + limits.typingTTLms),
                                          workspaceID: caller.workspaceID)
        case .read(let read):
            try await chat.markRead(caller, channelID: read.channelID, messageID: read.messageID)
        case .setPresence(let presence):
            try chat.setPresence(caller, presence.status)
        case .identify, .resume, .heartbeat:
            return
        }
    }
}

