import Foundation
import Logging
import Synchronization
import SwitchboardSockets
import SwitchboardCore
import SwitchboardTLS

/// The one feed WebSocket of one workspace: connects (resuming from the stored seq, or
/// taking a snapshot), applies what arrives to LMDB in batches, reconnects with backoff.
final class WorkspaceUpstream: Sendable {
    let workspaceID: Snowflake
    private let store: EdgeStore
    private let configuration: EdgeConfiguration
    private let logger: Logger
    private let metrics: EdgeMetrics
    /// Everything that changes, under one lock: the feed's rules and progress (its state
    /// machine), the open socket, and the callers waiting for the copy to serve sessions.
    private struct Link {
        var machine = UpstreamStateMachine()
        var socket: FeedSocket?
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

    private let link = Mutex(Link())
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

    init(workspaceID: Snowflake, store: EdgeStore, configuration: EdgeConfiguration, logger: Logger, metrics: EdgeMetrics,
         publicURL: @escaping @Sendable () -> String,
         onEvents: @escaping @Sendable ([FeedMessage]) -> Void = { _ in }, onSnapshot: @escaping @Sendable () -> Void = {}) {
        self.workspaceID = workspaceID
        self.store = store
        self.configuration = configuration
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
        let socket = update { link -> FeedSocket? in
            link.stopped = true
            link.machine.stop()
            return link.socket
        }
        await socket?.close()
    }

    /// Sends a command to the origin over the feed, if it is connected.
    func send(_ command: FeedCommand) async throws {
        guard let socket = link.withLock({ $0.socket }) else { throw SwitchboardError(.unavailable, "the origin is not connected") }
        try await socket.send(command)
    }

    /// Posts a message as a user and waits for the origin's commit (`ack`) or refusal.
    func post(_ send: FeedCommand.Send, timeout: Duration = .seconds(15)) async throws -> Message {
        try await pending.request(ref: send.ref, timeout: timeout) { try await self.send(.send(send)) }
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
                do {
                    let feed = try await FeedSocket.openFeed(
                        originURL: configuration.origins.url(for: workspaceID), edgeKey: configuration.edgeKey, workspaceID: workspaceID,
                        after: after, edgeID: edgeID, region: configuration.region,
                        publicURL: publicURL(), tls: configuration.originTLS)
                    link.withLock { $0.socket = feed }
                    metrics.upstreamConnects.increment()
                    try await consume(feed)
                } catch let failure as TLSFailure {
                    let origin = configuration.origins.url(for: workspaceID)
                    let said = TLSFailure(failure.underlying, server: "the origin \(origin)", trustOption: "--origin-ca") ?? failure
                    logger.error("\(said.description); the feed was not opened",
                                 metadata: ["workspace_id": "\(workspaceID)", "origin": "\(origin)", "error": "\(failure.underlying)"])
                } catch let declined as WebSocketDialer.UpgradeDeclined {
                    logger.warning("the origin refused the feed (wrong edge key, unknown workspace, or no client certificate its --edge-client-ca signed: its log says which)",
                                   metadata: ["workspace_id": "\(workspaceID)", "status": "\(declined.status)"])
                } catch {
                    logger.info("upstream disconnected", metadata: ["workspace_id": "\(workspaceID)", "error": "\(error)"])
                }
                let (feed, next) = update { link in
                    defer { link.socket = nil }
                    return (link.socket, link.machine.disconnected())
                }
                await feed?.close()
                pending.failAll()
                action = next
            case .wait(let ms):
                try? await Task.sleep(for: .milliseconds(Int(ms)))
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
            case .snapshot, .snapshotEnd, .position:
                continue
            }
        }
        if !rest.isEmpty { onEvents(rest) }
    }
}

