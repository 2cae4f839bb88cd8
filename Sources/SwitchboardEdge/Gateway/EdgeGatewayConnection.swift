import Foundation
import HummingbirdWebSocket
import Logging
import SwitchboardCore
import SwitchboardServer

/// The edge's side of a client WebSocket on `/gateway`: the same protocol as the origin's,
/// but `ready` carries the working set read from LMDB (no origin round trip), events come
/// from the workspace's feed through ``WorkspaceFanout``, and commands that change state go
/// to the origin over that feed.
struct EdgeGatewayConnection: GatewayHandler {
    let edge: Edge
    let logger: Logger

    private var gateway: EdgeGateway { edge.gateway }
    private var limits: GatewayLimits { edge.configuration.gateway }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
             context: WebSocketRouterContext<ChannelWebSocketContext>) async {
        await GatewayConnectionLoop(handler: self, limits: limits, logger: logger).run(inbound: inbound, outbound: outbound, context: context)
    }

    func identify(_ identify: GatewayCommand.Identify, link: GatewayLink) async throws -> EdgeSession {
        guard !gateway.isDraining else { throw SwitchboardError(.unavailable, "this edge is shutting down; connect to another") }
        let caller = try await edge.tokens.verify(identify.token)
        let upstream = edge.upstreams.ensure(caller.workspaceID)
        let fanout = gateway.fanout(caller.workspaceID)
        let session = EdgeSession(id: link.helloSessionID, caller: caller, limits: limits)
        gateway.add(session)
        do {
            // Indexed before the working set is read, so no event falls between the two; events
            // routed meanwhile are held by the session and follow `ready`, minus what it carried.
            // Both in the trip to LMDB that checks the caller.
            guard let workingSet = try await edge.whenReady(caller, {
                let focus = try fanout.register(session, focus: identify.focusChannelID)
                return try edge.store.storedWorkingSet(caller.workspaceID, user: caller.userID, focus: focus)
            }) else { throw SwitchboardError.unauthorized }
            fanout.markProfilesKnown(session, workingSet.users.map(\.id))
            let horizon = workingSet.focusChannelID.flatMap { focus in
                workingSet.messages.last.map { EdgeSession.MessageRef(channelID: focus, id: $0.id) }
            }
            guard session.bootstrapped(horizon: horizon) else {
                throw SwitchboardError(.sessionExpired, "too many events during identify; identify again")
            }
            link.reply(GatewayFrame.ready(bootstrap: try workingSet.json(preparing: { edge.files.signed($0) })))
            guard session.outbox.attach(link.queue, resumeAfter: 0, closeConnection: { link.end($0) }) != nil else {
                throw SwitchboardError(.sessionExpired, "too many events during identify; identify again")
            }
        } catch {
            gateway.remove(session)
            throw error
        }
        upstream.presence.changed(user: caller.userID, delta: 1)
        edge.metrics.gatewayIdentifies.increment()
        edge.metrics.bootstraps.increment()
        return session
    }

    func resume(_ resume: GatewayCommand.Resume, link: GatewayLink) async throws -> EdgeSession {
        guard !gateway.isDraining else { throw SwitchboardError(.unavailable, "this edge is shutting down; connect to another") }
        let caller = try await edge.checkAccess(try await edge.tokens.verify(resume.token))
        guard let session = gateway.session(resume.sessionID), session.caller.isSameUser(as: caller),
              !session.outbox.isExpired(nowMs: WallClock.nowMs()) else {
            throw SwitchboardError(.sessionExpired, "the session cannot be resumed; identify again")
        }
        guard session.outbox.attach(link.queue, resumeAfter: resume.s, closeConnection: { link.end($0) },
                                    then: { GatewayFrame.resumed(replayed: $0) }) != nil else {
            gateway.remove(session)
            throw SwitchboardError(.sessionExpired, "the events since s=\(resume.s) are no longer held; identify again")
        }
        edge.upstreams.ensure(caller.workspaceID).presence.changed(user: caller.userID, delta: 1)
        edge.metrics.gatewayResumes.increment()
        return session
    }

    func disconnected(_ session: EdgeSession, link: GatewayLink) {
        session.outbox.detach(from: link.queue, nowMs: WallClock.nowMs())
        edge.upstreams.upstream(session.caller.workspaceID)?.presence.changed(user: session.userID, delta: -1)
    }

    func perform(_ command: GatewayCommand, session: EdgeSession, link: GatewayLink) async throws {
        let caller = session.caller
        let fanout = gateway.fanout(caller.workspaceID)
        let upstream = edge.upstreams.ensure(caller.workspaceID)
        switch command {
        case .send(let send):
            session.sentMessage(in: send.channelID)
            do {
                let message = try await upstream.post(FeedCommand.Send(
                    ref: UUID().uuidString, userID: caller.userID, channelID: send.channelID, content: send.content,
                    nonce: send.nonce, threadID: send.threadID, alsoToChannel: send.alsoToChannel))
                link.reply(GatewayFrame.ack(nonce: send.nonce, message: message))
            } catch let error as SwitchboardError {
                link.reply(GatewayFrame.error(error, nonce: send.nonce))
            }
        case .focus(let focus):
            try fanout.setFocus(session, to: focus.channelID)
        case .presenceSubscribe(let subscribe):
            guard subscribe.userIDs.count <= 500 else { throw SwitchboardError.badRequest("at most 500 user_ids") }
            // Answered at once with the current statuses, from this edge's copy.
            for change in fanout.setPresenceSubscriptions(session, to: Set(subscribe.userIDs)) {
                session.send(EventBody(.presenceChanged, encoding: change))
            }
        case .typing(let typing):
            guard fanout.isMember(session, of: typing.channelID) else { throw SwitchboardError.notAMember }
            guard session.allowTyping(in: typing.channelID, nowMs: WallClock.nowMs()) else { return }
            // The origin stamps and publishes it to every edge; it comes back through the feed.
            try? await upstream.send(.typing(.init(userID: caller.userID, channelID: typing.channelID)))
        case .read(let read):
            guard fanout.isMember(session, of: read.channelID) else { throw SwitchboardError.notAMember }
            try await upstream.send(.read(.init(userID: caller.userID, channelID: read.channelID, messageID: read.messageID)))
        case .setPresence(let presence):
            guard presence.status != .offline else { throw SwitchboardError.badRequest("status must be active, away or dnd") }
            try await upstream.send(.setPresence(.init(userID: caller.userID, status: presence.status)))
        case .identify, .resume, .heartbeat:
            return
        }
    }

}
