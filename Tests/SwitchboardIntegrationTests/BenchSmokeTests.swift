import Foundation
import SwitchboardBench
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Every `switchboard-bench` scenario at a tiny size against a real origin and edge, so the
/// tool cannot rot. (Figures are measured by running the tool, not here.)
@Suite struct BenchSmokeTests {
    @Test func theSameSeedMakesTheSameWorkspace() {
        let shape = WorkspaceShape(users: 200, channels: 10, seed: 42)
        let a = SyntheticWorkspace(shape: shape, workspaceID: Snowflake(1), generalID: Snowflake(2), nowMs: 1_800_000_000_000)
        let b = SyntheticWorkspace(shape: shape, workspaceID: Snowflake(1), generalID: Snowflake(2), nowMs: 1_800_000_000_000)
        #expect(a.user(at: 7) == b.user(at: 7))
        #expect(a.members(ofChannel: 3) == b.members(ofChannel: 3))
        var other = shape
        other.seed = 43
        let c = SyntheticWorkspace(shape: other, workspaceID: Snowflake(1), generalID: Snowflake(2), nowMs: 1_800_000_000_000)
        #expect(a.members(ofChannel: 3) != c.members(ofChannel: 3))
        // Zipf: the first channels are the largest; #general has everyone.
        let sizes = (1..<10).map { a.members(ofChannel: $0).count }
        #expect(sizes == sizes.sorted(by: >) && a.members(ofChannel: 0).count == 200)
    }

    @Test func everyScenarioRunsAtATinySize() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            // Senders that post as fast as they are answered, as `origin --via-gateway` runs them.
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret,
                                    configure: { $0.gateway.commandsPerWindow = 1_000_000 }) { edge in
                let admin = origin.admin
                let manifest = try await Seeder(origin: admin).seed(WorkspaceShape(users: 60, channels: 6, seed: 3), batchRows: 500,
                                                                    quiet: true)
                #expect(manifest.userIDs.count == 60 && manifest.dms > 0)
                #expect(manifest.memberships > 60 && manifest.messages >= 6 * 50)
                // The import keeps the counts the normal paths keep.
                let token = try await admin.issueToken(workspaceID: manifest.workspaceID, userID: manifest.userIDs[0])
                let general = try await SwitchboardClient(baseURL: origin.baseURL, token: token, timeout: .testRequest).channel(manifest.generalChannelID)
                #expect(general.memberCount == 60 && general.lastMessageID != nil)

                var bootstrap = BootstrapScenario(manifest: manifest, originURL: origin.baseURL, edgeURL: edge.baseURL,
                                                  adminKey: TestOrigin.adminKey)
                bootstrap.samples = 5
                bootstrap.fullSamples = 2
                bootstrap.quiet = true
                let boot = try await bootstrap.run()
                #expect(boot.ratio > 1 && boot.workingSet.requests == 5 && boot.ready.bytesP50 > 0)

                var fanout = FanoutScenario(manifest: manifest, serverURL: edge.baseURL, originURL: origin.baseURL,
                                            adminKey: TestOrigin.adminKey)
                (fanout.clients, fanout.viewers, fanout.rate, fanout.seconds, fanout.quiet) = (10, 6, 2, 2, true)
                let fan = try await fanout.run()
                #expect(fan.sent == 4 && fan.deliveries == fan.expectedDeliveries && fan.badges > 0)
                #expect(fan.latencyMaxMs > 0 && fan.serverMicrosPerDelivery > 0)
                // Posted over the edge's gateway instead of REST; and the capacity search.
                var overGateway = fanout
                overGateway.viaGateway = true
                let viaGateway = try await overGateway.run()
                #expect(viaGateway.sent == 4 && viaGateway.deliveries == viaGateway.expectedDeliveries)
                var capacity = fanout
                (capacity.seconds, capacity.senders) = (1, 2)
                let search = try await capacity.capacity(startRate: 4, maxRate: 6)
                #expect(search.steps.map(\.rate) == [4, 5, 6] && search.steps.allSatisfy(\.held))
                #expect(search.highestHeldDeliveriesPerSecond > 0 && !search.table.text.isEmpty)

                var storm = ConnectStormScenario(manifest: manifest, serverURL: edge.baseURL, originURL: origin.baseURL,
                                                 adminKey: TestOrigin.adminKey)
                (storm.clients, storm.parallelism, storm.quiet) = (20, 10, true)
                let stormReport = try await storm.run()
                #expect(stormReport.clients == 20 && stormReport.seconds > 0)

                var herd = HistoryHerdScenario(manifest: manifest, edgeURL: edge.baseURL, originURL: origin.baseURL,
                                               adminKey: TestOrigin.adminKey)
                (herd.requests, herd.quiet) = (20, true)
                let herdReport = try await herd.run()
                #expect(herdReport.originFetches == 1)

                var load = OriginScenario(manifest: manifest, originURL: origin.baseURL, adminKey: TestOrigin.adminKey)
                (load.senders, load.seconds, load.historyMessages, load.historyRequests, load.quiet) = (2, 1, 500, 10, true)
                let loadReport = try await load.run()
                #expect(loadReport.messages > 0 && loadReport.historyP50Ms > 0)
                var overEdge = load
                (overEdge.gatewayURL, overEdge.historyRequests) = (edge.baseURL, 1)
                let edgeLoad = try await overEdge.run()
                #expect(edgeLoad.messages > 0 && edgeLoad.via.contains("gateway"))
                #expect(!loadReport.table.text.isEmpty && !fan.table.text.isEmpty && !boot.table.text.isEmpty)

                // The soak's mixed load for a few seconds: every kind of traffic happens and is sampled.
                var soak = SoakScenario(manifest: manifest, originURL: origin.baseURL, edgeURL: edge.baseURL, adminKey: TestOrigin.adminKey)
                (soak.seconds, soak.sampleEvery, soak.viewers, soak.senders, soak.sendRate) = (6, 2, 5, 2, 10)
                (soak.readRate, soak.presenceRate, soak.viewerLifetime, soak.quiet) = (10, 5, 1.5, true)
                let soakReport = try await soak.run()
                let rows = soakReport.rows
                #expect(rows.count == 3 && rows.allSatisfy { $0.edgeRSSMiB > 0 && $0.originOpenFiles > 0 })
                #expect(rows.reduce(0) { $0 + $1.sent } > 0 && rows.reduce(0) { $0 + $1.delivered } > 0)
                #expect(rows.reduce(0) { $0 + $1.reads } > 0 && rows.reduce(0) { $0 + $1.presenceChanges } > 0)
                #expect(rows.reduce(0) { $0 + $1.reconnects } > 0)
                #expect(soakReport.errors == 0, "\(soakReport.firstErrors)")
            }
        }
    }
}
