import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Two `switchboard-origin` processes on one PostgreSQL database: what is written through one
/// is read, and heard live, through the other.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "needs SWITCHBOARD_TEST_DATABASE_URL"))
struct SharedDatabaseTests {
    @Test func twoOriginProcessesShareOneDatabase() async throws {
        let url = TestStore.postgresURL(StoreKind.postgresURL!, schema: "shared_" + UUID().uuidString.prefix(8).lowercased())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let adminKey = "shared-admin-key", secret = TestOrigin.randomSecret()
        // Each process needs its own snowflake worker id.
        let east = try await OriginProcess(dataDirectory: directory + "/east", adminKey: adminKey, tokenSecret: secret,
                                           databaseURL: url, workerID: 1)
        defer { east.stop() }
        let west = try await OriginProcess(dataDirectory: directory + "/west", adminKey: adminKey, tokenSecret: secret,
                                           databaseURL: url, workerID: 2)
        defer { west.stop() }

        // Created through east.
        let admin = SwitchboardClient(baseURL: east.baseURL, adminKey: adminKey, timeout: .testRequest)
        let workspace = try await admin.createWorkspace(name: "Shared")
        let ann = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "ann", displayName: "Ann"))
        let ben = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "ben", displayName: "Ben"))
        let annEast = SwitchboardClient(baseURL: east.baseURL, token: ann.token, timeout: .testRequest)
        let benWest = SwitchboardClient(baseURL: west.baseURL, token: ben.token, timeout: .testRequest)
        let general = try #require(try await annEast.channels().first)

        // Ben is connected to west's gateway when Ann posts through east.
        let session = try await GatewaySocket.identify("ws://127.0.0.1:\(west.port)/gateway", token: ben.token, focus: general.id)
        let posted = try await annEast.post("written through east", to: general.id).message
        let heard = try await session.socket.expectEvent(.messageCreated)
        #expect(try heard.payload(Message.self).id == posted.id)
        // Read back through west, and the other way round.
        #expect(try await benWest.messages(in: general.id, limit: 10).messages.map(\.id) == [posted.id])
        let reply = try await benWest.post("answered through west", to: general.id).message
        #expect(try await annEast.messages(in: general.id, limit: 10).messages.map(\.id) == [posted.id, reply.id])
        #expect(try await annEast.search("answered").map(\.id) == [reply.id])

        try? await PostgresStore.dropSchema(url: url)
    }
}
