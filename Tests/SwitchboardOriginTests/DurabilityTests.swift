import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `switchboard-origin` as a real process: killed with SIGKILL while messages stream in over
/// the gateway, then restarted on the same data (SQLite file, or PostgreSQL schema with
/// `SWITCHBOARD_TEST_STORE=postgres`).
@Suite struct DurabilityTests {
    @Test func everyAckedMessageSurvivesSIGKILL() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("durability-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let adminKey = "durability-admin-key", secret = TestOrigin.randomSecret()

        let first = try await OriginProcess(dataDirectory: directory, adminKey: adminKey, tokenSecret: secret)
        let admin = SwitchboardClient(baseURL: "http://127.0.0.1:\(first.port)", adminKey: adminKey, timeout: .testRequest)
        let workspace = try await admin.createWorkspace(name: "Durable")
        let created = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "dora", displayName: "Dora"))
        let client = SwitchboardClient(baseURL: admin.baseURL, token: created.token, timeout: .testRequest)
        let general = try #require(try await client.channels().first)

        let session = try await GatewaySocket.identify("ws://127.0.0.1:\(first.port)/gateway", token: created.token)
        let total = 300
        // Send everything without waiting, read acks as they come, and kill the process mid-stream.
        let sender = Task {
            for i in 0..<total {
                try? await session.socket.send(.send(.init(channelID: general.id, content: "durable \(i)", nonce: "nonce-\(i)")))
            }
        }
        var acked: [String: Snowflake] = [:]
        while acked.count < 60 {
            guard let frame = try await session.socket.next() else { break }
            if frame.op == "ack" {
                let ack = try frame.payload(GatewayFrame.Ack.self)
                acked[ack.nonce] = ack.message.id
            }
        }
        first.kill()
        await sender.value
        #expect(acked.count >= 60)

        let second = try await OriginProcess(dataDirectory: directory, adminKey: adminKey, tokenSecret: secret)
        defer { second.stop() }
        let again = SwitchboardClient(baseURL: "http://127.0.0.1:\(second.port)", token: created.token, timeout: .testRequest)
        var history: [Message] = []
        var page = try await again.messages(in: general.id, after: Snowflake(0), limit: 100)
        history += page.messages
        while page.hasMore == true {
            page = try await again.messages(in: general.id, after: history.last!.id, limit: 100)
            history += page.messages
        }
        let stored = Dictionary(history.map { ($0.content, $0.id) }, uniquingKeysWith: { a, _ in a })
        // Every acknowledged message is there, with the id it was acknowledged with.
        for (nonce, id) in acked {
            let index = Int(nonce.dropFirst("nonce-".count))!
            #expect(stored["durable \(index)"] == id, "acked message \(index) lost")
        }
        // The client retries everything not acknowledged, with the same nonces: nothing doubles.
        for i in 0..<total where acked["nonce-\(i)"] == nil {
            _ = try await again.post("durable \(i)", to: general.id, nonce: "nonce-\(i)")
        }
        history = []
        page = try await again.messages(in: general.id, after: Snowflake(0), limit: 100)
        history += page.messages
        while page.hasMore == true {
            page = try await again.messages(in: general.id, after: history.last!.id, limit: 100)
            history += page.messages
        }
        #expect(history.count == total)
        #expect(Set(history.map(\.content)).count == total)
    }
}
