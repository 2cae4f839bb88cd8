import Dispatch
import Foundation
import Histogram
import Synchronization
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
    /// Messages per second (one sender per message per second, within the default rate limit).
    public var rate = 20
    public var seconds = 30
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
    }

    /// Shared by the receiving tasks.
    final class Tally: Sendable {
        let state = Mutex((histogram: Histogram<UInt64>(highestTrackableValue: 120_000_000), deliveries: 0, badges: 0))

        func delivered(latencyUs: UInt64) {
            state.withLock { state in
                _ = state.histogram.record(latencyUs)
                state.deliveries += 1
            }
        }

        func badge() { state.withLock { $0.badges += 1 } }
    }

    public func run() async throws -> Report {
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        let users = manifest.userIDs
        guard users.count >= clients + rate else {
            throw BenchError("the workspace has \(users.count) users; \(clients) clients and \(rate) senders need more")
        }
        let receivers = Array(users.prefix(clients)), senders = Array(users[clients..<(clients + rate)])
        let tokenProgress = ProgressBar("tokens", total: clients + rate, quiet: quiet)
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
        let before = try await ProcessSample.read(serverURL)
        let started = ContinuousClock.now
        let sendProgress = ProgressBar("fanout", total: rate * seconds, unit: "messages", quiet: quiet)
        let sent = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, token) in tokens.suffix(rate).enumerated() {
                group.addTask {
                    let client = SwitchboardClient(baseURL: originURL, token: token)
                    var count = 0
                    for second in 0..<seconds {
                        let due = started + .milliseconds(second * 1_000 + index * 1_000 / rate)
                        try await Task.sleep(until: due, clock: .continuous)
                        let stamp = DispatchTime.now().uptimeNanoseconds
                        _ = try await client.post("bench:\(index):\(second):\(stamp)", to: general)
                        count += 1
                        sendProgress.advance()
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let sendSeconds = (ContinuousClock.now - started).seconds
        let after = try await ProcessSample.read(serverURL)
        sendProgress.finish()
        // Deliveries still on their way.
        try await Task.sleep(for: .seconds(3))
        heartbeats.cancel()
        for socket in sockets { await socket.close() }
        receiving.cancel()
        await receiving.value

        let (histogram, deliveries, badges) = tally.state.withLock { ($0.histogram, $0.deliveries, $0.badges) }
        func ms(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1_000 }
        // At an edge only viewers get messages; the origin sends them to every member session.
        let isOrigin = serverURL == originURL
        return Report(server: isOrigin ? "origin" : "edge", clients: clients, viewers: viewers, rate: rate, seconds: seconds,
                      sent: sent, deliveries: deliveries, expectedDeliveries: sent * (isOrigin ? clients : viewers),
                      badges: badges, latencyP50Ms: ms(50), latencyP99Ms: ms(99), latencyP999Ms: ms(99.9),
                      latencyMaxMs: Double(histogram.max) / 1_000, deliveriesPerSecond: Double(deliveries) / sendSeconds,
                      connectSeconds: connectSeconds, serverCPU: (after.cpuSeconds - before.cpuSeconds) / sendSeconds,
                      serverRSSMB: after.residentBytes / 1_048_576)
    }

    /// Reads one client's frames: bench messages are timed, badges counted.
    static func receive(_ socket: GatewaySocket, tally: Tally) async {
        let marker = Array("bench:".utf8)
        while let frame = try? await socket.next(timeout: .seconds(3_600)) {
            guard frame.op == "event" else { continue }
            if frame.t == EventType.unreadUpdated.rawValue {
                tally.badge()
            } else if frame.t == EventType.messageCreated.rawValue, let stamp = Self.stamp(in: [UInt8](frame.raw), after: marker) {
                let now = DispatchTime.now().uptimeNanoseconds
                tally.delivered(latencyUs: now > stamp ? (now - stamp) / 1_000 : 0)
            }
        }
    }

    /// The send time in `bench:<sender>:<second>:<nanoseconds>`.
    static func stamp(in bytes: [UInt8], after marker: [UInt8]) -> UInt64? {
        guard let start = bytes.indices.first(where: { bytes[$0...].starts(with: marker) }) else { return nil }
        var colons = 0, value: UInt64 = 0, index = start + marker.count
        while index < bytes.count {
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
        Table(title: "fanout — \(server), \(Table.number(clients)) clients, \(Table.number(viewers)) viewing, \(rate) msg/s for \(seconds) s",
              columns: ["p50 ms", "p99 ms", "p99.9 ms", "max ms", "deliveries", "expected", "per s", "badges", "CPU", "RSS MB"],
              rows: [[Table.ms(latencyP50Ms), Table.ms(latencyP99Ms), Table.ms(latencyP999Ms), Table.ms(latencyMaxMs),
                      Table.number(deliveries), Table.number(expectedDeliveries), Table.number(Int(deliveriesPerSecond)),
                      Table.number(badges), String(format: "%.0f%%", serverCPU * 100), String(format: "%.0f", serverRSSMB)]],
              notes: [String(format: "connect: %.1f s for %@ clients; target p99 < 50 ms with 1,000 viewers at 20 msg/s",
                             connectSeconds, Table.number(clients))])
    }
}
