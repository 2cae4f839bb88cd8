import AsyncHTTPClient
import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTLS

/// `wan`: what a user in one region feels over a real (or emulated) wide-area network — which
/// edge nearest-edge selection picks, the time to a first screen from the origin's full
/// bootstrap against the nearest edge's working set (fresh TLS connections, so handshakes and
/// bytes both count), and how long a message takes to reach a viewer here when it is sent in
/// this region and when it is sent from the other one (by a sender process started there).
public struct WANScenario: Sendable {
    public var manifest: BenchManifest
    public var originURL: String
    /// The edges to choose from (nearest-edge selection measures each).
    public var edgeURLs: [String]
    public var adminKey: String
    /// The edge selection must pick (a check, for CI).
    public var expectNearest: String?
    /// A command prefix that runs a program in the other region (`ip netns exec sbw-client-us`),
    /// and the edge a user there connects to. Without them, no cross-region figure.
    public var remoteCommand: [String] = []
    public var remoteEdge: String?
    public var samples = 5
    public var messages = 20
    public var intervalMs = 250
    public var quiet = false

    public init(manifest: BenchManifest, originURL: String, edgeURLs: [String], adminKey: String) {
        self.manifest = manifest
        self.originURL = originURL
        self.edgeURLs = edgeURLs
        self.adminKey = adminKey
    }

    public struct Report: Codable, Sendable {
        public var users: Int
        public var edges: [SwitchboardClient.EdgeRanking]
        public var nearest: String
        public var fullBytes: Double
        public var fullP50Ms: Double
        public var workingSetBytes: Double
        public var workingSetP50Ms: Double
        /// Of which: TCP + TLS + WebSocket upgrade + `hello`.
        public var connectP50Ms: Double
        public var inRegion: Delivery
        public var crossRegion: Delivery?
        public var problems: [String]
    }

    public struct Delivery: Codable, Sendable {
        public var sent: Int
        public var received: Int
        public var p50Ms: Double
        public var p99Ms: Double
    }

    public func run() async throws -> Report {
        var problems: [String] = []
        let admin = SwitchboardClient(baseURL: originURL, adminKey: adminKey, timeout: .seconds(120))
        let users = Array(manifest.userIDs.prefix(3))
        guard users.count == 3 else { throw BenchError("the workspace needs at least 3 users") }
        let tokens = try await Fleet.tokens(for: users, workspaceID: manifest.workspaceID, admin: admin)
        let (viewerToken, localToken, remoteToken) = (tokens[0], tokens[1], tokens[2])

        let ranking = await SwitchboardClient.rankEdges(edgeURLs, samples: 5, timeout: .seconds(2))
        guard let nearest = ranking.first?.url else { throw BenchError("no edge answered: \(edgeURLs)") }
        if let expectNearest, nearest != expectNearest {
            problems.append("nearest-edge selection picked \(nearest), not \(expectNearest)")
        }
        // Every edge has the workspace before anything is timed (an edge's first request for it
        // waits for the feed's snapshot).
        for edge in Set([nearest] + (remoteEdge.map { [$0] } ?? [])) {
            _ = try await WANScenario.retryingUnavailable {
                try await SwitchboardClient(baseURL: edge, token: viewerToken, timeout: .seconds(300)).workingSet()
            }
        }

        var full = Samples(), fullBytes = Samples()
        for _ in 0..<samples {
            let (ms, bytes) = try await firstScreenFromOrigin(token: viewerToken)
            full.add(ms)
            fullBytes.add(Double(bytes))
        }
        var working = Samples(), workingBytes = Samples(), connects = Samples()
        for _ in 0..<samples {
            let started = ContinuousClock.now
            let socket = try await GatewaySocket.connect(LiveSession.gatewayURL(nearest))
            _ = try await socket.expect("hello", timeout: .seconds(30))
            connects.add((ContinuousClock.now - started).milliseconds)
            try await socket.send(.identify(.init(token: viewerToken, focusChannelID: manifest.generalChannelID)))
            let ready = try await socket.expect("ready", timeout: .seconds(60))
            working.add((ContinuousClock.now - started).milliseconds)
            workingBytes.add(Double(ready.raw.count))
            await socket.close()
        }

        let viewer = try await GatewaySocket.identify(LiveSession.gatewayURL(nearest), token: viewerToken,
                                                      focus: manifest.generalChannelID, mailboxCapacity: 4_096)
        let local = try await deliver(to: viewer, tag: "local") {
            try await WANSender(edgeURL: nearest, token: localToken, channelID: manifest.generalChannelID, tag: "local",
                                count: messages, intervalMs: intervalMs).run()
        }
        var cross: Delivery?
        if let remoteEdge, !remoteCommand.isEmpty {
            let command = remoteCommand + [try Self.executablePath(), "wan-send", "--edge", remoteEdge, "--token", remoteToken,
                                           "--channel", manifest.generalChannelID.description, "--tag", "remote",
                                           "--count", String(messages), "--interval-ms", String(intervalMs)]
            cross = try await deliver(to: viewer, tag: "remote") { try await Self.runToCompletion(command) }
        }
        await viewer.socket.close()
        if local.received < local.sent { problems.append("in-region: \(local.received) of \(local.sent) messages arrived") }
        if let cross, cross.received < cross.sent {
            problems.append("cross-region: \(cross.received) of \(cross.sent) messages arrived")
        }
        return Report(users: manifest.shape.users, edges: ranking, nearest: nearest, fullBytes: fullBytes.median,
                      fullP50Ms: full.median, workingSetBytes: workingBytes.median, workingSetP50Ms: working.median,
                      connectP50Ms: connects.median,
                      inRegion: local, crossRegion: cross, problems: problems)
    }

    /// What a client did before edges existed: a new HTTPS connection, `GET /api/rtm.start`, all of it.
    private func firstScreenFromOrigin(token: String) async throws -> (ms: Double, bytes: Int) {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try ClientTLS.environment.configuration()
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let client = SwitchboardClient(baseURL: originURL, token: token, httpClient: http, timeout: .seconds(300))
        let started = ContinuousClock.now
        let answer: Result<(status: Int, body: Data), any Error>
        do { answer = .success(try await client.raw(.GET, "/api/rtm.start")) } catch { answer = .failure(error) }
        let elapsed = (ContinuousClock.now - started).milliseconds
        try await http.shutdown()
        let (status, body) = try answer.get()
        guard status == 200 else { throw BenchError("rtm.start answered \(status)") }
        return (elapsed, body.count)
    }

    /// Runs `send` while reading the viewer's socket for the probes it sends; each probe carries
    /// its send time (wall clock: the regions are namespaces of one machine).
    private func deliver(to viewer: GatewaySocket.Identified, tag: String,
                         send: @escaping @Sendable () async throws -> Void) async throws -> Delivery {
        let sending = Task { try await send() }
        var latency = Samples()
        let deadline = ContinuousClock.now + .milliseconds(messages * intervalMs) + .seconds(15)
        while latency.count < messages, ContinuousClock.now < deadline {
            guard let frame = try? await viewer.socket.next(timeout: deadline - ContinuousClock.now) else { break }
            guard frame.op == "event", frame.t == EventType.messageCreated.rawValue,
                  let message = try? frame.payload(Message.self),
                  let sentMs = WANSender.sentAt(message.content, tag: tag) else { continue }
            latency.add(Double(WallClock.nowMs()) - Double(sentMs))
        }
        try await sending.value
        return Delivery(sent: messages, received: latency.count, p50Ms: latency.median, p99Ms: latency.percentile(99))
    }

    static func retryingUnavailable<T>(_ body: () async throws -> T) async throws -> T {
        while true {
            do { return try await body() } catch let error as APIError where error.code == .unavailable {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    static func executablePath() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    static func runToCompletion(_ command: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        guard process.terminationStatus == 0 else { throw BenchError("the remote sender failed (\(process.terminationStatus)): \(command)") }
    }
}

/// Sends timestamped probes through an edge's gateway, one every `intervalMs`, each waiting
/// for its `ack` (a user typing, not a flood).
public struct WANSender: Sendable {
    public var edgeURL: String
    public var token: String
    public var channelID: Snowflake
    public var tag: String
    public var count: Int
    public var intervalMs: Int

    public init(edgeURL: String, token: String, channelID: Snowflake, tag: String, count: Int, intervalMs: Int) {
        self.edgeURL = edgeURL
        self.token = token
        self.channelID = channelID
        self.tag = tag
        self.count = count
        self.intervalMs = intervalMs
    }

    public func run() async throws {
        let session = try await GatewaySocket.identify(LiveSession.gatewayURL(edgeURL), token: token, focus: nil,
                                                       timeout: .seconds(120))
        for index in 0..<count {
            let nonce = "wan-\(tag)-\(UUID().uuidString)"
            try await session.socket.send(.send(.init(channelID: channelID, content: "wan-probe \(tag) \(WallClock.nowMs())",
                                                      nonce: nonce)))
            _ = try await session.socket.next(where: { $0.op == "ack" || $0.op == "error" }, timeout: .seconds(30))
            if index + 1 < count { try await Task.sleep(for: .milliseconds(intervalMs)) }
        }
        await session.socket.close()
    }

    /// The send time a probe of `tag` carries.
    static func sentAt(_ content: String, tag: String) -> UInt64? {
        let parts = content.split(separator: " ")
        guard parts.count == 3, parts[0] == "wan-probe", parts[1] == tag else { return nil }
        return UInt64(parts[2])
    }
}

extension WANScenario.Report {
    public var table: Table {
        var rows = edges.map { ["edge \($0.url)", String(format: "%.1f ms round trip", $0.roundTripMs), $0.url == nearest ? "picked" : ""] }
        rows.append(["first screen: full bootstrap (origin rtm.start)", Table.ms(fullP50Ms) + " ms", Table.number(Int(fullBytes)) + " bytes"])
        rows.append(["first screen: working set (nearest edge, wss ready)", Table.ms(workingSetP50Ms) + " ms",
                     Table.number(Int(workingSetBytes)) + " bytes"])
        rows.append(["  of which connect (TCP, TLS, upgrade, hello)", Table.ms(connectP50Ms) + " ms", ""])
        rows.append(["delivery, sender in this region", "p50 \(Table.ms(inRegion.p50Ms)) / p99 \(Table.ms(inRegion.p99Ms)) ms",
                     "\(inRegion.received)/\(inRegion.sent)"])
        if let crossRegion {
            rows.append(["delivery, sender in the other region", "p50 \(Table.ms(crossRegion.p50Ms)) / p99 \(Table.ms(crossRegion.p99Ms)) ms",
                         "\(crossRegion.received)/\(crossRegion.sent)"])
        }
        return Table(title: "wan — \(Table.number(users)) users, fresh TLS connections", columns: ["", "time", ""], rows: rows,
                     notes: problems.isEmpty ? [String(format: "first screen %.1fx faster from the nearest edge", fullP50Ms / max(0.1, workingSetP50Ms))]
                                             : problems.map { "PROBLEM: " + $0 })
    }
}
