import AsyncHTTPClient
import Logging
import Prometheus
import ServiceLifecycle
import SwitchboardLocking
import SwitchboardCore
import SwitchboardServer

/// The origin processes as this edge sees them: probes each one's `/readyz` every
/// `originProbeIntervalMs` and answers which process serves a workspace *now* — the first in
/// the workspace's rendezvous order that is up. A process that dies (or drains: its `/readyz`
/// turns 503) loses its workspaces to the next one in their order; when it is back they return.
/// Every edge probes for itself and reaches the same answer, without coordination.
public final class OriginPool: Service, Sendable {
    let directory: OriginDirectory
    private let http: HTTPClient
    private let intervalMs: UInt64
    private let timeoutMs: UInt64
    private let logger: Logger
    private let health: Locked<OriginHealth>
    /// `switchboard_edge_origin_up{origin}`, one per process.
    private let upGauges: [String: Prometheus.Gauge]
    /// Woken after each change of which processes are up (the upstreams then reconsider).
    private let watchers = Locked<[AsyncStream<Void>.Continuation]>([])
    /// The wait before the next round of probes (cancelled to probe at once).
    private let nextRound = Locked<Task<Void, Never>?>(nil)

    init(directory: OriginDirectory, http: HTTPClient, intervalMs: UInt64, timeoutMs: UInt64, logger: Logger, metrics: EdgeMetrics) {
        self.directory = directory
        self.http = http
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
        self.logger = logger
        health = Locked(OriginHealth(urls: directory.urls))
        upGauges = Dictionary(directory.urls.map { ($0, metrics.originUp($0)) }, uniquingKeysWith: { first, _ in first })
        for gauge in upGauges.values { gauge.set(to: 1) }
    }

    /// The process serving `workspaceID` now; the first one that is up for requests without a
    /// workspace (sign-in, webhooks), which any process answers alike. With every process down,
    /// the directory's own first choice (whichever comes back first is then found by retrying).
    public func url(for workspaceID: Snowflake?) -> String {
        let up = health.withLock { $0.up }
        return directory.url(for: workspaceID, among: up) ?? directory.url(for: workspaceID)
    }

    func isUp(_ url: String) -> Bool { health.withLock { $0.isUp(url) } }

    /// A stream that yields after every change (at most one pending: a late reader sees the latest).
    func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        watchers.withLock { $0.append(continuation) }
        return stream
    }

    public func run() async throws {
        defer { for watcher in watchers.withLock({ $0 }) { watcher.finish() } }
        // One process: nothing to fail over to, so nothing to probe. (A service that returns
        // would end the whole edge: this one waits for the shutdown instead.)
        guard directory.urls.count > 1 else { return try await gracefulShutdown() }
        let stopping = ShutdownFlag()
        await withGracefulShutdownHandler {
            while !stopping.isSet && !Task.isCancelled {
                await probeAll()
                let sleep = Task<Void, Never> {
                    do { try await Task.sleep(for: .milliseconds(Int(self.intervalMs))) } catch {
                        // Cut short: a feed dropped, or shutting down.
                    }
                }
                nextRound.withLock { $0 = sleep }
                await sleep.value
            }
        } onGracefulShutdown: {
            stopping.set()
            self.nextRound.withLock { $0 }?.cancel()
        }
    }

    /// A feed to `url` dropped or failed to open: probe now rather than at the next round, so
    /// that a dead process is noticed in two probe timeouts.
    func suspect(_ url: String) {
        guard directory.urls.count > 1, isUp(url) else { return }
        nextRound.withLock { $0 }?.cancel()
    }

    /// One round: every process at once, each bounded by the timeout.
    func probeAll() async {
        let answers = await withTaskGroup(of: (String, Bool).self) { group in
            for url in directory.urls { group.addTask { (url, await self.probe(url)) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var changed = false
        for (url, healthy) in answers {
            guard health.withLock({ $0.record(url, healthy: healthy) }) else { continue }
            changed = true
            upGauges[url]?.set(to: healthy ? 1 : 0)
            if healthy {
                logger.notice("origin process is back: its workspaces return to it", metadata: ["origin": "\(url)"])
            } else {
                logger.warning("origin process is down or not ready: its workspaces move to the next process",
                               metadata: ["origin": "\(url)"])
            }
        }
        if changed { for watcher in watchers.withLock({ $0 }) { watcher.yield() } }
    }

    /// True when `/readyz` answers 200 in time.
    private func probe(_ url: String) async -> Bool {
        do {
            let response = try await http.execute(HTTPClientRequest(url: url + "/readyz"), timeout: .milliseconds(Int64(timeoutMs)))
            // Read the body so that the connection goes back to the pool.
            _ = try await response.body.collect(upTo: 64 << 10)
            return response.status.code == 200
        } catch {
            logger.debug("origin probe failed", metadata: ["origin": "\(url)", "error": "\(error)"])
            return false
        }
    }
}
