import Foundation
import SwitchboardClient
import SwitchboardCore

/// `origin`: the origin alone. Message writes with S concurrent senders (each posting as fast
/// as its answers come), and history page latency in a channel holding a million messages.
/// The origin must run with `--rate-limit 0` for the write part.
public struct OriginScenario: Sendable {
    public var manifest: BenchManifest
    public var originURL: String
    public var adminKey: String
    public var senders = 32
    public var seconds = 20
    /// Post over this server's gateway (an edge's, usually) instead of the origin's REST API.
    public var gatewayURL: String?
    /// Messages loaded into the history channel (by bulk import; reused when already there).
    public var historyMessages = 1_000_000
    public var historyRequests = 500
    public var quiet = false

    public init(manifest: BenchManifest, originURL: String, adminKey: String) {
        self.manifest = manifest
        self.originURL = originURL
        self.adminKey = adminKey
    }

    public struct Report: Codable, Sendable {
        public var senders: Int
        public var via: String
        public var messages: Int
        public var messagesPerSecond: Double
        public var writeP50Ms: Double
        public var writeP99Ms: Double
        public var historyMessages: Int
        public var historyLoadSeconds: Double
        public var historyP50Ms: Double
        public var historyP99Ms: Double
    }

    public func run() async throws -> Report {
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(300))
        let users = Array(manifest.userIDs.prefix(senders))
        let tokens = try await Fleet.tokens(for: users, workspaceID: manifest.workspaceID, admin: admin)
        let general = manifest.generalChannelID

        // Writes.
        let progress = ProgressBar("writes", total: seconds, unit: "s", quiet: quiet)
        let started = ContinuousClock.now
        let deadline = started + .seconds(seconds)
        let ticker = Task {
            for _ in 0..<seconds {
                try await Task.sleep(for: .seconds(1))
                progress.advance()
            }
        }
        var posters: [@Sendable (String) async throws -> Void] = []
        for token in tokens {
            if let gatewayURL {
                let sender = try await GatewaySender.connect(LiveSession.gatewayURL(gatewayURL), token: token, channelID: general)
                posters.append { try await sender.post($0) }
            } else {
                let client = SwitchboardClient(baseURL: originURL, token: token)
                posters.append { _ = try await client.post($0, to: general) }
            }
        }
        let latencies = try await withThrowingTaskGroup(of: Samples.self) { group in
            for post in posters {
                group.addTask {
                    var samples = Samples(), count = 0
                    while ContinuousClock.now < deadline {
                        let begun = ContinuousClock.now
                        do {
                            try await post("throughput \(count)")
                        } catch let error as APIError where error.code == .rateLimited {
                            throw BenchError("the origin limits message rates: start it with --rate-limit 0 for this scenario")
                        } catch let error as SwitchboardError where error.code == .rateLimited {
                            throw BenchError("the origin limits message rates: start it with --rate-limit 0 for this scenario")
                        }
                        samples.add((ContinuousClock.now - begun).milliseconds)
                        count += 1
                    }
                    return samples
                }
            }
            var all = Samples()
            for try await samples in group { for value in samples.values { all.add(value) } }
            return all
        }
        let writeSeconds = (ContinuousClock.now - started).seconds
        ticker.cancel()
        progress.finish()

        // History: a channel with a million messages, loaded once by bulk import.
        let (channel, loadSeconds) = try await historyChannel(admin: admin)
        let reader = SwitchboardClient(baseURL: originURL, token: tokens[0])
        let newest = try await reader.messages(in: channel, limit: 1).messages.last?.id.rawValue ?? 0
        let oldest = try await reader.messages(in: channel, after: Snowflake(0), limit: 1).messages.first?.id.rawValue ?? 0
        var history = Samples()
        var rng = SplitMix64(seed: 7)
        for _ in 0..<historyRequests {
            let cursor = Snowflake(UInt64.random(in: oldest...max(oldest, newest), using: &rng))
            let begun = ContinuousClock.now
            _ = try await reader.messages(in: channel, before: cursor, limit: 50)
            history.add((ContinuousClock.now - begun).milliseconds)
        }
        return Report(senders: senders, via: gatewayURL.map { "gateway of \($0)" } ?? "REST", messages: latencies.count, messagesPerSecond: Double(latencies.count) / writeSeconds,
                      writeP50Ms: latencies.median, writeP99Ms: latencies.percentile(99), historyMessages: historyMessages,
                      historyLoadSeconds: loadSeconds, historyP50Ms: history.median, historyP99Ms: history.percentile(99))
    }

    /// `#history-bench`, holding `historyMessages` messages from the first sender.
    private func historyChannel(admin: SwitchboardClient) async throws -> (Snowflake, Double) {
        let author = manifest.userIDs[0]
        let reader = SwitchboardClient(baseURL: originURL, token: try await admin.issueToken(workspaceID: manifest.workspaceID,
                                                                                         userID: author))
        if let existing = try await reader.channels().first(where: { $0.name == "history-bench" }) { return (existing.id, 0) }
        let started = ContinuousClock.now
        let nowMs = UInt64(Date().timeIntervalSince1970 * 1_000)
        let channelID = Snowflake(timestampMs: nowMs - 400 * 86_400_000, worker: 1_022, sequence: 0)
        var first = ImportBatch()
        first.channels = [Channel(id: channelID, workspaceID: manifest.workspaceID, name: "history-bench", kind: .public,
                                  creatorID: author, createdAtMs: nowMs - 400 * 86_400_000)]
        first.memberships = [ImportMembership(channelID: channelID, userID: author)]
        _ = try await admin.importBatch(workspaceID: manifest.workspaceID, first)
        let progress = ProgressBar("history", total: historyMessages, unit: "messages", quiet: quiet)
        let perBatch = 20_000
        // One message every 30 s going back a year: a realistic spread of ids.
        let startMs = nowMs - UInt64(historyMessages) * 30_000
        for batchStart in stride(from: 0, to: historyMessages, by: perBatch) {
            var batch = ImportBatch()
            for index in batchStart..<min(historyMessages, batchStart + perBatch) {
                let timeMs = startMs + UInt64(index) * 30_000
                batch.messages.append(Message(id: Snowflake(timestampMs: timeMs, worker: 1_022, sequence: 1), channelID: channelID,
                                              authorID: author, content: Vocabulary.sentences[index % Vocabulary.sentences.count],
                                              createdAtMs: timeMs))
            }
            _ = try await admin.importBatch(workspaceID: manifest.workspaceID, batch)
            progress.advance(by: batch.messages.count)
        }
        progress.finish()
        return (channelID, (ContinuousClock.now - started).seconds)
    }
}

extension OriginScenario.Report {
    public var table: Table {
        Table(title: "origin — \(senders) senders over \(via); history in a channel of \(Table.number(historyMessages)) messages",
              columns: ["messages", "msg/s", "write p50 ms", "write p99 ms", "history p50 ms", "history p99 ms"],
              rows: [[Table.number(messages), String(format: "%.0f", messagesPerSecond), Table.ms(writeP50Ms), Table.ms(writeP99Ms),
                      Table.ms(historyP50Ms), Table.ms(historyP99Ms)]],
              notes: ["target: ≥ 5,000 messages/s on SQLite" + (historyLoadSeconds > 0
                        ? String(format: "; history channel loaded in %.0f s", historyLoadSeconds) : "")])
    }
}
