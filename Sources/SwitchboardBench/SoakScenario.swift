import Foundation
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore

/// `soak`: a mixed load held for a long time — messages sent over the edge's gateway to
/// viewers looking at #general, REST reads at the edge (history pages, working sets, user
/// search), presence changes, and viewers that disconnect and come back — while the origin's
/// and the edge's memory, open files and CPU, and the delivery latency, are sampled. A server
/// that leaks shows it as a slope in those columns.
public struct SoakScenario: Sendable {
    public var manifest: BenchManifest
    public var originURL: String
    public var edgeURL: String
    public var adminKey: String
    public var seconds = 1_800.0
    /// One row of the report per this many seconds.
    public var sampleEvery = 60.0
    public var viewers = 100
    public var senders = 4
    /// Messages per second, over all senders.
    public var sendRate = 20.0
    /// REST reads per second.
    public var readRate = 10.0
    /// Presence changes per second.
    public var presenceRate = 2.0
    /// Each viewer stays connected this long on average before it disconnects and comes back.
    public var viewerLifetime = 120.0
    public var quiet = false

    public init(manifest: BenchManifest, originURL: String, edgeURL: String, adminKey: String) {
        self.manifest = manifest
        self.originURL = originURL
        self.edgeURL = edgeURL
        self.adminKey = adminKey
    }

    public struct Row: Codable, Sendable {
        public var atSeconds: Double
        public var originRSSMiB: Double
        public var edgeRSSMiB: Double
        public var originOpenFiles: Double
        public var edgeOpenFiles: Double
        public var originCPUPercent: Double
        public var edgeCPUPercent: Double
        public var sent: Int
        public var delivered: Int
        public var latencyP50Ms: Double
        public var latencyP99Ms: Double
        public var reads: Int
        public var presenceChanges: Int
        public var reconnects: Int
        public var errors: Int
    }

    public struct Report: Codable, Sendable {
        public var seconds: Double
        public var viewers: Int
        public var sendRate: Double
        public var rows: [Row]
        /// Last row minus the first (after warm-up): what a leak would make grow.
        public var edgeRSSDriftMiB: Double
        public var originRSSDriftMiB: Double
        public var edgeOpenFilesDrift: Double
        public var originOpenFilesDrift: Double
        public var errors: Int
        public var firstErrors: [String]
    }

    public func run() async throws -> Report {
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        let people = Array(manifest.userIDs.prefix(viewers + senders))
        guard people.count == viewers + senders else { throw BenchError("the workspace has \(manifest.userIDs.count) users; need \(viewers + senders)") }
        let tokens = try await Fleet.tokens(for: people, workspaceID: manifest.workspaceID, admin: admin)
        let gateway = SwitchboardClient.webSocketURL(edgeURL) + "/gateway"
        let general = manifest.generalChannelID
        let tally = Tally()
        let deadline = ContinuousClock.now + .seconds(seconds)
        // The load outlasts the last sample by a moment, so that sample sees it at full strength.
        let loadDeadline = deadline + .seconds(3)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<viewers {
                group.addTask { await Self.view(gateway, token: tokens[index], general: general, lifetime: viewerLifetime, until: loadDeadline, tally: tally) }
            }
            for index in 0..<senders {
                let interval = Double(senders) / max(sendRate, 0.001)
                group.addTask { await Self.send(gateway, token: tokens[viewers + index], general: general, every: interval, until: loadDeadline, tally: tally) }
            }
            group.addTask { await Self.read(edgeURL, tokens: Array(tokens.prefix(viewers)), general: general, every: 1 / max(readRate, 0.001), until: loadDeadline, tally: tally) }
            group.addTask { await Self.presence(edgeURL, tokens: Array(tokens.prefix(viewers)), every: 1 / max(presenceRate, 0.001), until: loadDeadline, tally: tally) }

            // Samples, one row per period, until the end.
            var rows: [Row] = []
            let started = ContinuousClock.now
            var previous = (origin: try await ProcessSample.read(originURL), edge: try await ProcessSample.read(edgeURL), at: started)
            while ContinuousClock.now < deadline {
                try await Task.sleep(until: min(deadline, ContinuousClock.now + .seconds(sampleEvery)))
                let now = ContinuousClock.now
                let origin = try await ProcessSample.read(originURL), edge = try await ProcessSample.read(edgeURL)
                let window = tally.takeWindow()
                let elapsed = (now - previous.at).seconds
                let row = Row(atSeconds: (now - started).seconds, originRSSMiB: origin.residentBytes / 1_048_576,
                              edgeRSSMiB: edge.residentBytes / 1_048_576, originOpenFiles: origin.openFiles, edgeOpenFiles: edge.openFiles,
                              originCPUPercent: 100 * (origin.cpuSeconds - previous.origin.cpuSeconds) / elapsed,
                              edgeCPUPercent: 100 * (edge.cpuSeconds - previous.edge.cpuSeconds) / elapsed,
                              sent: window.sent, delivered: window.latencies.count, latencyP50Ms: window.latencies.median,
                              latencyP99Ms: window.latencies.percentile(99), reads: window.reads, presenceChanges: window.presence,
                              reconnects: window.reconnects, errors: window.errors)
                rows.append(row)
                previous = (origin, edge, now)
                if !quiet {
                    print(String(format: "soak %6.0f s: edge %.1f MiB %.0f fds, origin %.1f MiB %.0f fds, %d sent, %d delivered, p99 %.1f ms, %d errors",
                                 row.atSeconds, row.edgeRSSMiB, row.edgeOpenFiles, row.originRSSMiB, row.originOpenFiles,
                                 row.sent, row.delivered, row.latencyP99Ms, row.errors))
                    fflush(nil)   // a row a minute, also when the output is a file
                }
            }
            try await group.waitForAll()
            // The first row is warm-up (connections opening, caches filling): drift is measured after it.
            let baseline = rows.count > 2 ? rows[1] : rows.first
            let last = rows.last
            return Report(seconds: seconds, viewers: viewers, sendRate: sendRate, rows: rows,
                          edgeRSSDriftMiB: (last?.edgeRSSMiB ?? 0) - (baseline?.edgeRSSMiB ?? 0),
                          originRSSDriftMiB: (last?.originRSSMiB ?? 0) - (baseline?.originRSSMiB ?? 0),
                          edgeOpenFilesDrift: (last?.edgeOpenFiles ?? 0) - (baseline?.edgeOpenFiles ?? 0),
                          originOpenFilesDrift: (last?.originOpenFiles ?? 0) - (baseline?.originOpenFiles ?? 0),
                          errors: rows.reduce(0) { $0 + $1.errors }, firstErrors: tally.firstErrors)
        }
    }

    // MARK: The load

    /// A viewer: identified at the edge looking at #general, heartbeating, timing each message
    /// from its send; after a random lifetime it disconnects and identifies again.
    static func view(_ gateway: String, token: String, general: Snowflake, lifetime: Double, until deadline: ContinuousClock.Instant,
                     tally: Tally) async {
        var first = true
        while ContinuousClock.now < deadline {
            do {
                let session = try await GatewaySocket.identify(gateway, token: token, focus: general, mailboxCapacity: 4_096)
                if !first { tally.count(\.reconnects) }
                first = false
                let leaveAt = min(deadline, ContinuousClock.now + .seconds(Double.random(in: 0.5...1.5) * lifetime))
                let beat = Duration.milliseconds(Int(session.hello.heartbeatIntervalMs / 2))
                var nextBeat = ContinuousClock.now + beat
                while ContinuousClock.now < leaveAt {
                    do {
                        guard let frame = try await session.socket.next(timeout: min(leaveAt, nextBeat) - ContinuousClock.now) else { break }
                        if frame.isMessageCreated, let sentAt = Self.sentAtMs(frame) {
                            tally.delivered(Double(Self.nowMs() - sentAt))
                        }
                    } catch is GatewaySocket.Timeout {
                        // Time for a heartbeat, or to leave.
                    }
                    if ContinuousClock.now >= nextBeat {
                        try await session.socket.send(.heartbeat(.init(s: nil)))
                        nextBeat = ContinuousClock.now + beat
                    }
                }
                await session.socket.close()
            } catch {
                tally.failed("viewer: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    static func send(_ gateway: String, token: String, general: Snowflake, every interval: Double, until deadline: ContinuousClock.Instant,
                     tally: Tally) async {
        var sender: GatewaySender?
        var next = ContinuousClock.now
        while ContinuousClock.now < deadline {
            do {
                if sender == nil { sender = try await GatewaySender.connect(gateway, token: token, channelID: general) }
                try await sender!.post("soak t=\(nowMs()) \(Vocabulary.sentences.randomElement()!)")
                tally.count(\.sent)
            } catch {
                tally.failed("sender: \(error)")
                await sender?.close()
                sender = nil
            }
            next = next + .seconds(interval)
            try? await Task.sleep(until: max(next, ContinuousClock.now))
        }
        await sender?.close()
    }

    static func read(_ edgeURL: String, tokens: [String], general: Snowflake, every interval: Double,
                     until deadline: ContinuousClock.Instant, tally: Tally) async {
        var next = ContinuousClock.now, turn = 0
        while ContinuousClock.now < deadline {
            let client = SwitchboardClient(baseURL: edgeURL, token: tokens.randomElement()!, timeout: .seconds(30))
            do {
                switch turn % 3 {
                case 0: _ = try await client.messages(in: general, limit: 50)
                case 1: _ = try await client.workingSet()
                default: _ = try await client.searchUsers(String("abcdefghijklmnoprstw".randomElement()!))
                }
                tally.count(\.reads)
            } catch {
                tally.failed("read: \(error)")
            }
            turn += 1
            next = next + .seconds(interval)
            try? await Task.sleep(until: max(next, ContinuousClock.now))
        }
    }

    static func presence(_ edgeURL: String, tokens: [String], every interval: Double, until deadline: ContinuousClock.Instant,
                         tally: Tally) async {
        var next = ContinuousClock.now
        while ContinuousClock.now < deadline {
            do {
                try await SwitchboardClient(baseURL: edgeURL, token: tokens.randomElement()!, timeout: .seconds(30))
                    .setPresence(Bool.random() ? .away : .active)
                tally.count(\.presence)
            } catch {
                tally.failed("presence: \(error)")
            }
            next = next + .seconds(interval)
            try? await Task.sleep(until: max(next, ContinuousClock.now))
        }
    }

    static func nowMs() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000) }

    /// The send time a soak message carries in its content (`soak t=MS …`).
    static func sentAtMs(_ frame: ServerFrame) -> UInt64? {
        guard let range = frame.raw.range(of: Data("soak t=".utf8)) else { return nil }
        let digits = frame.raw[range.upperBound...].prefix { $0 >= 0x30 && $0 <= 0x39 }
        return UInt64(String(decoding: digits, as: UTF8.self))
    }

    /// Counts of the current sampling window, shared by every task of the load.
    final class Tally: Sendable {
        struct Window {
            var sent = 0, reads = 0, presence = 0, reconnects = 0, errors = 0
            var latencies = Samples()
        }
        private let state = Locked((window: Window(), firstErrors: [String]()))

        func count(_ field: WritableKeyPath<Window, Int>) { state.withLock { $0.window[keyPath: field] += 1 } }
        func delivered(_ latencyMs: Double) { state.withLock { $0.window.latencies.add(latencyMs) } }
        func failed(_ what: String) {
            state.withLock {
                $0.window.errors += 1
                if $0.firstErrors.count < 10 { $0.firstErrors.append(what) }
            }
        }
        func takeWindow() -> Window { state.withLock { state in defer { state.window = Window() }; return state.window } }
        var firstErrors: [String] { state.withLock { $0.firstErrors } }
    }
}

extension ServerFrame {
    var isMessageCreated: Bool { op == "event" && t == EventType.messageCreated.rawValue }
}

extension SoakScenario.Report {
    public var table: Table {
        Table(title: "soak — \(Int(seconds / 60)) min, \(viewers) viewers, \(sendRate) msg/s, reads, presence, reconnects",
              columns: ["s", "edge MiB", "edge fds", "edge CPU %", "origin MiB", "origin fds", "origin CPU %", "sent", "delivered",
                        "p50 ms", "p99 ms", "reads", "reconnects", "errors"],
              rows: rows.map { row in
                  [String(format: "%.0f", row.atSeconds), String(format: "%.1f", row.edgeRSSMiB), String(format: "%.0f", row.edgeOpenFiles),
                   String(format: "%.0f", row.edgeCPUPercent), String(format: "%.1f", row.originRSSMiB),
                   String(format: "%.0f", row.originOpenFiles), String(format: "%.0f", row.originCPUPercent), Table.number(row.sent),
                   Table.number(row.delivered), Table.ms(row.latencyP50Ms), Table.ms(row.latencyP99Ms), Table.number(row.reads),
                   Table.number(row.reconnects), Table.number(row.errors)]
              },
              notes: [String(format: "drift after the first sample: edge %+.1f MiB, %+.0f fds; origin %+.1f MiB, %+.0f fds",
                             edgeRSSDriftMiB, edgeOpenFilesDrift, originRSSDriftMiB, originOpenFilesDrift)]
                + firstErrors.prefix(3).map { "error: \($0)" })
    }
}
