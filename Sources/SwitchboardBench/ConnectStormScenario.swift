import Foundation
import SwitchboardClient
import SwitchboardCore

/// `connect-storm`: K clients identify at once (at most `parallelism` handshakes in flight);
/// how long until all have `ready`, bootstraps per second, and the server's CPU and memory —
/// with the memory each idle client costs once they are all connected.
public struct ConnectStormScenario: Sendable {
    public var manifest: BenchManifest
    public var serverURL: String
    public var originURL: String
    public var adminKey: String
    public var clients = 1_000
    public var parallelism = 500
    public var quiet = false

    public init(manifest: BenchManifest, serverURL: String, originURL: String, adminKey: String) {
        self.manifest = manifest
        self.serverURL = serverURL
        self.originURL = originURL
        self.adminKey = adminKey
    }

    public struct Report: Codable, Sendable {
        public var clients: Int
        public var parallelism: Int
        public var seconds: Double
        public var bootstrapsPerSecond: Double
        public var readyP50Ms: Double
        public var readyP99Ms: Double
        public var serverCPU: Double
        public var rssBeforeMB: Double
        public var rssAfterMB: Double
        /// (RSS with every client idle − RSS before) / clients.
        public var kbPerIdleClient: Double
        /// The same for anonymous memory only: without the LMDB pages the clients' working sets
        /// read into the edge's mapping (page cache, shared and reclaimable, and a one-off: the
        /// second connect of a user reads pages already resident).
        public var anonymousKBPerIdleClient: Double
    }

    public func run() async throws -> Report {
        raiseOpenFileLimit()
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        // More clients than users: some users connect more than once (several devices).
        let users = (0..<clients).map { manifest.userIDs[$0 % manifest.userIDs.count] }
        let distinct = Array(Set(users))
        let tokenProgress = ProgressBar("tokens", total: distinct.count, quiet: quiet)
        let minted = try await Fleet.tokens(for: distinct, workspaceID: manifest.workspaceID, admin: admin, progress: tokenProgress)
        tokenProgress.finish()
        let tokenOf = Dictionary(uniqueKeysWithValues: zip(distinct, minted))
        let tokens = users.map { tokenOf[$0]! }

        // The workspace is synced before the storm, so the storm measures connects alone.
        _ = try await SwitchboardClient(baseURL: serverURL, token: tokens[0], timeout: .seconds(300)).raw(.GET, "/api/users/me")
        let before = try await ProcessSample.read(serverURL)
        let progress = ProgressBar("connect-storm", total: clients, unit: "clients", quiet: quiet)
        let started = ContinuousClock.now
        let fleet = try await Fleet.connect(url: LiveSession.gatewayURL(serverURL), tokens: tokens, focus: { _ in nil },
                                            parallelism: parallelism, progress: progress)
        let seconds = (ContinuousClock.now - started).seconds
        progress.finish()
        let during = try await ProcessSample.read(serverURL)
        // Idle for a moment, so what remains is what idle sessions hold.
        try await Task.sleep(for: .seconds(2))
        let idle = try await ProcessSample.read(serverURL)
        for (socket, _) in fleet { await socket.close() }

        var ready = Samples()
        for (_, ms) in fleet { ready.add(ms) }
        return Report(clients: clients, parallelism: parallelism, seconds: seconds, bootstrapsPerSecond: Double(clients) / seconds,
                      readyP50Ms: ready.median, readyP99Ms: ready.percentile(99),
                      serverCPU: (during.cpuSeconds - before.cpuSeconds) / seconds,
                      rssBeforeMB: before.residentBytes / 1_048_576, rssAfterMB: idle.residentBytes / 1_048_576,
                      kbPerIdleClient: (idle.residentBytes - before.residentBytes) / 1_024 / Double(clients),
                      anonymousKBPerIdleClient: (idle.anonymousBytes - before.anonymousBytes) / 1_024 / Double(clients))
    }
}

extension ConnectStormScenario.Report {
    public var table: Table {
        Table(title: "connect-storm — \(Table.number(clients)) clients, \(parallelism) handshakes at a time",
              columns: ["seconds", "ready/s", "ready p50 ms", "ready p99 ms", "CPU", "RSS before MB", "RSS idle MB", "KB/client",
                        "anon KB/client"],
              rows: [[String(format: "%.1f", seconds), String(format: "%.0f", bootstrapsPerSecond), Table.ms(readyP50Ms),
                      Table.ms(readyP99Ms), String(format: "%.0f%%", serverCPU * 100), String(format: "%.0f", rssBeforeMB),
                      String(format: "%.0f", rssAfterMB), String(format: "%.1f", kbPerIdleClient),
                      String(format: "%.1f", anonymousKBPerIdleClient)]],
              notes: ["target: 10,000 idle clients on one edge at ≤ 16 KB RSS each (issue #13); anon: without LMDB's mapped pages"])
    }
}
