import Logging
import ServiceLifecycle
import Synchronization
import SwitchboardCore

/// Receives a workspace's committed events, in sequence order, from the ``EventHub``.
public protocol EventSink: AnyObject, Sendable {
    /// Called from the hub's pump with consecutive events. Must not block or suspend: enqueue
    /// and return. Returning `false` (a full queue) ends the subscription; the sink is
    /// expected to close its connection so its client resumes from its own cursor.
    func deliver(_ events: [WorkspaceEvent]) -> Bool
}

/// Delivers each workspace's event log, in order and without gaps, to its subscribers
/// (gateway sessions of this origin, edge feeds).
///
/// Writers only `poke` the hub after their transaction committed; one pump reads the log
/// from its cursor and hands the events to every sink. Because the log is the source, the
/// order subscribers see is the sequence order, whatever order concurrent writers finished in.
public final class EventHub: Service, Sendable {
    private struct Subscription {
        let sink: any EventSink
        let after: UInt64
    }

    private struct WorkspaceState {
        /// Everything up to here has been delivered to `sinks`.
        var cursor: UInt64
        var sinks: [ObjectIdentifier: any EventSink] = [:]
    }

    private struct State {
        var workspaces: [Snowflake: WorkspaceState] = [:]
        var dirty: Set<Snowflake> = []
        var pendingSubscriptions: [(Snowflake, Subscription)] = []
        var pendingRemovals: [(Snowflake, ObjectIdentifier)] = []
    }

    private let store: any Store
    private let logger: Logger
    private let state = Mutex(State())
    /// Wakes the pump; holds at most one pending wake-up, so pokes coalesce.
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    static let pageSize = 500

    public init(store: any Store, logger: Logger) {
        self.store = store
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// New events were committed in this workspace.
    public func poke(_ workspaceID: Snowflake) {
        state.withLock { _ = $0.dirty.insert(workspaceID) }
        wake.yield()
    }

    /// Events may have been committed in any workspace (by another process, while this one
    /// could not hear of it): every workspace with subscribers reads its log again.
    public func pokeAll() {
        state.withLock { $0.dirty.formUnion($0.workspaces.keys) }
        wake.yield()
    }

    /// Starts delivering the workspace's events after `after` to `sink`. The hub first sends
    /// whatever the log holds between `after` and its own cursor, so a subscriber that read a
    /// snapshot at `after` misses nothing and sees nothing twice.
    public func subscribe(_ sink: any EventSink, workspaceID: Snowflake, after: UInt64) {
        state.withLock { $0.pendingSubscriptions.append((workspaceID, Subscription(sink: sink, after: after))) }
        wake.yield()
    }

    public func unsubscribe(_ sink: any EventSink, workspaceID: Snowflake) {
        state.withLock { $0.pendingRemovals.append((workspaceID, ObjectIdentifier(sink))) }
        wake.yield()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in self.wakeups {
                await self.pump()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
    }

    /// One pass: apply (un)subscriptions, then bring every dirty workspace up to date.
    private func pump() async {
        let (subscriptions, removals, dirty) = state.withLock { state in
            defer {
                state.pendingSubscriptions.removeAll()
                state.pendingRemovals.removeAll()
                state.dirty.removeAll()
            }
            return (state.pendingSubscriptions, state.pendingRemovals, state.dirty)
        }
        for (workspaceID, sinkID) in removals {
            state.withLock { state in
                state.workspaces[workspaceID]?.sinks[sinkID] = nil
                if state.workspaces[workspaceID]?.sinks.isEmpty == true { state.workspaces[workspaceID] = nil }
            }
        }
        for (workspaceID, subscription) in subscriptions {
            await attach(subscription, to: workspaceID)
        }
        for workspaceID in dirty {
            await catchUp(workspaceID)
        }
    }

    private func attach(_ subscription: Subscription, to workspaceID: Snowflake) async {
        var cursor = state.withLock { $0.workspaces[workspaceID]?.cursor }
        if cursor == nil {
            guard let bounds = try? await store.eventLogBounds(workspaceID: workspaceID) else { return }
            cursor = bounds.lastSeq
            state.withLock { state in
                if state.workspaces[workspaceID] == nil { state.workspaces[workspaceID] = WorkspaceState(cursor: bounds.lastSeq) }
            }
            cursor = state.withLock { $0.workspaces[workspaceID]?.cursor }
        }
        guard let cursor else { return }
        // Catch this subscriber up to the hub's cursor before it joins the live stream.
        var position = subscription.after
        while position < cursor {
            guard let page = try? await store.events(workspaceID: workspaceID, after: position,
                                                     limit: min(Self.pageSize, Int(cursor - position))),
                  !page.isEmpty else { break }
            guard subscription.sink.deliver(page) else { return }
            position = page.last!.seq
        }
        state.withLock { $0.workspaces[workspaceID]?.sinks[ObjectIdentifier(subscription.sink)] = subscription.sink }
    }

    private func catchUp(_ workspaceID: Snowflake) async {
        while true {
            guard let cursor = state.withLock({ $0.workspaces[workspaceID]?.cursor }) else { return }
            let page: [WorkspaceEvent]
            do {
                page = try await store.events(workspaceID: workspaceID, after: cursor, limit: Self.pageSize)
            } catch {
                logger.error("reading the event log failed", metadata: ["workspace_id": "\(workspaceID)", "error": "\(error)"])
                return
            }
            guard let last = page.last else { return }
            let sinks = state.withLock { state -> [any EventSink] in
                state.workspaces[workspaceID]?.cursor = last.seq
                return Array(state.workspaces[workspaceID]?.sinks.values ?? [:].values)
            }
            for sink in sinks where !sink.deliver(page) {
                state.withLock { $0.workspaces[workspaceID]?.sinks[ObjectIdentifier(sink)] = nil }
            }
            if page.count < Self.pageSize { return }
        }
    }
}
