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
    private let socket = Mutex<FeedSocket?>(nil)
    private let stopped = Mutex(false)
    private let lastUsedMs = Mutex(WallClock.nowMs())
    /// Applied events go on to local fan-out (the gateway) through this hook.
    let onEvents: @Sendable ([FeedMessage]) -> Void
    /// Called when a snapshot has replaced the workspace: local sessions may have missed events
    /// (or read a half-written copy) and must start over.
    let onSnapshot: @Sendable () -> Void
    /// True from the first snapshot frame to `snapshot_end`: LMDB holds a partial copy.
    private let snapshotting = Mutex(false)
    /// The current connection has said whether a snapshot comes (its first frame arrived).
    private let current = Mutex(false)
    /// Some connection of this process has: LMDB is no longer a copy left from before a restart.
    private let wasCurrent = Mutex(false)
    /// The log position the origin announced when this connection started; LMDB is caught up
    /// once its seq reaches it (a replay after a long absence can be large).
    private let target = Mutex<UInt64?>(nil)
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

    func touch() { lastUsedMs.withLock { $0 = WallClock.nowMs() } }
    var idleMs: UInt64 { WallClock.nowMs() - lastUsedMs.withLock { $0 } }
    var isLive: Bool { socket.withLock { $0 != nil } }
    var isSnapshotting: Bool { snapshotting.withLock { $0 } }
    /// Connected, and LMDB is either being replaced or being brought up to date in order.
    var isCurrent: Bool { current.withLock { $0 } }
    var hasBeenCurrent: Bool { wasCurrent.withLock { $0 } }

    /// Connected, not in a snapshot, and LMDB has every event up to the announced position.
    var isCaughtUp: Bool {
        guard isCurrent, !isSnapshotting, let target = target.withLock({ $0 }) else { return false }
        return ((try? store.seq(workspaceID)) ?? nil).map { $0 >= target } ?? false
    }

    /// Stops the loop and closes the socket.
    func stop() async {
        stopped.withLock { $0 = true }
        await socket.withLock { $0 }?.close()
    }

    /// Sends a command to the origin over the feed, if it is connected.
    func send(_ command: FeedCommand) async throws {
        guard let socket = socket.withLock({ $0 }) else { throw SwitchboardError(.unavailable, "the origin is not connected") }
        try await socket.send(command)
    }

    /// Posts a message as a user and waits for the origin's commit (`ack`) or refusal.
    func post(_ send: FeedCommand.Send, timeout: Duration = .seconds(15)) async throws -> Message {
        try await pending.request(ref: send.ref, timeout: timeout) { try await self.send(.send(send)) }
    }

    /// Runs until stopped or cancelled.
    func run() async {
        var machine = UpstreamStateMachine()
        var action = machine.start(cursor: try? store.seq(workspaceID))
        while !Task.isCancelled && !stopped.withLock({ $0 }) {
            switch action {
            case .connect(let after):
                do {
                    let feed = try await FeedSocket.openFeed(
                        originURL: configuration.origins.url(for: workspaceID), edgeKey: configuration.edgeKey, workspaceID: workspaceID,
                        after: after, edgeID: edgeID, region: configuration.region,
                        publicURL: publicURL(), tls: configuration.originTLS)
                    socket.withLock { $0 = feed }
                    metrics.upstreamConnects.increment()
                    try await consume(feed, machine: &machine)
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
                if let feed = socket.withLock({ state -> FeedSocket? in defer { state = nil }; return state }) { await feed.close() }
                pending.failAll()
                // A snapshot cut short left no seq: the next connection starts with a snapshot.
                snapshotting.withLock { $0 = false }
                current.withLock { $0 = false }
                target.withLock { $0 = nil }
                action = machine.disconnected()
            case .wait(let ms):
                try? await Task.sleep(for: .milliseconds(Int(ms)))
                action = machine.backoffElapsed(cursor: try? store.seq(workspaceID))
            case .none:
                return
            }
        }
    }

    /// Reads the feed until it closes: snapshot chunks, then events applied in batches.
    private func consume(_ feed: FeedSocket, machine: inout UpstreamStateMachine) async throws {
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
                    machine.opened(snapshot: snapshot)
                    // Snapshotting is known before anyone can see this connection as current.
                    if snapshot { snapshotting.withLock { $0 = true } }
                    current.withLock { $0 = true }
                    wasCurrent.withLock { $0 = true }
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
                    snapshotting.withLock { $0 = false }
                    onSnapshot()
                    machine.snapshotEnded()
                    logger.info("snapshot applied", metadata: ["workspace_id": "\(workspaceID)", "seq": "\(seq)"])
                case .event:
                    try await applyEvents(startingWith: message, feed: feed)
                case .position(let seq):
                    target.withLock { $0 = seq }
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
        if !events.isEmpty {
            try await blocking { try self.store.apply(events, workspaceID: self.workspaceID) }
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

