import Foundation
import SwitchboardClient
import SwitchboardCore

/// `history-herd`: K users open the same page of one channel's history at once — a page
/// older than the edge's cache, so it has to come from the origin. Counts the origin requests
/// the edge made for them (its single-flight cache should make it one).
public struct HistoryHerdScenario: Sendable {
    public var manifest: BenchManifest
    public var edgeURL: String
    public var originURL: String
    public var adminKey: String
    public var requests = 1_000
    public var quiet = false

    public init(manifest: BenchManifest, edgeURL: String, originURL: String, adminKey: String) {
        self.manifest = manifest
        self.edgeURL = edgeURL
        self.originURL = originURL
        self.adminKey = adminKey
    }

    public struct Report: Codable, Sendable {
        public var requests: Int
        public var originFetches: Double
        public var latencyP50Ms: Double
        public var latencyP99Ms: Double
        public var seconds: Double
    }

    public func run() async throws -> Report {
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        let users = BootstrapScenario.spread(manifest.userIDs, count: min(requests, manifest.userIDs.count))
        let tokenProgress = ProgressBar("tokens", total: users.count, quiet: quiet)
        let tokens = try await Fleet.tokens(for: users, workspaceID: manifest.workspaceID, admin: admin, progress: tokenProgress)
        tokenProgress.finish()
        let general = manifest.generalChannelID
        // The oldest message the edge holds for #general: the page before it is not cached.
        let first = SwitchboardClient(baseURL: edgeURL, token: tokens[0], timeout: .seconds(300))
        guard let oldest = try await first.messages(in: general, limit: 100).messages.first?.id else {
            throw BenchError("#general has no messages")
        }
        let fetchesBefore = try await ProcessSample.metric("switchboard_edge_history_origin_fetches_total", at: edgeURL)
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: Double.self) { group in
            for index in 0..<requests {
                let client = SwitchboardClient(baseURL: edgeURL, token: tokens[index % tokens.count], timeout: .seconds(120))
                group.addTask {
                    let begun = ContinuousClock.now
                    _ = try await client.messages(in: general, before: oldest, limit: 50)
                    return (ContinuousClock.now - begun).milliseconds
                }
            }
            var samples = Samples()
            for try await latency in group { samples.add(latency) }
            return samples
        }
        let seconds = (ContinuousClock.now - started).seconds
        let fetches = try await ProcessSample.metric("switchboard_edge_history_origin_fetches_total", at: edgeURL) - fetchesBefore
        return Report(requests: requests, originFetches: fetches, latencyP50Ms: latencies.median,
                      latencyP99Ms: latencies.percentile(99), seconds: seconds)
    }
}

extension HistoryHerdScenario.Report {
    public var table: Table {
        Table(title: "history-herd — \(Table.number(requests)) concurrent opens of one uncached page",
              columns: ["origin requests", "p50 ms", "p99 ms", "seconds"],
              rows: [[String(format: "%.0f", originFetches), Table.ms(latencyP50Ms), Table.ms(latencyP99Ms),
                      String(format: "%.2f", seconds)]],
              notes: ["target: 1,000 history opens → 1 origin request"])
    }
}
