import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The edge keeps its state in LMDB across restarts and rides out origin restarts.
@Suite struct EdgeRestartTests {
    @Test func aRestartedEdgeResumesFromItsSeqWithoutASnapshot() async throws {
        let secret = TestOrigin.randomSecret()
        let edgeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: edgeDirectory) }
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            let general = try await ws.client("alice").general()
            _ = try await ws.client("bob").post("before the restart", to: general.id)

            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, dataDirectory: edgeDirectory) { edge in
                let first = try await ws.client("alice").via(edge).workingSet()
                #expect(first.messages.count == 1)
            }
            // While the edge is down, the workspace moves on.
            let missed = try await ws.client("bob").post("while the edge was down <@\(ws.user("alice").id)>", to: general.id).message
            _ = try await ws.client("bob").updateProfile(UpdateProfileRequest(statusText: "back soon"))
            let launch = try await ws.client("bob").createChannel(name: "launch")
            _ = try await ws.client("alice").join(launch.id)

            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, dataDirectory: edgeDirectory) { edge in
                let atEdge = ws.client("alice").via(edge)
                // Served from LMDB at once, then caught up from the feed.
                let caughtUp = try await eventually { () -> WorkingSet? in
                    let set = try await atEdge.workingSet()
                    return set.messages.last?.id == missed.id && set.channels.count == 2 ? set : nil
                }
                let originChannels = try await ws.client("alice").channels()
                #expect(caughtUp.channels.map(\.id) == originChannels.map(\.id))
                #expect(caughtUp.channels.first { $0.id == general.id }?.mentionCount == 1)
                #expect(try await atEdge.user(ws.user("bob").id).statusText == "back soon")
                #expect(try await origin.anonymous.metric("switchboard_feed_snapshots_total") == 1)
                #expect(try await origin.anonymous.metric("switchboard_feed_replays_total") == 1)
            }
        }
    }

    @Test func theEdgeResumesByItselfWhenTheOriginComesBack() async throws {
        let secret = TestOrigin.randomSecret()
        let originDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("origin-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: originDirectory) }
        // Every origin of this test listens on one port, chosen outside the kernel's ephemeral
        // range so that no other test's server can take it in between. (A machine whose
        // ephemeral range is wider may still have it taken: then another is tried.)
        var attempt: (port: Int, ws: TestWorkspace)?
        for _ in 0..<20 where attempt == nil {
            let port = try ReusablePort.pick()
            do {
                attempt = (port, try await TestOrigin.with(dataDirectory: originDirectory, port: port, tokenSecret: secret) { origin in
                    try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
                })
            } catch where "\(error)".contains("Address already in use") {
                continue
            }
        }
        let (port, ws) = try #require(attempt)
        try await TestEdge.with(originURL: "http://127.0.0.1:\(port)", tokenSecret: secret) { edge in
            try await Self.onPort { try await TestOrigin.with(dataDirectory: originDirectory, port: port, tokenSecret: secret) { _ in
                _ = try await ws.client("alice").via(edge).workingSet()
            } }
            // The origin is gone; the edge keeps answering reads from LMDB.
            #expect(try await ws.client("alice").via(edge).workingSet().me.handle == "alice")
            try await Self.onPort { try await TestOrigin.with(dataDirectory: originDirectory, port: port, tokenSecret: secret,
                                      configure: { $0.messageRateLimit = 0 }) { origin in
                let general = try await ws.client("alice").general()
                let posted = try await ws.client("bob").post("after the origin came back", to: general.id).message
                _ = try await eventually(timeout: .seconds(45)) { () -> Bool? in
                    try await ws.client("alice").via(edge).workingSet().messages.last?.id == posted.id ? true : nil
                }
                #expect(try await origin.anonymous.metric("switchboard_feed_snapshots_total") == 0)
            } }
        }
    }

    /// Runs `start`, again while the port is still held by the origin just stopped (its socket
    /// closes a moment after it returns; on a loaded machine, tens of seconds).
    static func onPort<T>(_ start: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                return try await start()
            } catch where "\(error)".contains("Address already in use") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
