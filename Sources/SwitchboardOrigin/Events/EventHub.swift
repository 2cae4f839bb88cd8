import Foundation
import Logging
import ServiceLifecycle
import SwitchboardLocking
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
    private struct WorkspaceState {
        /// Everything up to here has been delivered to `sinks`.
        var cursor: UInt64
        var sinks: [ObjectIdentifier: any EventSink] = [:]
    }

    private struct State {
        var workspaces: [Snowflake: WorkspaceState] = [:]
        var dirty: Set<Snowflake> = []
        /// Sinks catching up before they join, by the subscription that started them: an
        /// unsubscribe meanwhile stops them joining.
        var joining: [ObjectIdentifier: UUID] = [:]
    }

    private let store: any Store
    private let logger: Logger
    private let state = Locked(State())
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

    /// Starts delivering the workspace's events after `after` to `sink`. The sink is first
    /// sent whatever the log holds between `after` and the hub's cursor — by a task of its own,
    /// so a subscriber far behind does not hold up the live stream of every workspace — then
    /// joins the live stream: it misses nothing and sees nothing twice.
    public func subscribe(_ sink: any EventSink, workspaceID: Snowflake, after: UInt64) {
        let token = UUID()
        state.withLock { $0.joining[ObjectIdentifier(sink)] = token }
        Task { await self.attach(sink, token: token, to: workspaceID, after: after) }
    }

    public func unsubscribe(_ sink: any EventSink, workspaceID: Snowflake) {
        state.withLock { state in
            state.joining[ObjectIdentifier(sink)] = nil
            state.workspaces[workspaceID]?.sinks[ObjectIdentifier(sink)] = nil
            if state.workspaces[workspaceID]?.sinks.isEmpty == true { state.workspaces[workspaceID] = nil }
        }
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

    /// One pass: bring every dirty workspace up to date.
    private func pump() async {
        let dirty = state.withLock { state in
            defer { state.dirty.removeAll() }
            return state.dirty
        }
        for workspaceID in dirty {
            await catchUp(workspaceID)
        }
    }

    /// Reads the log from `after` for `sink` until it reaches the hub's cursor, then makes it a
    /// live sink in the same step, so no page falls between the two.
    private func attach(_ sink: any EventSink, token: UUID, to workspaceID: Snowflake, after: UInt64) async {
        let id = ObjectIdentifier(sink)
        var position = after
        while true {
            // Join when caught up (or ahead: a later page repeats nothing the sink skips). The
            // first sink of a workspace starts the hub's cursor at its own position.
            let target = state.withLock { state -> UInt64? in
                guard state.joining[id] == token else { return 0 }
                if state.workspaces[workspaceID] == nil { state.workspaces[workspaceID] = WorkspaceState(cursor: position) }
                let cursor = state.workspaces[workspaceID]!.cursor
                guard position >= cursor else { return cursor }
                state.joining[id] = nil
                state.workspaces[workspaceID]!.sinks[id] = sink
                return nil
            }
            guard let target else {
                // Joined. Whatever was committed while no sink of this workspace listened is read now.
                poke(workspaceID)
                return
            }
            guard target > 0 else { return }
            let page: [WorkspaceEvent]
            do {
                page = try await store.events(workspaceID: workspaceID, after: position,
                                              limit: min(Self.pageSize, Int(target - position)))
            } catch {
                logger.error("reading the event log failed", metadata: ["workspace_id": "\(workspaceID)", "error": "\(error)"])
                return
            }
            // The log no longer holds what the sink needs (retention): it stays where it is.
            guard let last = page.last else { return }
            guard sink.deliver(page) else {
                state.withLock { _ = $0.joining.removeValue(forKey: id) }
                return
            }
            position = last.seq
        }
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
