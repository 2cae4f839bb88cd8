import Foundation
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import NIOCore
import NIOWebSocket
import SwitchboardLocking
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// Where a feed starts and who is asking, from the upgrade request's query.
struct FeedRequest: Sendable {
    var workspaceID: Snowflake
    /// The edge's cursor: the last sequence number it applied.
    var after: UInt64?
    var edgeID: String
    var region: String
    var publicURL: String
}

/// Serves one edge's feed for one workspace: a snapshot when the edge has no usable cursor,
/// then every event after it, in order; and the edge's commands on behalf of its users.
struct EdgeFeedConnection {
    let origin: Origin
    let request: FeedRequest
    let logger: Logger

    /// Rows per snapshot frame.
    static let snapshotPage = 1_000
    static let membershipPage = 5_000
    static let messageChannelsPerFrame = 50

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        // From the first moment: an edge tells a silent origin from a busy one by the bytes it
        // gets, and a snapshot can spend seconds on one page of a large workspace.
        let heartbeats = Task { await heartbeat(to: outbound) }
        defer { heartbeats.cancel() }
        let workspaceID = request.workspaceID
        let metrics = origin.metrics
        metrics.feedConnections.increment()
        defer { metrics.feedConnections.decrement() }
        origin.edges.feedOpened(edgeID: request.edgeID, region: request.region, publicURL: request.publicURL,
                                workspaceID: workspaceID, nowMs: WallClock.nowMs())
        defer { origin.edges.feedClosed(edgeID: request.edgeID, workspaceID: workspaceID) }

        let queue = OutboundQueue(limitBytes: origin.configuration.feedQueueBytes)
        let closeCode = Locked<GatewayCloseCode?>(nil)
        let sink = FeedSink(queue: queue) {
            closeCode.withLock { $0 = $0 ?? .slowConsumer }
            queue.close()
        }
        do {
            let bounds = try await origin.store.eventLogBounds(workspaceID: workspaceID)
            let start: UInt64
            if let after = request.after, bounds.canResume(from: after) {
                start = after
                metrics.feedReplays.increment()
            } else {
                // No cursor, or one the log no longer covers: everything, then events after
                // the position read before the snapshot (some may repeat what it shows).
                start = bounds.lastSeq
                metrics.feedSnapshots.increment()
                try await writeSnapshot(to: outbound, workspaceID: workspaceID)
                try await write(FeedMessage.snapshotEnd(seq: start), to: outbound)
            }
            origin.sessions.addListener(sink, workspaceID: workspaceID)
            // After the listener is added, so no change falls between the state and the events.
            _ = queue.enqueue(try FeedMessage.presenceState(origin.presence.visibleStatuses(workspaceID: workspaceID)))
            // Where the log is now: the edge is current once it has applied up to here.
            _ = queue.enqueue(FeedMessage.position(seq: try await origin.store.eventLogBounds(workspaceID: workspaceID).lastSeq))
            origin.events.subscribe(sink, workspaceID: workspaceID, after: start)
        } catch {
            // Most often the edge went away during the snapshot.
            logger.info("edge feed ended before it started", metadata: ["workspace_id": "\(workspaceID)", "error": "\(error)"])
            heartbeats.cancel()
            try? await outbound.close(.unexpectedServerError, reason: "feed failed to start")
            return
        }

        // A server shutting down waits for its connections: close the feed (the edge resumes
        // from its cursor when the origin is back).
        await withGracefulShutdownHandler {
            await serve(inbound: inbound, outbound: outbound, queue: queue, closeCode: closeCode, heartbeats: heartbeats)
        } onGracefulShutdown: {
            closeCode.withLock { $0 = $0 ?? .draining }
            queue.finish()
        }

        origin.events.unsubscribe(sink, workspaceID: workspaceID)
        origin.sessions.removeListener(sink, workspaceID: workspaceID)
        // The edge's users count as disconnected; the grace period hides a quick reconnect.
        origin.presence.replaceSource(request.edgeID, workspaceID: workspaceID, counts: [:])
    }

    /// Reads the edge's commands and writes the queued frames until either side ends; a
    /// feed that stays silent past the idle timeout is closed.
    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, queue: OutboundQueue,
                       closeCode: Locked<GatewayCloseCode?>, heartbeats: Task<Void, Never>) async {
        let lastFrameMs = Locked(WallClock.nowMs())
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await readCommands(inbound: inbound, queue: queue, lastFrameMs: lastFrameMs)
                queue.close()
            }
            group.addTask {
                // An edge heartbeats every few seconds; a silent one is gone.
                let limit = origin.configuration.feedIdleTimeoutMs
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int(max(50, limit / 4))))
                    if WallClock.nowMs() > lastFrameMs.value + limit {
                        closeCode.withLock { $0 = $0 ?? .heartbeatTimeout }
                        queue.close()
                        return
                    }
                }
            }
            while let frame = await queue.next() {
                do { try await write(frame.buffer(), to: outbound) } catch { break }
            }
            queue.close()
            heartbeats.cancel()   // nothing after the close frame
            let code = closeCode.value
            try? await outbound.close(code.map { .unknown($0.rawValue) } ?? .normalClosure, reason: code?.reason)
            group.cancelAll()
        }
    }

    /// Writes `heartbeat` every `feedHeartbeatMs` until cancelled or the socket fails. Beside
    /// the snapshot's and the queue's writes: each write is one whole frame, the writer takes
    /// them from several tasks (as swift-websocket's own pings do), and a feed negotiates no
    /// extension that would hold state between frames.
    private func heartbeat(to outbound: WebSocketOutboundWriter) async {
        let period = Duration.milliseconds(Int(origin.configuration.feedHeartbeatMs))
        let frame = ByteBuffer(bytes: FeedMessage.heartbeat())
        while true {
            do {
                try await Task.sleep(for: period)
                try await write(frame, to: outbound)
            } catch {
                return   // cancelled: the feed ended; a failed write: the feed is ending
            }
        }
    }

    private func write(_ frame: [UInt8], to outbound: WebSocketOutboundWriter) async throws {
        try await write(ByteBuffer(bytes: frame), to: outbound)
    }

    private func write(_ buffer: ByteBuffer, to outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: buffer)))
    }

    /// Streams the workspace in chunks; each write waits for the socket, so memory stays at
    /// one page however large the workspace.
    private func writeSnapshot(to outbound: WebSocketOutboundWriter, workspaceID: Snowflake) async throws {
        let store = origin.store
        guard let workspace = try await store.workspaceWithCounts(workspaceID) else { throw SwitchboardError.notFound("workspace") }
        try await write(try FeedMessage.snapshot(.workspace, items: [workspace]), to: outbound)

        var userCursor: Snowflake?
        while true {
            let users = try await store.usersPage(workspaceID: workspaceID, after: userCursor, limit: Self.snapshotPage)
            if !users.isEmpty { try await write(try FeedMessage.snapshot(.users, items: users), to: outbound) }
            guard users.count == Self.snapshotPage else { break }
            userCursor = users.last?.id
        }

        var channelIDs: [Snowflake] = []
        var channelCursor: Snowflake?
        while true {
            let channels = try await store.channelsPage(workspaceID: workspaceID, after: channelCursor, limit: Self.snapshotPage)
            if !channels.isEmpty { try await write(try FeedMessage.snapshot(.channels, items: channels), to: outbound) }
            channelIDs += channels.map(\.id)
            guard channels.count == Self.snapshotPage else { break }
            channelCursor = channels.last?.id
        }

        var membershipCursor: (channel: Snowflake, user: Snowflake)?
        while true {
            let page = try await store.membershipStatesPage(workspaceID: workspaceID, after: membershipCursor,
                                                            limit: Self.membershipPage)
            if !page.isEmpty { try await write(try FeedMessage.snapshot(.memberships, items: page), to: outbound) }
            guard page.count == Self.membershipPage, let last = page.last else { break }
            membershipCursor = (last.channelID, last.userID)
        }

        var followCursor: (thread: Snowflake, user: Snowflake)?
        while true {
            let page = try await store.followsPage(workspaceID: workspaceID, after: followCursor, limit: Self.membershipPage)
            if !page.isEmpty { try await write(try FeedMessage.snapshot(.follows, items: page), to: outbound) }
            guard page.count == Self.membershipPage, let last = page.last else { break }
            followCursor = (last.threadID, last.userID)
        }

        var revocationCursor: String?
        while true {
            let page = try await store.revocationsPage(workspaceID: workspaceID, after: revocationCursor,
                                                       limit: Self.membershipPage, nowMs: WallClock.nowMs())
            if !page.isEmpty { try await write(try FeedMessage.snapshot(.revocations, items: page), to: outbound) }
            guard page.count == Self.membershipPage, let last = page.last else { break }
            revocationCursor = last.sessionID
        }

        var index = 0
        while index < channelIDs.count {
            let batch = Array(channelIDs[index..<min(index + Self.messageChannelsPerFrame, channelIDs.count)])
            let messages = try await store.latestMessages(channelIDs: batch, perChannel: origin.configuration.snapshotMessagesPerChannel)
            if !messages.isEmpty { try await write(try FeedMessage.snapshot(.messages, items: messages), to: outbound) }
            index += batch.count
        }
    }

    // MARK: Commands from the edge

    /// Sends handled at once per feed at most: enough for the origin's group commit to batch
    /// an edge's users together, bounded so a flood of sends waits for the socket instead.
    static let concurrentSends = 256

    private func readCommands(inbound: WebSocketInboundStream, queue: OutboundQueue, lastFrameMs: Locked<UInt64>) async {
        var typingThrottle = TypingThrottle<UserInChannel>(intervalMs: origin.configuration.gateway.typingIntervalMs,
                                                            forgetAbove: 10_000)
        await withTaskGroup(of: Void.self) { sends in
            // Each user's sends run one after another (their messages commit in the order sent);
            // different users' run side by side.
            var inFlight = 0
            var lastByUser: [Snowflake: Task<Void, Never>] = [:]
            do {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    lastFrameMs.withLock { $0 = WallClock.nowMs() }
                    let bytes: [UInt8]
                    switch message {
                    case .text(let text): bytes = Array(text.utf8)
                    case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                    }
                    let command: FeedCommand
                    do {
                        command = try FeedCommand.decode(bytes)
                    } catch let error as SwitchboardError {
                        _ = queue.enqueue(FeedMessage.error(error))
                        continue
                    }
                    if case .send(let send) = command {
                        if inFlight >= Self.concurrentSends {
                            await sends.next()
                            inFlight -= 1
                        }
                        if lastByUser.count > 4 * Self.concurrentSends {
                            // Forget finished chains: wait for what runs, then start afresh.
                            await sends.waitForAll()
                            (inFlight, lastByUser) = (0, [:])
                        }
                        typingThrottle.reset(UserInChannel(user: send.userID, channel: send.channelID))
                        let previous = lastByUser[send.userID]
                        let post = Task {
                            await previous?.value
                            await self.post(send, queue: queue)
                        }
                        lastByUser[send.userID] = post
                        sends.addTask { await post.value }
                        inFlight += 1
                        continue
                    }
                    do {
                        try await handle(command, typingThrottle: &typingThrottle)
                    } catch let error as SwitchboardError {
                        _ = queue.enqueue(FeedMessage.error(error))
                    } catch {
                        logger.error("feed command failed", metadata: ["error": "\(String(reflecting: error))"])
                        _ = queue.enqueue(FeedMessage.error(SwitchboardError(.internalError, "internal error")))
                    }
                }
            } catch {
                logger.debug("edge feed ended", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Posts on behalf of a user of the edge; the answer (`ack` or `error`, by ref) is queued.
    private func post(_ send: FeedCommand.Send, queue: OutboundQueue) async {
        let caller = Caller(userID: send.userID, workspaceID: request.workspaceID)
        do {
            // The edge checked the token; a deactivation may have crossed it on the way.
            guard !origin.chat.access.isDeactivated(send.userID) else { throw SwitchboardError.unauthorized }
            origin.presence.activity(user: send.userID, workspaceID: request.workspaceID)
            let result = try await origin.chat.postMessage(caller, channelID: send.channelID, PostMessageRequest(
                content: send.content, nonce: send.nonce, threadID: send.threadID, alsoToChannel: send.alsoToChannel))
            (result.created ? origin.metrics.messagesPosted : origin.metrics.nonceReplays).increment()
            _ = queue.enqueue(FeedMessage.ack(ref: send.ref, message: result.message))
        } catch let error as SwitchboardError {
            if error.code == .rateLimited { origin.metrics.rateLimited.increment() }
            _ = queue.enqueue(FeedMessage.error(error, ref: send.ref))
        } catch {
            logger.error("a send from an edge failed", metadata: ["error": "\(String(reflecting: error))"])
            _ = queue.enqueue(FeedMessage.error(SwitchboardError(.internalError, "internal error"), ref: send.ref))
        }
    }

    private func handle(_ command: FeedCommand, typingThrottle: inout TypingThrottle<UserInChannel>) async throws {
        let workspaceID = request.workspaceID
        if let user = command.actingUserID {
            if origin.chat.access.isDeactivated(user) { return }
            // What a user does through an edge keeps them from auto-away.
            origin.presence.activity(user: user, workspaceID: workspaceID)
        }
        switch command {
        case .send:
            assertionFailure("sends are posted by readCommands, side by side")
        case .presence(let presence):
            origin.presence.connection(user: presence.userID, workspaceID: workspaceID, source: request.edgeID,
                                       delta: presence.delta)
        case .presenceSync(let sync):
            origin.presence.replaceSource(request.edgeID, workspaceID: workspaceID, counts: sync.connections)
        case .typing(let typing):
            let nowMs = WallClock.nowMs()
            guard typingThrottle.allow(UserInChannel(user: typing.userID, channel: typing.channelID), nowMs: nowMs),
                  try await origin.store.isMember(channelID: typing.channelID, userID: typing.userID) else { return }
            origin.sessions.startTyping(userID: typing.userID, channelID: typing.channelID, workspaceID: workspaceID,
                                        nowMs: nowMs)
        case .read(let read):
            try await origin.chat.markRead(Caller(userID: read.userID, workspaceID: workspaceID), channelID: read.channelID,
                                           messageID: read.messageID)
        case .setPresence(let presence):
            try origin.chat.setPresence(Caller(userID: presence.userID, workspaceID: workspaceID), presence.status)
        case .heartbeat:
            return
        }
    }
}

/// A user in a channel, for the typing throttles of feeds and of REST typing.
struct UserInChannel: Hashable, Sendable {
    var user: Snowflake
    var channel: Snowflake
}
