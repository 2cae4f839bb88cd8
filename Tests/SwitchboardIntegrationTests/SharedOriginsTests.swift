import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// An edge in front of two origin processes that share one PostgreSQL database: each
/// workspace's feed goes to the process the directory picks, and every process's writes reach
/// every feed.
@Suite(.enabled(if: StoreKind.postgresURL != nil, "needs SWITCHBOARD_TEST_DATABASE_URL"))
struct SharedOriginsTests {
    @Test func anEdgeSplitsWorkspacesOverOriginProcesses() async throws {
        let url = TestStore.postgresURL(StoreKind.postgresURL!, schema: "origins_" + UUID().uuidString.prefix(8).lowercased())
        defer { Task { try? await PostgresStore.dropSchema(url: url) } }
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.databaseURL = url; $0.workerID = 1 }) { first in
            try await TestOrigin.with(tokenSecret: secret, configure: { $0.databaseURL = url; $0.workerID = 2 }) { second in
                let directory = OriginDirectory(urls: [first.baseURL, second.baseURL])
                // Workspaces until each process serves one.
                var served: [String: TestWorkspace] = [:]
                var index = 0
                while served.count < 2 {
                    let workspace = try await TestWorkspace.make(on: first, name: "W\(index)", handles: ["ann\(index)", "ben\(index)"])
                    served[directory.url(for: workspace.workspace.id)] = served[directory.url(for: workspace.workspace.id)] ?? workspace
                    index += 1
                }
                try await TestEdge.with(originURL: first.baseURL, tokenSecret: secret,
                                        configure: { $0.moreOriginURLs = [second.baseURL] }) { edge in
                    for (origin, other) in [(first, second), (second, first)] {
                        let workspace = served[origin.baseURL]!
                        let handles = workspace.users.keys.sorted()
                        let reader = workspace.client(handles[1])
                        let general = try #require(try await reader.via(edge).channels().first)
                        let session = try await GatewaySocket.identify(edge.gatewayURL, token: reader.token!, focus: general.id)
                        // The feed went to the process the directory picked, and nowhere else.
                        #expect(try await origin.admin.metric("switchboard_feed_connections") == 1)
                        // A message written through the *other* process arrives at the edge's client.
                        let writer = SwitchboardClient(baseURL: other.baseURL, token: workspace.client(handles[0]).token, timeout: .testRequest)
                        let posted = try await writer.post("through \(other.port)", to: general.id).message
                        let heard = try await session.socket.expectEvent(.messageCreated)
                        #expect(try heard.payload(Message.self).id == posted.id)
                        // History through the edge comes from the serving process.
                        #expect(try await reader.via(edge).messages(in: general.id, limit: 5).messages.last?.id == posted.id)
                        await session.socket.close()
                    }
                }
            }
        }
    }
}
