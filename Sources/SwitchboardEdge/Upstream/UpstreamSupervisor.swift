import Logging
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer

/// Keeps one ``WorkspaceUpstream`` per workspace that this edge serves: opened when first
/// needed (or at start for configured workspaces), closed after being idle for a while. Each
/// upstream runs as a child task of this service.
public final class UpstreamSupervisor: Service, Sendable {
    private let store: EdgeStore
    private let configuration: EdgeConfiguration
    private let origins: OriginPool
    private let logger: Logger
    private let metrics: EdgeMetrics
    private let upstreams = Locked<[Snowflake: WorkspaceUpstream]>([:])
    private let starts: AsyncStream<WorkspaceUpstream>
    private let startInput: AsyncStream<WorkspaceUpstream>.Continuation
    /// Where applied events go (the edge gateway's fan-out).
    private let gateway: EdgeGateway?

    /// Where clients reach this edge, told to the origin with each feed.
    private let publicURL: @Sendable () -> String

    init(store: EdgeStore, configuration: EdgeConfiguration, origins: OriginPool, logger: Logger, metrics: EdgeMetrics,
         gateway: EdgeGateway? = nil, publicURL: @escaping @Sendable () -> String) {
        self.publicURL = publicURL
        self.store = store
        self.configuration = configuration
        self.origins = origins
        self.logger = logger
        self.metrics = metrics
        self.gateway = gateway
        // One start request per workspace at most is ever pending; the stream stays small.
        (starts, startInput) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// The workspace's upstream, started if it was not running.
    @discardableResult
    func ensure(_ workspaceID: Snowflake) -> WorkspaceUpstream {
        let (upstream, created) = upstreams.withLock { upstreams -> (WorkspaceUpstream, Bool) in
            if let existing = upstreams[workspaceID] { return (existing, false) }
            let gateway = self.gateway
            let upstream = WorkspaceUpstream(workspaceID: workspaceID, store: store, configuration: configuration,
                                             origins: origins, logger: logger, metrics: metrics, publicURL: publicURL,
                                             onEvents: { gateway?.route($0, workspaceID: workspaceID) },
                                             onSnapshot: { gateway?.resync(workspaceID) })
            upstreams[workspaceID] = upstream
            return (upstream, true)
        }
        upstream.touch()
        if created { startInput.yield(upstream) }
        return upstream
    }

    /// Each open feed's state, for `/readyz`.
    func readiness() -> [Snowflake: UpstreamStateMachine.Readiness] {
        upstreams.withLock { $0 }.mapValues(\.readiness)
    }

    func upstream(_ workspaceID: Snowflake) -> WorkspaceUpstream? {
        upstreams.withLock { $0[workspaceID] }
    }

    /// Waits until the workspace's copy in LMDB is complete and current: a snapshot has ended
    /// and every event up to the position the origin announced is applied (or the time is up).
    /// If the origin cannot be reached, a copy left from before serves as it is.
    func waitUntilSynced(_ workspaceID: Snowflake) async throws {
        let upstream = ensure(workspaceID)
        // Give the first feed of this process a moment to connect and say where the log is,
        // then wait (up to syncWaitMs) for the copy to catch up with it; woken, not polled.
        _ = await upstream.wait(until: .connected, deadline: ContinuousClock.now + .seconds(2))
        guard await upstream.wait(until: .serving, deadline: ContinuousClock.now + .milliseconds(Int(configuration.syncWaitMs))) else {
            throw SwitchboardError(.unavailable, "this edge is still syncing the workspace; retry shortly")
        }
    }

    public func run() async throws {
        for workspace in configuration.workspaces {
            if let id = Snowflake(workspace) { ensure(id) }
        }
        let originChanges = origins.changes()
        await withDiscardingTaskGroup { group in
            group.addTask {
                // An origin process went down or came back: each feed checks where it belongs.
                for await _ in originChanges {
                    for upstream in self.upstreams.withLock({ Array($0.values) }) { await upstream.reconsiderOrigin() }
                }
            }
            group.addTask {
                // Close feeds nobody has used for a while.
                await runPeriodically(every: .milliseconds(Int(max(100, min(60_000, self.configuration.upstreamIdleMs / 4))))) {
                    let idle = self.upstreams.withLock { upstreams in
                        upstreams.values.filter { upstream in
                            upstream.idleMs > self.configuration.upstreamIdleMs
                                && !self.configuration.workspaces.contains(upstream.workspaceID.description)
                                && !(self.gateway?.hasSessions(upstream.workspaceID) ?? false)
                        }
                    }
                    for upstream in idle {
                        self.upstreams.withLock { $0[upstream.workspaceID] = nil }
                        await upstream.stop()
                    }
                }
            }
            if !configuration.durable {
                group.addTask {
                    // Commits skip fsync; the disk catches up here (and once more at the end), on the
                    // thread pool: an fsync can take long, and must not hold a cooperative thread.
                    await runPeriodically(every: .milliseconds(Int(max(50, self.configuration.syncIntervalMs)))) {
                        await self.syncToDisk()
                    }
                }
            }
            await withGracefulShutdownHandler {
                for await upstream in self.starts {
                    group.addTask { await upstream.run() }
                }
            } onGracefulShutdown: {
                self.startInput.finish()
            }
            // Shutting down: close every feed.
            for upstream in self.upstreams.withLock({ Array($0.values) }) { await upstream.stop() }
            await syncToDisk()
            group.cancelAll()
        }
    }

    /// Flushes LMDB's commits to disk. A failure is logged: the next flush tries again, and an
    /// edge that crashed before one replays the feed from the position on disk.
    private func syncToDisk() async {
        do {
            try await blocking { try self.store.sync() }
        } catch {
            logger.error("flushing LMDB to disk failed", metadata: ["error": "\(error)"])
        }
    }
}
