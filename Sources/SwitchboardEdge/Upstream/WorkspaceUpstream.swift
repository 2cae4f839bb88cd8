import Foundation
import Logging
import SwitchboardLocking
import SwitchboardSockets
import SwitchboardCore
import SwitchboardTLS

/// The one feed WebSocket of one workspace: connects (resuming from the stored seq, or
/// taking a snapshot), applies what arrives to LMDB in batches, reconnects with backoff.
final class WorkspaceUpstream: Sendable {
    let workspaceID: Snowflake
    private let store: EdgeStore
    private let configuration: EdgeConfiguration
    /// Which origin process serves the workspace now.
    private let origins: OriginPool
    private let logger: Logger
    private let metrics: EdgeMetrics
    /// Everything that changes, under one lock: the feed's rules and progress (its state
    /// machine), the open socket, and the callers waiting for the copy to serve sessions.
    private struct Link {
        var machine = UpstreamStateMachine()
        var socket: FeedSocket?
        /// The process `socket` goes to.
        var origin: String?
        /// The socket was closed to move to another process: reconnect at once, no backoff.
        var moving = false
        /// The backoff in progress, cut short by ``reconsiderOrigin()``.
        var backoff: Task<Void, Never>?
        var stopped = false
        var lastUsedMs = WallClock.nowMs()
        var waiters: [UUID: (until: Milestone, continuation: CheckedContinuation<Bool, Never>)] = [:]

        func reached(_ milestone: Milestone) -> Bool {
            switch milestone {
            case .connected: machine.hasBeenCurrent
            case .serving: machine.servesSessions
            }
        }

        /// The waiters to wake now.
        mutating func readyWaiters() -> [CheckedContinuation<Bool, Never>] {
            guard !waiters.isEmpty else { return [] }
            let ready = waiters.filter { reached($0.value.until) }
            for id in ready.keys { waiters[id] = nil }
            return ready.values.map(\.continuation)
        }
    }

    /// What a caller can wait for.
    enum Milestone: Sendable {
        /// A connection of this process has opened (the copy is no longer just one from before).
        case connected
        /// Client sessions may start (``UpstreamStateMachine/servesSessions``).
        case serving
    }

    private let link = Locked(Link())
    /// Applied events go on to local fan-out (the gateway) through this hook.
    let onEvents: @Sendable ([FeedMessage]) -> Void
    /// Called when a snapshot has replaced the workspace: local sessions may have missed events
    /// (or read a half-written copy) and must start over.
    let onSnapshot: @Sendable () -> Void
    /// Forwarded `send`s waiting for the origin's answer.
    private let pending = PendingReplies()
    /// This edge's connections per user, reported to the origin for presence.
    let presence = PresenceCounts()

    /// Events applied per LMDB write transaction at most.
    static let batchLimit = 1_000

    private let publicURL: @Sendable () -> String

    init(workspaceID: Snowflake, store: EdgeStore, configuration: EdgeConfiguration, origins: OriginPool, logger: Logger, metrics: EdgeMetrics,
         publicURL: @escaping @Sendable () -> String,
         onEvents: @escaping @Sendable ([FeedMessage]) -> Void = { _ in }, onSnapshot: @escaping @Sendable () -> Void = {}) {
        self.workspaceID = workspaceID
        self.store = store
        self.configuration = configuration
        self.origins = origins
        self.logger = logger
        self.metrics = metrics
        self.onEvents = onEvents
        self.onSnapshot = onSnapshot
        self.publicURL = publicURL
    }

    /// Matches ``Edge/edgeID``.
    var edgeID: String { configuration.edgeID ?? "edge-\(configuration.region)-\(configuration.port)" }

    func touch() { link.withLock { $0.lastUsedMs = WallClock.nowMs() } }
    var idleMs: UInt64 { WallClock.nowMs() - link.withLock { $0.lastUsedMs } }
    var isLive: Bool { link.withLock { $0.socket != nil } }
    var isSnapshotting: Bool { link.withLock { $0.machine.isSnapshotting } }
    var hasBeenCurrent: Bool { link.withLock { $0.machine.hasBeenCurrent } }
    /// Connected, not in a snapshot, and LMDB has every event up to the announced position.
    var isCaughtUp: Bool { link.withLock { $0.machine.isCaughtUp } }
    var readiness: UpstreamStateMachine.Readiness { link.withLock { $0.machine.readiness } }

    /// Waits until `milestone` is reached — woken by the feed's progress, not polled. False if
    /// it was not reached by `deadline`.
    func wait(until milestone: Milestone, deadline: ContinuousClock.Instant) async -> Bool {
        let id = UUID()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.link.withLock { link -> Bool in
                        if link.reached(milestone) { return true }
                        link.waiters[id] = (milestone, continuation)
                        return false
                    }
                    if now { continuation.resume(returning: true) }
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.link.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: false)
                return false
            }
            let result = await group.next() ?? false
            group.cancelAll()
            return result
        }
    }

    /// Changes the link and wakes whoever it now lets through.
    private func update<T>(_ change: (inout Link) -> T) -> T {
        let (result, ready) = link.withLock { link in
            let result = change(&link)
            return (result, link.readyWaiters())
        }
        for waiter in ready { waiter.resume(returning: true) }
        return result
    }

    /// Stops the loop and closes the socket.
    func stop() async {
        let (socket, backoff) = update { link -> (FeedSocket?, Task<Void, Never>?) in
            link.stopped = true
            link.machine.stop()
            return (link.socket, link.backoff)
        }
        backoff?.cancel()
        await socket?.close()
        pending.failAll()
    }

    /// The processes that are up changed: if the workspace now belongs to another one, the feed
    /// moves there (closed here, reopened there after the last applied seq — the log is shared,
    /// so nothing is missed and no snapshot is needed); a feed waiting to retry retries now.
    func reconsiderOrigin() async {
        let target = origins.url(for: workspaceID)
        let (moving, backoff) = link.withLock { link -> (FeedSocket?, Task<Void, Never>?) in
            guard let socket = link.socket, let origin = link.origin, origin != target else { return (nil, link.backoff) }
            link.moving = true
            return (socket, link.backoff)
        }
        backoff?.cancel()
        if let moving {
            metrics.feedMoves.increment()
            logger.info("the workspace's feed moves to another origin process",
                        metadata: ["workspace_id": "\(workspaceID)", "origin": "\(target)"])
            await moving.close()
        }
    }

    /// Sleeps `ms`, or less if ``reconsiderOrigin()`` or ``stop()`` cancels the sleep.
    private func backOff(ms: UInt64) async {
        let sleep = Task<Void, Never> {
            do { try await Task.sleep(for: .milliseconds(Int(ms))) } catch {
                // Cancelled: cut short on purpose.
            }
        }
        link.withLock { $0.backoff = sleep }
        await sleep.value
        link.withLock { $0.backoff = nil }
    }

    /// Sends a command to the origin over the feed, if it is connected.
    func send(_ command: FeedCommand) async throws {
        guard let socket = link.withLock({ $0.socket }) else { throw SwitchboardError(.unavailable, "the origin is not connected") }
        try await socket.send(command)
    }

    /// Posts a message as a user and waits for the origin's commit (`ack`) or refusal.
    /// If the feed drops meanwhile, the send goes again on the next one (see ``PendingReplies``).
    func post(_ send: FeedCommand.Send, timeout: Duration = .seconds(15)) async throws -> EncodedMessage {
        try await pending.request(ref: send.ref, command: .send(send), timeout: timeout) { try await self.send($0) }
    }

    /// Runs until stopped or cancelled.
    func run() async {
        let cursor: UInt64?
        do {
            cursor = try await blocking { try self.store.seq(self.workspaceID) }
        } catch {
            logger.error("reading the workspace's position from LMDB failed", metadata: ["workspace_id": "\(workspaceID)", "error": "\(error)"])
            cursor = nil
        }
        var action = update { $0.machine.start(cursor: cursor) }
        while !Task.isCancelled && !link.withLock({ $0.stopped }) {
            switch action {
            case .connect(let after):
                let origin = origins.url(for: workspaceID)
                do {
                    let feed = try await FeedSocket.openFeed(
                        originURL: origin, edgeKey: configuration.edgeKey, workspaceID: workspaceID,
                        after: after, edgeID: edgeID, region: configuration.region,
                        publicURL: publicURL(), tls: configuration.originTLS,
                        silenceLimit: .milliseconds(Int(configuration.feedSilenceLimitMs)))
                    link.withLock { link in
                        link.socket = feed
                        link.origin = origin
                    }
                    metrics.upstreamConnects.increment()
                    // Sends the last feed left unanswered: the origin's nonce check drops any it already has.
                    try await pending.resend { try await feed.send($0) }
                    try await consume(feed)
                    // A move to another process (or the origin closing) ends the feed without an error.
                    logger.info("the feed ended", metadata: ["workspace_id": "\(workspaceID)", "reason": "\(feed.endReason)"])
                } catch let failure as TLSFailure {
                    let said = TLSFailure(failure.underlying, server: "the origin \(origin)", trustOption: "--origin-ca") ?? failure
                    logger.error("\(said.description); the feed was not opened",
                                 metadata: ["workspace_id": "\(workspaceID)", "origin": "\(origin)", "error": "\(failure.underlying)"])
                } catch let declined as WebSocketDialer.UpgradeDeclined {
                    logger.warning("the origin refused the feed (wrong edge key, unknown workspace, or no client certificate its --edge-client-ca signed: its log says which)",
                                   metadata: ["workspace_id": "\(workspaceID)", "status": "\(declined.status)"])
                } catch {
                    logger.info("upstream disconnected", metadata: ["workspace_id": "\(workspaceID)", "error": "\(error)"])
                }
                if !link.withLock({ $0.moving || $0.stopped }) { origins.suspect(origin) }
                let (feed, next) = update { link in
                    defer {
                        link.socket = nil
                        link.origin = nil
                        link.moving = false
                    }
                    let next = link.machine.disconnected()
                    // A planned move reconnects at once.
                    if link.moving, case .wait = next { return (link.socket, link.machine.backoffElapsed()) }
                    return (link.socket, next)
                }
                await feed?.close()
                action = next
            case .wait(let ms):
                await backOff(ms: ms)
                action = update { $0.machine.backoffElapsed() }
            case .none:
                return
            }
        }
    }

    /// Reads the feed until it closes: snapshot chunks, then events applied in batches.
    private func consume(_ feed: FeedSocket) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The origin closes feeds that stay silent.
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(5))
                    try await feed.send(.heartbeat)
                }
            }
            group.addTask {
                // Presence: everything first (it replaces this edge's counts at the origin),
                // then the changes as they happen.
                let (counts, changes) = self.presence.beginReport()
                try await feed.send(.presenceSync(.init(connections: counts)))
                for await _ in changes {
                    for delta in self.presence.takeDeltas() { try await feed.send(.presence(delta)) }
                }
            }
            defer { group.cancelAll() }
            var first = true
            while let message = try await feed.next(timeout: .seconds(24 * 3600)) {
                if first {
                    let snapshot = if case .snapshot = message { true } else { false }
                    update { $0.machine.opened(snapshot: snapshot) }
                    if snapshot {
                        metrics.snapshotsReceived.increment()
                        try await blocking { try self.store.beginSnapshot(self.workspaceID) }
                    }
                    first = false
                }
                switch message {
                case .snapshot(let kind, let items):
                    try await blocking { try self.store.applySnapshot(self.workspaceID, kind: kind, payload: items) }
                case .snapshotEnd(let seq):
                    try await blocking { try self.store.endSnapshot(self.workspaceID, seq: seq) }
                    update { $0.machine.snapshotEnded(seq: seq) }
                    onSnapshot()
                    logger.info("snapshot applied", metadata: ["workspace_id": "\(workspaceID)", "seq": "\(seq)"])
                case .event:
                    try await applyEvents(startingWith: message, feed: feed)
                case .position(let seq):
                    update { $0.machine.announced(position: seq) }
                case .presenceState, .ack, .error:
                    dispatch([message])
                case .heartbeat:
                    continue   // dropped by the socket; kept for the switch
                }
            }
        }
    }

    /// Applies this event and every message already waiting, in one transaction.
    private func applyEvents(startingWith first: FeedMessage, feed: FeedSocket) async throws {
        var messages = [first]
        while messages.count < Self.batchLimit, let next = feed.nextIfReady() { messages.append(next) }
        let events = messages.compactMap { message -> FeedEvent? in
            guard case .event(let event) = message, event.isLogged else { return nil }
            return event
        }
        for event in events where event.content == nil {
            logger.warning("an event this edge cannot read was skipped",
                           metadata: ["workspace_id": "\(workspaceID)", "seq": "\(event.seq)", "type": "\(event.type.rawValue)"])
        }
        if let last = events.last {
            try await blocking { try self.store.apply(events, workspaceID: self.workspaceID) }
            update { $0.machine.appliedEvents(upTo: last.seq) }
            metrics.eventsApplied.increment(by: Int64(events.count))
        }
        dispatch(messages)
    }

    /// Answers go to the waiting `send`s; everything else to the fan-out.
    private func dispatch(_ messages: [FeedMessage]) {
        var rest: [FeedMessage] = []
        for message in messages {
            switch message {
            case .ack(let ref, let posted):
                pending.resolve(ref, .success(posted))
            case .error(let ref?, let refused):
                pending.resolve(ref, .failure(refused))
            case .error(nil, let refused):
                logger.warning("the origin refused a feed command",
                               metadata: ["workspace_id": "\(workspaceID)", "error": "\(refused.message)"])
            case .event, .presenceState:
                rest.append(message)
            case .snapshot, .snapshotEnd, .position, .heartbeat:
                continue
            }
        }
        if !rest.isEmpty { onEvents(rest) }
    }
}

