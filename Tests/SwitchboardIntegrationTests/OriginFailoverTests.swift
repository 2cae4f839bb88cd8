import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Two `switchboard-origin` processes on one PostgreSQL database behind one edge: the process
/// serving a workspace is killed (`SIGKILL`) while a user sends through the edge; the edge's
/// probes move the workspace's feed to the other process, resuming by seq, and sends in flight
/// go again with their nonce. When the process is back, the workspace returns to it.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "needs SWITCHBOARD_TEST_DATABASE_URL"))
struct OriginFailoverTests {
    /// Slack's channel-server failover figure.
    static let servedAgainWithin: Duration = .seconds(20)

    @Test func aKilledOriginsWorkspaceIsServedByTheOtherProcessAndComesBack() async throws {
        let url = TestStore.postgresURL(StoreKind.postgresURL!, schema: "failover_" + UUID().uuidString.prefix(8).lowercased())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("failover-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let adminKey = "failover-admin-key", secret = TestOrigin.randomSecret()
        func start(_ name: String, workerID: Int, port: Int) async throws -> OriginProcess {
            try await OriginProcess(dataDirectory: directory + "/" + name, adminKey: adminKey, tokenSecret: secret,
                                    databaseURL: url, workerID: workerID, port: port,
                                    environment: ["SWITCHBOARD_EDGE_KEY": TestOrigin.edgeKey])
        }
        // The killed process comes back on its address, so both listen on ports the kernel
        // does not hand out by itself (see ReusablePort).
        let (first, firstPort) = try await Self.onFreePort { try await start("first", workerID: 1, port: $0) }
        let (second, _) = try await Self.onFreePort { try await start("second", workerID: 2, port: $0) }
        var serving: OriginProcess? = first
        defer {
            serving?.stop()
            second.stop()
        }
        let admin = SwitchboardClient(baseURL: second.baseURL, adminKey: adminKey, timeout: .testRequest)
        let origins = OriginDirectory(urls: [first.baseURL, second.baseURL])
        // A workspace whose first choice is the process that will be killed.
        var workspace: Workspace?
        while workspace == nil {
            let candidate = try await admin.createWorkspace(name: "Failover")
            if origins.url(for: candidate.id) == first.baseURL { workspace = candidate }
        }
        let workspaceID = workspace!.id
        let sender = try await admin.createUser(workspaceID: workspaceID, CreateUserRequest(handle: "sender", displayName: "Sender"))
        let reader = try await admin.createUser(workspaceID: workspaceID, CreateUserRequest(handle: "reader", displayName: "Reader"))
        let general = try #require(try await SwitchboardClient(baseURL: second.baseURL, token: sender.token, timeout: .testRequest).channels().first)

        try await TestEdge.with(originURL: first.baseURL, tokenSecret: secret, configure: {
            $0.moreOriginURLs = [second.baseURL]
            $0.gateway.commandsPerWindow = 10_000   // the sender sends as fast as acks come back
        }) { edge in
            let listening = try await GatewaySocket.identify(edge.gatewayURL, token: reader.token, focus: general.id, mailboxCapacity: 4_096)
            let sending = try await GatewaySocket.identify(edge.gatewayURL, token: sender.token, focus: general.id, mailboxCapacity: 4_096)
            #expect(try await Self.feeds(at: first, adminKey: adminKey) == 1)
            var acknowledged: [Snowflake] = []
            var number = 0
            /// Sends one message the way a client does: again with the same nonce on `unavailable`.
            func send() async throws -> ContinuousClock.Instant {
                number += 1
                let nonce = "failover-\(number)"
                let deadline = ContinuousClock.now + .seconds(60)
                while true {
                    try await sending.socket.send(.send(.init(channelID: general.id, content: "message \(number)", nonce: nonce)))
                    let (answer, _) = try await sending.socket.next(where: { $0.op == "ack" || $0.op == "error" }, timeout: .seconds(60))
                    if answer.op == "ack" {
                        acknowledged.append(try answer.payload(GatewayFrame.Ack.self).message.id)
                        return ContinuousClock.now
                    }
                    let refused = try answer.payload(GatewayFrame.ErrorPayload.self)
                    let retryable = [ErrorCode.unavailable.rawValue, ErrorCode.rateLimited.rawValue].contains(refused.code)
                    try #require(retryable && ContinuousClock.now < deadline, "\(refused.message)")
                    try await Task.sleep(for: .milliseconds(max(200, refused.retryAfterMs ?? 0)))
                }
            }
            for _ in 0..<20 { _ = try await send() }

            first.kill()
            serving = nil
            let killedAt = ContinuousClock.now
            // This one is in flight while the edge notices: it waits and goes to the other process.
            let servedAgainAt = try await send()
            let outage = servedAgainAt - killedAt
            print("origin failover: served again \(outage) after SIGKILL")
            #expect(outage < Self.servedAgainWithin)
            #expect(try await Self.feeds(at: second, adminKey: adminKey) == 1)
            let metrics = try await edge.anonymous.metricsText()
            #expect(metrics.contains("switchboard_edge_origin_up{origin=\"\(first.baseURL)\"} 0"), "\(metrics)")
            for _ in 0..<20 { _ = try await send() }
            // Requests the edge passes on go to the serving process too.
            #expect(try await edge.client(token: reader.token).search("message").count > 0)

            // The process comes back: the workspace returns to it, and sending never stops.
            let back = try await Self.onPort(firstPort) { try await start("first", workerID: 1, port: $0) }
            serving = back
            let returnDeadline = ContinuousClock.now + .seconds(60)
            while try await Self.feeds(at: back, adminKey: adminKey) < 1 {
                try #require(ContinuousClock.now < returnDeadline, "the workspace did not return to the restarted process")
                _ = try await send()
                try await Task.sleep(for: .milliseconds(100))
            }
            for _ in 0..<20 { _ = try await send() }
            #expect(try await Self.feeds(at: second, adminKey: adminKey) == 0)
            // The move back is counted (the move away was a dropped feed, not a move).
            #expect(try await edge.anonymous.metric("switchboard_edge_feed_moves_total") >= 1)

            // The reader's session through the edge heard every acknowledged message once, in order.
            var heard: [Snowflake] = []
            while heard.count < acknowledged.count {
                let frame = try await listening.socket.expectEvent(.messageCreated, timeout: .seconds(30))
                heard.append(try frame.payload(Message.self).id)
            }
            #expect(heard == acknowledged)
            // And the database holds each once.
            let history = SwitchboardClient(baseURL: back.baseURL, token: reader.token, timeout: .testRequest)
            var stored: [Snowflake] = []
            while true {
                let page = try await history.messages(in: general.id, before: stored.first, limit: 100).messages.map(\.id)
                if page.isEmpty { break }
                stored = page + stored
            }
            #expect(stored == acknowledged)
            #expect(try await edge.anonymous.metric("switchboard_edge_snapshots_total") == 1)
            await listening.socket.close()
            await sending.socket.close()
        }
        try? await PostgresStore.dropSchema(url: url)
    }

    /// Feed connections open at this origin process.
    static func feeds(at origin: OriginProcess, adminKey: String) async throws -> Double {
        try await SwitchboardClient(baseURL: origin.baseURL, adminKey: adminKey, timeout: .testRequest).metric("switchboard_feed_connections")
    }

    /// Starts on a port below the kernel's ephemeral range, another one if it is taken.
    static func onFreePort<T>(_ start: (Int) async throws -> T) async throws -> (T, Int) {
        for _ in 0..<20 {
            let port = try ReusablePort.pick()
            do { return (try await start(port), port) } catch where "\(error)".contains("Address already in use") { continue }
        }
        throw TestFailure("no free port")
    }

    /// Starts on `port`, waiting while the killed process's socket still holds it.
    static func onPort<T>(_ port: Int, _ start: (Int) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do { return try await start(port) } catch where "\(error)".contains("Address already in use") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
