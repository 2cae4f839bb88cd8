import Foundation
import SwitchboardClient
import SwitchboardCore

/// `bootstrap`: what a connect costs. For a sample of users, the full bootstrap
/// (`GET /api/rtm.start` at the origin) against the working set (the edge's `GET /api/bootstrap`
/// and its gateway `ready`): bytes raw and gzipped, and latency percentiles.
public struct BootstrapScenario: Sendable {
    public var manifest: BenchManifest
    public var originURL: String
    public var edgeURL: String
    public var adminKey: String
    /// Users whose working set is measured (each over REST and over the gateway).
    public var samples = 100
    /// Users whose full bootstrap is measured (it is large: fewer).
    public var fullSamples = 20
    public var quiet = false

    public init(manifest: BenchManifest, originURL: String, edgeURL: String, adminKey: String) {
        self.manifest = manifest
        self.originURL = originURL
        self.edgeURL = edgeURL
        self.adminKey = adminKey
    }

    public struct Measurement: Codable, Sendable {
        public var name: String
        public var requests: Int
        public var bytesP50: Double
        public var bytesMax: Double
        public var gzipP50: Double
        public var latencyP50Ms: Double
        public var latencyP99Ms: Double
    }

    public struct Report: Codable, Sendable {
        public var users: Int
        public var full: Measurement
        public var workingSet: Measurement
        public var ready: Measurement
        /// `ready` as it crossed the wire (WebSocket framing included), median bytes: as sent
        /// to a client that did not offer compression, and to one that offered permessage-deflate.
        public var readyWireBytesP50: Double
        public var readyDeflatedWireBytesP50: Double
        /// Full bootstrap bytes over working-set bytes (medians), raw and gzipped.
        public var ratio: Double
        public var gzipRatio: Double
        /// Seconds until the edge had the workspace (its first request includes the snapshot).
        public var edgeSyncSeconds: Double
    }

    public func run() async throws -> Report {
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        let users = Self.spread(manifest.userIDs, count: max(samples, fullSamples))
        var tokens: [String] = []
        for user in users { tokens.append(try await admin.issueToken(workspaceID: manifest.workspaceID, userID: user)) }

        // The edge's first request for the workspace waits for its snapshot: timed apart.
        let syncStarted = ContinuousClock.now
        let edge0 = SwitchboardClient(baseURL: edgeURL, token: tokens[0], timeout: .seconds(300))
        while true {
            do {
                _ = try await edge0.workingSet()
                break
            } catch let error as APIError where error.code == .unavailable {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let edgeSync = (ContinuousClock.now - syncStarted).seconds

        let progress = ProgressBar("bootstrap", total: fullSamples + 2 * samples, unit: "requests", quiet: quiet)
        var full = Recorder(name: "full bootstrap (origin GET /api/rtm.start)")
        for token in tokens.prefix(fullSamples) {
            let client = SwitchboardClient(baseURL: originURL, token: token, timeout: .seconds(300))
            try await full.measure { try await Self.body(client, "/api/rtm.start") }
            progress.advance()
        }
        var workingSet = Recorder(name: "working set (edge GET /api/bootstrap)")
        for token in tokens.prefix(samples) {
            let client = SwitchboardClient(baseURL: edgeURL, token: token)
            try await workingSet.measure { try await Self.body(client, "/api/bootstrap") }
            progress.advance()
        }
        var ready = Recorder(name: "working set (edge gateway ready)")
        let gateway = LiveSession.gatewayURL(edgeURL)
        var wire = Samples(), deflatedWire = Samples()
        for token in tokens.prefix(samples) {
            for compress in [false, true] {
                let counter = WireCounter()
                let socket = try await GatewaySocket.connect(gateway, compress: compress, wire: counter)
                _ = try await socket.expect("hello")
                let before = counter.bytesRead
                if compress {
                    try await socket.send(.identify(.init(token: token)))
                    _ = try await socket.expect("ready", timeout: .seconds(60))
                } else {
                    try await ready.measure {
                        try await socket.send(.identify(.init(token: token)))
                        return [UInt8](try await socket.expect("ready", timeout: .seconds(60)).raw)
                    }
                }
                (compress ? { deflatedWire.add($0) } : { wire.add($0) })(Double(counter.bytesRead - before))
                await socket.close()
            }
            progress.advance()
        }
        progress.finish()
        let fullResult = full.result, workingResult = workingSet.result
        return Report(users: manifest.shape.users, full: fullResult, workingSet: workingResult, ready: ready.result,
                      readyWireBytesP50: wire.median, readyDeflatedWireBytesP50: deflatedWire.median,
                      ratio: fullResult.bytesP50 / max(1, workingResult.bytesP50),
                      gzipRatio: fullResult.gzipP50 / max(1, workingResult.gzipP50), edgeSyncSeconds: edgeSync)
    }

    static func body(_ client: SwitchboardClient, _ path: String) async throws -> [UInt8] {
        let (status, body) = try await client.raw(.GET, path)
        guard status == 200 else { throw BenchError("\(path) answered \(status): \(String(decoding: body.prefix(200), as: UTF8.self))") }
        return [UInt8](body)
    }

    /// `count` items spread evenly over `items` (a deterministic sample).
    static func spread<T>(_ items: [T], count: Int) -> [T] {
        guard items.count > count, count > 0 else { return items }
        return (0..<count).map { items[$0 * items.count / count] }
    }

    struct Recorder {
        let name: String
        var bytes = Samples(), gzip = Samples(), latency = Samples()

        mutating func measure(_ request: () async throws -> [UInt8]) async throws {
            let started = ContinuousClock.now
            let body = try await request()
            latency.add((ContinuousClock.now - started).milliseconds)
            bytes.add(Double(body.count))
            gzip.add(Double(gzippedSize(body)))
        }

        var result: Measurement {
            Measurement(name: name, requests: latency.count, bytesP50: bytes.median, bytesMax: bytes.percentile(100),
                        gzipP50: gzip.median, latencyP50Ms: latency.median, latencyP99Ms: latency.percentile(99))
        }
    }
}

extension BootstrapScenario.Report {
    /// Slack's Flannel figures (working set vs full bootstrap) for comparison.
    static let flannel: [(users: Int, ratio: Double)] = [(1_500, 7), (32_000, 44)]

    public var table: Table {
        let rows = [full, workingSet, ready].map { m in
            [m.name, String(m.requests), Table.number(Int(m.bytesP50)), Table.number(Int(m.gzipP50)),
             Table.ms(m.latencyP50Ms), Table.ms(m.latencyP99Ms)]
        }
        let nearest = Self.flannel.min { abs($0.users - users) < abs($1.users - users) }!
        return Table(title: "bootstrap — \(Table.number(users)) users", columns: ["", "n", "bytes p50", "gzip p50", "p50 ms", "p99 ms"],
                     rows: rows, notes: [
                        String(format: "working set is %.1fx smaller raw, %.1fx gzipped (Flannel measured %.0fx at %@ users)",
                               ratio, gzipRatio, nearest.ratio, Table.number(nearest.users)),
                        String(format: "edge's first request for the workspace (feed snapshot into LMDB): %.1f s", edgeSyncSeconds),
                        "`ready` on the wire (p50): \(Table.number(Int(readyWireBytesP50))) B plain, "
                            + "\(Table.number(Int(readyDeflatedWireBytesP50))) B with permessage-deflate",
                     ])
    }
}
