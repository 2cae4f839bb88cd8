import Dispatch
import Foundation
import Histogram
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore

/// `fanout`: C clients connected to one gateway (an edge's, or the origin's for comparison),
/// all members of `#general`, V of them looking at it; R senders post one message a second
/// each for T seconds. Measures each delivery's latency from the send to its arrival, the
/// deliveries and badges, and the server's CPU and memory.
public struct FanoutScenario: Sendable {
    public var manifest: BenchManifest
    /// The gateway's server (`http://…`): the edge, or the origin.
    public var serverURL: String
    public var originURL: String
    public var adminKey: String
    public var clients = 1_200
    public var viewers = 1_000
    /// Messages per second, spread evenly over the senders.
    public var rate = 20
    /// Posting users; nil: one per message per second (each within the default rate limit).
    public var senders: Int?
    public var seconds = 30
    /// Post over the gateway's `send` (through `serverURL`) instead of the origin's REST API.
    public var viaGateway = false
    public var quiet = false

    public init(manifest: BenchManifest, serverURL: String, originURL: String, adminKey: String) {
        self.manifest = manifest
        self.serverURL = serverURL
        self.originURL = originURL
        self.adminKey = adminKey
    }

    public struct Report: Codable, Sendable {
        public var server: String
        public var clients: Int
        public var viewers: Int
        public var rate: Int
        public var seconds: Int
        public var viaGateway: Bool
        public var sent: Int
        public var deliveries: Int
        public var expectedDeliveries: Int
        public var badges: Int
        public var latencyP50Ms: Double
        public var latencyP99Ms: Double
        public var latencyP999Ms: Double
        public var latencyMaxMs: Double
        public var deliveriesPerSecond: Double
        public var connectSeconds: Double
        /// The server's CPU use while messages flowed (1.0 = one core).
        public var serverCPU: Double
        public var serverRSSMB: Double
        /// CPU time per delivery, in microseconds: of the gateway's server, and of the origin
        /// behind it (0 when the gateway is the origin's).
        public var serverMicrosPerDelivery: Double
        public var originMicrosPerDelivery: Double
    }

    /// `--capacity`: the rate raised step by step until delivery falls behind.
    public struct CapacityReport: Codable, Sendable {
        public struct Step: Codable, Sendable {
            public var rate: Int
            public var deliveriesPerSecond: Double
            public var expectedPerSecond: Double
            public var latencyP99Ms: Double
            public var serverCPU: Double
            public var serverMicrosPerDelivery: Double
            public var held: Bool
        }
        public var server: String
        public var clients: Int
        public var viewers: Int
        public var steps: [Step]
        /// The most deliveries per second of a step that kept up.
        public var highestHeldDeliveriesPerSecond: Double
        public var serverRSSMB: Double
    }

    /// Shared by the receiving tasks.
    final class Tally: Sendable {
        let state = Locked((histogram: Histogram<UInt64>(highestTrackableValue: 120_000_000), deliveries: 0, badges: 0))

        func delivered(latencyUs: UInt64) {
            state.withLock { state in
                _ = state.histogram.record(latencyUs)
                state.deliveries += 1
            }
        }

        func badge() { state.withLock { $0.badges += 1 } }

        /// What was counted since the last call, and a fresh start.
        func take() -> (histogram: Histogram<UInt64>, deliveries: Int, badges: Int) {
            state.withLock { state in
                defer { state = (Histogram<UInt64>(highestTrackableValue: 120_000_000), 0, 0) }
                return state
            }
        }
    }

    /// The connected clients and senders of one run.
    struct Setup {
        var sockets: [GatewaySocket]
        var senders: [GatewaySender]
        var post: [@Sendable (String) async throws -> Void]
        var tally: Tally
        var connectSeconds: Double
        var receiving: Task<Void, Never>
        var heartbeats: Task<Void, any Error>

        func close() async {
            heartbeats.cancel()
            receiving.cancel()
            for socket in sockets { await socket.close() }
            for sender in senders { await sender.close() }
        }
    }

    private var senderCount: Int { senders ?? rate }
    private var isOrigin: Bool { serverURL == originURL }

    private func setUp() async throws -> Setup {
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        let users = manifest.userIDs, senderCount = senderCount
        guard users.count >= clients + senderCount else {
            throw BenchError("the workspace has \(users.count) users; \(clients) clients and \(senderCount) senders need more")
        }
        let receivers = Array(users.prefix(clients)), senders = Array(users[clients..<(clients + senderCount)])
        let tokenProgress = ProgressBar("tokens", total: clients + senderCount, quiet: quiet)
        let tokens = try await Fleet.tokens(for: receivers + senders, workspaceID: manifest.workspaceID, admin: admin,
                                            progress: tokenProgress)
        tokenProgress.finish()

        let general = manifest.generalChannelID, viewers = self.viewers
        let connectProgress = ProgressBar("connect", total: clients, unit: "clients", quiet: quiet)
        let connectStarted = ContinuousClock.now
        let fleet = try await Fleet.connect(url: LiveSession.gatewayURL(serverURL), tokens: Array(tokens.prefix(clients)),
                                            focus: { $0 < viewers ? general : nil }, progress: connectProgress)
        connectProgress.finish()
        let connectSeconds = (ContinuousClock.now - connectStarted).seconds
        let sockets = fleet.map(\.0)

        var post: [@Sendable (String) async throws -> Void] = []
        var gatewaySenders: [GatewaySender] = []
        for token in tokens.suffix(senderCount) {
            if viaGateway {
                let sender = try await GatewaySender.connect(LiveSession.gatewayURL(serverURL), token: token, channelID: general)
                gatewaySenders.append(sender)
                post.append { try await sender.post($0) }
            } else {
                let client = SwitchboardClient(baseURL: originURL, token: token)
                post.append { _ = try await client.post($0, to: general) }
            }
        }

        let tally = Tally()
        let receiving = Task {
            await withDiscardingTaskGroup { group in
                for socket in sockets {
                    group.addTask { await Self.receive(socket, tally: tally) }
                }
            }
        }
        let heartbeats = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(10))
                for socket in sockets { try? await socket.send(.heartbeat(.init(s: 0))) }
            }
        }
        // Let the focus frames land before the clock starts.
        try await Task.sleep(for: .milliseconds(500))
        return Setup(sockets: sockets, senders: gatewaySenders, post: post, tally: tally, connectSeconds: connectSeconds,
                     receiving: receiving, heartbeats: heartbeats)
    }

    /// Sends `rate` messages a second for `seconds`, evenly spread over the senders; returns
    /// how many were sent and how long it took.
    private func send(_ setup: Setup, rate: Int, seconds: Int, progress: ProgressBar?) async throws -> (Int, Double) {
        let started = ContinuousClock.now
        let senders = setup.post.count
        let sent = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, post) in setup.post.enumerated() {
                group.addTask {
                    // Sender i sends message k at i/rate + k·senders/rate seconds.
                    let total = rate * seconds / senders + (index < rate * seconds % senders ? 1 : 0)
                    var count = 0
                    for k in 0..<total {
                        let due = started + .nanoseconds(Int64((index + k * senders)) * 1_000_000_000 / Int64(rate))
                        try await Task.sleep(until: due, clock: .continuous)
                        let stamp = DispatchTime.now().uptimeNanoseconds
                        try await post("bench:\(index):\(k):\(stamp)")
                        count += 1
                        progress?.advance()
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return (sent, (ContinuousClock.now - started).seconds)
    }

    private func samples() async throws -> (server: ProcessSample, origin: ProcessSample?) {
        (try await ProcessSample.read(serverURL), isOrigin ? nil : try await ProcessSample.read(originURL))
    }

    public func run() async throws -> Report {
        let setup = try await setUp()
        let before = try await samples()
        let sendProgress = ProgressBar("fanout", total: rate * seconds, unit: "messages", quiet: quiet)
        let (sent, sendSeconds) = try await send(setup, rate: rate, seconds: seconds, progress: sendProgress)
        let during = try await ProcessSample.read(serverURL)
        sendProgress.finish()
        // Deliveries still on their way.
        try await Task.sleep(for: .seconds(3))
        let after = try await samples()
        await setup.close()

        let (histogram, deliveries, badges) = setup.tally.take()
        func ms(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1_000 }
        func perDelivery(_ before: ProcessSample?, _ after: ProcessSample?) -> Double {
            guard let before, let after, deliveries > 0 else { return 0 }
            return (after.cpuSeconds - before.cpuSeconds) / Double(deliveries) * 1_000_000
        }
        // At an edge only viewers get messages; the origin sends them to every member session.
        return Report(server: isOrigin ? "origin" : "edge", clients: clients, viewers: viewers, rate: rate, seconds: seconds,
                      viaGateway: viaGateway, sent: sent, deliveries: deliveries,
                      expectedDeliveries: sent * (isOrigin ? clients : viewers),
                      badges: badges, latencyP50Ms: ms(50), latencyP99Ms: ms(99), latencyP999Ms: ms(99.9),
                      latencyMaxMs: Double(histogram.max) / 1_000, deliveriesPerSecond: Double(deliveries) / sendSeconds,
                      connectSeconds: setup.connectSeconds, serverCPU: (during.cpuSeconds - before.server.cpuSeconds) / sendSeconds,
                      serverRSSMB: after.server.residentBytes / 1_048_576,
                      serverMicrosPerDelivery: perDelivery(before.server, after.server),
                      originMicrosPerDelivery: perDelivery(before.origin, after.origin))
    }

    /// Raises the rate by a quarter each step of `seconds` until a step delivers less than 99 %
    /// of what it should within a second of its end, or its p99 passes one second.
    public func capacity(startRate: Int, maxRate: Int = 100_000) async throws -> CapacityReport {
        let setup = try await setUp()
        let recipients = isOrigin ? clients : viewers
        var steps: [CapacityReport.Step] = []
        var rate = startRate
        while rate <= maxRate {
            _ = setup.tally.take()
            let before = try await ProcessSample.read(serverURL)
            let (sent, sendSeconds) = try await send(setup, rate: rate, seconds: seconds, progress: nil)
            try await Task.sleep(for: .seconds(1))
            let after = try await ProcessSample.read(serverURL)
            let (histogram, deliveries, _) = setup.tally.take()
            let expected = sent * recipients
            let p99 = Double(histogram.valueAtPercentile(99)) / 1_000
            let held = Double(deliveries) >= 0.99 * Double(expected) && p99 < 1_000 && sendSeconds < Double(seconds) * 1.1
            let step = CapacityReport.Step(
                rate: rate, deliveriesPerSecond: Double(deliveries) / sendSeconds, expectedPerSecond: Double(expected) / sendSeconds,
                latencyP99Ms: p99, serverCPU: (after.cpuSeconds - before.cpuSeconds) / (sendSeconds + 1),
                serverMicrosPerDelivery: deliveries > 0 ? (after.cpuSeconds - before.cpuSeconds) / Double(deliveries) * 1_000_000 : 0,
                held: held)
            steps.append(step)
            if !quiet {
                print(String(format: "rate %d msg/s: %.0f of %.0f deliveries/s, p99 %.1f ms, CPU %.0f%%, %.1f µs/delivery%@",
                             rate, step.deliveriesPerSecond, step.expectedPerSecond, p99, step.serverCPU * 100,
                             step.serverMicrosPerDelivery, held ? "" : " — fell behind"))
            }
            guard held else { break }
            // Let whatever is still queued drain before the next step.
            try await Task.sleep(for: .seconds(2))
            rate = max(rate + 1, rate * 5 / 4)
        }
        let rss = try await ProcessSample.read(serverURL).residentBytes / 1_048_576
        await setup.close()
        return CapacityReport(server: isOrigin ? "origin" : "edge", clients: clients, viewers: viewers, steps: steps,
                              highestHeldDeliveriesPerSecond: steps.filter(\.held).map(\.deliveriesPerSecond).max() ?? 0,
                              serverRSSMB: rss)
    }

    /// Reads one client's frames: bench messages are timed, badges counted.
    /// Each frame is read on the socket's own reading task as it arrives (``FrameSocket/handEachFrame(to:)``):
    /// the benchmark's clients share the machine with the servers they measure.
    static func receive(_ socket: GatewaySocket, tally: Tally) async {
        let marker = Data("bench:".utf8)
        await socket.handEachFrame { frame in
            guard frame.op == "event" else { return }
            if frame.t == EventType.unreadUpdated.rawValue {
                tally.badge()
            } else if frame.t == EventType.messageCreated.rawValue, let stamp = Self.stamp(in: frame.raw, after: marker) {
                let now = DispatchTime.now().uptimeNanoseconds
                tally.delivered(latencyUs: now > stamp ? (now - stamp) / 1_000 : 0)
            }
        }
    }

    /// The send time in `bench:<sender>:<second>:<nanoseconds>`.
    static func stamp(in bytes: Data, after marker: Data) -> UInt64? {
        guard let found = bytes.range(of: marker) else { return nil }
        var colons = 0, value: UInt64 = 0, index = found.upperBound
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                colons += 1
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if colons == 2 { value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0")) }
            } else {
                break
            }
            index += 1
        }
        return colons == 2 ? value : nil
    }
}

extension FanoutScenario.Report {
    public var table: Table {
        Table(title: "fanout — \(server), \(Table.number(clients)) clients, \(Table.number(viewers)) viewing, \(rate) msg/s for \(seconds) s"
                + (viaGateway ? ", sent over the gateway" : ""),
              columns: ["p50 ms", "p99 ms", "p99.9 ms", "max ms", "deliveries", "expected", "per s", "badges", "CPU",
                        "µs/delivery", "origin µs", "RSS MB"],
              rows: [[Table.ms(latencyP50Ms), Table.ms(latencyP99Ms), Table.ms(latencyP999Ms), Table.ms(latencyMaxMs),
                      Table.number(deliveries), Table.number(expectedDeliveries), Table.number(Int(deliveriesPerSecond)),
                      Table.number(badges), String(format: "%.0f%%", serverCPU * 100),
                      String(format: "%.1f", serverMicrosPerDelivery), String(format: "%.1f", originMicrosPerDelivery),
                      String(format: "%.0f", serverRSSMB)]],
              notes: [String(format: "connect: %.1f s for %@ clients; targets: p99 ≤ 20 ms with 1,000 viewers at 20 msg/s, ≤ 5 µs of edge CPU per delivery",
                             connectSeconds, Table.number(clients))])
    }
}

extension FanoutScenario.CapacityReport {
    public var table: Table {
        Table(title: "fanout capacity — \(server), \(Table.number(clients)) clients, \(Table.number(viewers)) viewing",
              columns: ["msg/s", "deliveries/s", "expected/s", "p99 ms", "CPU", "µs/delivery", "kept up"],
              rows: steps.map { step in
                  [Table.number(step.rate), Table.number(Int(step.deliveriesPerSecond)), Table.number(Int(step.expectedPerSecond)),
                   Table.ms(step.latencyP99Ms), String(format: "%.0f%%", step.serverCPU * 100),
                   String(format: "%.1f", step.serverMicrosPerDelivery), step.held ? "yes" : "no"]
              },
              notes: ["highest rate held: \(Table.number(Int(highestHeldDeliveriesPerSecond))) deliveries/s; "
                      + "targets ≥ 150,000/s with 1,000 viewers, ≥ 100,000/s with 5,000; RSS "
                      + String(format: "%.0f MB", serverRSSMB)])
    }
}
