import Foundation
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import NIOCore
import NIOWebSocket
import Synchronization
import SwitchboardCore
import SwitchboardServer

/// The origin's side of a client WebSocket on `/gateway`: `identify` answers with the full
/// bootstrap, every command acts on the database directly. The socket itself — handshake,
/// heartbeats, limits, the writer — is ``GatewayConnectionLoop``.
struct GatewayConnection: GatewayHandler {
    let origin: Origin
    let logger: Logger

    private var chat: Chat { origin.chat }
    private var limits: GatewayLimits { origin.configuration.gateway }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
             context: WebSocketRouterContext<ChannelWebSocketContext>) async {
        origin.metrics.gatewayConnections.increment()
        defer { origin.metrics.gatewayConnections.decrement() }
        await GatewayConnectionLoop(handler: self, limits: limits, logger: logger).run(inbound: inbound, outbound: outbound, context: context)
    }

    func disconnected(_ session: GatewaySession, link: GatewayLink) {
        session.detach(from: link.queue, nowMs: WallClock.nowMs())
        origin.presence.connection(user: session.caller.userID, workspaceID: session.caller.workspaceID, delta: -1)
    }

    func identify(_ identify: GatewayCommand.Identify, link: GatewayLink) async throws -> GatewaySession {
        try await self.identify(identify, link: link, sessionID: link.helloSessionID)
    }

    private func identify(_ identify: GatewayCommand.Identify, link: GatewayLink, sessionID: String) async throws -> GatewaySession {
        let caller = try origin.verify(try await origin.tokens.verify(identify.token))
        _ = try await chat.me(caller)
        // The log position is read before the bootstrap: events after it are delivered even
        // if the bootstrap already reflects some of them, so none is missed.
        let logSeq = try await origin.store.eventLogBounds(workspaceID: caller.workspaceID).lastSeq
        let channels = Set(try await origin.store.channels(ofUser: caller.userID).map(\.id))
        let focus = identify.focusChannelID.flatMap { channels.contains($0) ? $0 : nil }
        // Counted as connected before the bootstrap, so the bootstrap shows the user active.
        origin.presence.connection(user: caller.userID, workspaceID: caller.workspaceID, delta: 1)
        do {
            let session = GatewaySession(id: sessionID, caller: caller, logSeq: logSeq, limits: limits,
                                         onOverflow: { [metrics = origin.metrics] session in
                                             metrics.slowConsumers.increment()
                                             session.closeConnection(.slowConsumer)
                                         })
            origin.sessions.register(session, channels: channels, focus: focus)
            var bootstrap: [UInt8] = []
            do {
                try await chat.writeFullBootstrap(caller, focus: focus) { bootstrap += $0 }
            } catch {
                origin.sessions.remove(session)
                throw error
            }
            link.reply(GatewayFrame.ready(bootstrap: bootstrap))
            // Events that arrived while the bootstrap was read follow the ready frame.
            guard session.attach(link.queue, resumeAfter: 0, closeConnection: { link.end($0) }) != nil else {
                origin.sessions.remove(session)
                throw SwitchboardError(.sessionExpired, "too many events during identify; identify again")
            }
            origin.metrics.gatewayIdentifies.increment()
            return session
        } catch {
            origin.presence.connection(user: caller.userID, workspaceID: caller.workspaceID, delta: -1)
            throw error
        }
    }

    func resume(_ resume: GatewayCommand.Resume, link: GatewayLink) async throws -> GatewaySession {
        let caller = try origin.verify(try await origin.tokens.verify(resume.token))
        guard let session = origin.sessions.session(resume.sessionID), session.caller.isSameUser(as: caller),
              !session.isExpired(nowMs: WallClock.nowMs()) else {
            throw SwitchboardError(.sessionExpired, "the session cannot be resumed; identify again")
        }
        guard let replayed = session.attach(link.queue, resumeAfter: resume.s, closeConnection: { link.end($0) },
                                            then: { GatewayFrame.resumed(replayed: $0) }) else {
            origin.sessions.remove(session)
            throw SwitchboardError(.sessionExpired, "the events since s=\(resume.s) are no longer held; identify again")
        }
        origin.sessions.resubscribeIfDropped(session)
        origin.presence.connection(user: caller.userID, workspaceID: caller.workspaceID, delta: 1)
        origin.metrics.gatewayResumes.increment()
        logger.debug("session resumed", metadata: ["session_id": "\(session.id)", "replayed": "\(replayed)"])
        return session
    }

    func perform(_ command: GatewayCommand, session: GatewaySession, link: GatewayLink) async throws {
        let caller = session.caller
        if case .heartbeat = command {} else {
            origin.presence.activity(user: caller.userID, workspaceID: caller.workspaceID)
        }
        switch command {
        case .send(let send):
            session.sentMessage(in: send.channelID)
            do {
                let result = try await chat.postMessage(caller, channelID: send.channelID, PostMessageRequest(
                    content: send.content, nonce: send.nonce, threadID: send.threadID, alsoToChannel: send.alsoToChannel))
                (result.created ? origin.metrics.messagesPosted : origin.metrics.nonceReplays).increment()
                link.reply(GatewayFrame.ack(nonce: send.nonce, message: result.message))
            } catch let error as SwitchboardError {
                if error.code == .rateLimited { origin.metrics.rateLimited.increment() }
                link.reply(GatewayFrame.error(error, nonce: send.nonce))
            }
        case .focus(let focus):
            try origin.sessions.workspace(caller.workspaceID)?.setFocus(session, to: focus.channelID)
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
            guard origin.sessions.workspace(caller.workspaceID)?.isMember(session, of: typing.channelID) == true else {
                throw SwitchboardError.notAMember
            }
            let nowMs = WallClock.nowMs()
            guard session.allowTyping(in: typing.channelID, nowMs: nowMs) else { return }
            origin.sessions.startTyping(userID: caller.userID, channelID: typing.channelID, workspaceID: caller.workspaceID,
                                        nowMs: nowMs)
        case .read(let read):
            try await chat.markRead(caller, channelID: read.channelID, messageID: read.messageID)
        case .setPresence(let presence):
            try chat.setPresence(caller, presence.status)
        case .identify, .resume, .heartbeat:
            return
        }
    }
}

