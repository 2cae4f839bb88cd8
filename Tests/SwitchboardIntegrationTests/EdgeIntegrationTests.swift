import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardEdge
import SwitchboardTesting
import Testing

/// Origin and edge in-process on ephemeral ports, talking over a real feed.
@Suite struct EdgeIntegrationTests {
    func withOriginAndEdge(handles: [String] = ["alice", "bob", "carol"],
                           configureEdge: (inout EdgeConfiguration) -> Void = { _ in },
                           _ body: (TestOrigin, TestWorkspace, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: handles)
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, configure: configureEdge) { edge in
                try await body(origin, ws, edge)
            }
        }
    }

    @Test func theWorkingSetEqualsTheOriginsData() async throws {
        try await withOriginAndEdge(handles: ["alice", "bob", "carol", "dave"]) { origin, ws, edge in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let general = try await alice.general()
            let launch = try await alice.createChannel(name: "launch", kind: .private)
            try await alice.addMember(ws.user("bob").id, to: launch.id)
            _ = try await alice.openDM(with: [ws.user("carol").id])
            for i in 0..<40 { _ = try await bob.post("hi \(i) <@\(ws.user("alice").id)> <@\(ws.user("dave").id)>", to: general.id) }
            let reacted = try await bob.post("@channel ship it", to: general.id).message
            try await alice.react("rocket", to: reacted.id, in: general.id)
            try await bob.react("rocket", to: reacted.id, in: general.id)
            _ = try await bob.post("in launch", to: launch.id)
            try await alice.markRead(general.id, messageID: try await alice.messages(in: general.id, limit: 20).messages[0].id)

            // First use: the edge opens the feed, takes a snapshot and answers from LMDB.
            let workingSet = try await alice.via(edge).workingSet()
            let originChannels = try await alice.channels()
            let summaries = (workingSet.channels + workingSet.dms).sorted { $0.id < $1.id }
            #expect(summaries.map(\.id) == originChannels.map(\.id))
            for (summary, channel) in zip(summaries, originChannels) {
                #expect(summary.name == channel.name && summary.kind == channel.kind)
                #expect(summary.unreadCount == channel.unreadCount, "\(channel.name)")
                #expect(summary.mentionCount == channel.mentionCount, "\(channel.name)")
                #expect(summary.lastMessageID == channel.lastMessageID && summary.memberCount == channel.memberCount)
            }
            #expect(workingSet.me == (try await alice.me()))
            #expect(workingSet.focusChannelID == general.id)
            let originLatest = try await alice.messages(in: general.id, limit: 30).messages
            #expect(workingSet.messages == originLatest)
            #expect(workingSet.messages.last?.reactions == [Reaction(emoji: "rocket", count: 2, me: true)])
            let shortIDs = Set(workingSet.users.map(\.id))
            #expect(shortIDs == [ws.user("bob").id, ws.user("dave").id, ws.user("carol").id])
            #expect(workingSet.users.first { $0.id == ws.user("bob").id } == ws.user("bob").short)
            #expect(workingSet.workspace.memberCount == 4)

            // The edge announced itself to the origin.
            let listed = try await eventually { try await origin.anonymous.edges().first { $0.id == "edge-test" } }
            #expect(listed.region == "test" && listed.workspaceIDs == [ws.workspace.id])

            // The working set is small next to the full bootstrap.
            let full = try await alice.fullBootstrap().bytes
            let small = try JSON.encode(workingSet).count
            #expect(small < full)
        }
    }

    @Test func originChangesReachTheEdgesLazyEndpoints() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let alice = ws.client("alice"), atEdge = ws.client("alice").via(edge)
            let general = try await alice.general()
            _ = try await atEdge.workingSet()  // synced

            let started = ContinuousClock.now
            _ = try await ws.client("bob").updateProfile(UpdateProfileRequest(title: "Chief Coffee Officer"))
            let posted = try await ws.client("bob").post("fresh <@\(ws.user("alice").id)>", to: general.id).message
            let seen = try await eventually { () -> Message? in
                try await atEdge.messages(in: general.id).messages.last.flatMap { $0.id == posted.id ? $0 : nil }
            }
            #expect(seen == posted)
            #expect(try await atEdge.user(ws.user("bob").id).title == "Chief Coffee Officer")
            let channel = try await atEdge.channel(general.id)
            #expect(channel.unreadCount == 1 && channel.mentionCount == 1 && channel.lastMessageID == posted.id)
            print("origin change visible at the edge after \(ContinuousClock.now - started)")

            // Lazy endpoints answer from LMDB.
            #expect(try await atEdge.users(ids: [ws.user("bob").id, ws.user("carol").id]).map(\.handle) == ["bob", "carol"])
            #expect(try await atEdge.searchUsers("ca").map(\.handle) == ["carol"])
            #expect(try await atEdge.searchUsers("test").count == 3)
            #expect(Set(try await atEdge.members(of: general.id).members) == Set(ws.users.values.map(\.user.id)))
            #expect(try await atEdge.channels().map(\.id) == (try await alice.channels()).map(\.id))

            // A user created a moment ago is served at once.
            let newcomer = try await origin.admin.createUser(workspaceID: ws.workspace.id,
                                                             CreateUserRequest(handle: "newcomer", displayName: "Newcomer"))
            let newcomerSet = try await edge.client(token: newcomer.token).workingSet()
            #expect(newcomerSet.me.handle == "newcomer" && newcomerSet.focusChannelID == general.id)

            // Writes pass through to the origin.
            let viaEdge = try await atEdge.post("written through the edge", to: general.id)
            #expect(viaEdge.created)
            #expect(try await alice.messages(in: general.id).messages.last?.id == viaEdge.message.id)
            #expect(try await edge.anonymous.metric("switchboard_edge_proxied_requests_total") >= 1)
        }
    }

    @Test func privateChannelsStayPrivateAndTokensAreCheckedAtTheEdge() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let secret = try await ws.client("alice").createChannel(name: "secret", kind: .private)
            _ = try await ws.client("alice").post("classified", to: secret.id)
            let carol = ws.client("carol").via(edge)
            _ = try await carol.workingSet()
            await expectAPIError(403, .notAMember) { _ = try await carol.channel(secret.id) }
            await expectAPIError(403, .notAMember) { _ = try await carol.messages(in: secret.id) }
            await expectAPIError(403, .notAMember) { _ = try await carol.members(of: secret.id) }
            await expectAPIError(403, .notAMember) { _ = try await carol.messages(in: secret.id, before: Snowflake(UInt64.max >> 2)) }
            #expect(try await carol.workingSet(focus: secret.id).messages.allSatisfy { $0.channelID != secret.id })
            #expect(try await carol.channels().allSatisfy { $0.id != secret.id })

            // A bad token is refused by the edge itself: the origin never hears of it.
            let originRequests = try await origin.anonymous.metric("switchboard_http_requests_total")
            await expectAPIError(401, .unauthorized) { _ = try await edge.client(token: "forged").workingSet() }
            await expectAPIError(401, .unauthorized) { _ = try await edge.client(token: nil).channels() }
            await expectAPIError(401, .unauthorized) { _ = try await edge.client(token: "forged").user(ws.user("bob").id) }
            _ = originRequests
        }
    }

    @Test func aHistoryHerdCostsOneOriginRequest() async throws {
        // The page stays cached for 10 minutes: however slow the machine, the herd shares one fetch.
        try await withOriginAndEdge(configureEdge: { $0.historyCacheMs = 600_000 }) { origin, ws, edge in
            let general = try await ws.client("alice").general()
            for i in 0..<120 { _ = try await ws.client("bob").post("old \(i)", to: general.id) }
            let atEdge = ws.client("alice").via(edge)
            let latest = try await atEdge.messages(in: general.id)
            #expect(latest.messages.count == 50 && latest.hasMore == true)
            let cursor = latest.messages[0].id
            let fetchesBefore = try await edge.anonymous.metric("switchboard_edge_history_origin_fetches_total")
            let pages = try await withThrowingTaskGroup(of: [Snowflake].self) { group in
                for _ in 0..<200 {
                    group.addTask { try await atEdge.messages(in: general.id, before: cursor).messages.map(\.id) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(pages.count == 200 && Set(pages).count == 1 && pages[0].count == 50)
            #expect(try await edge.anonymous.metric("switchboard_edge_history_origin_fetches_total") == fetchesBefore + 1)
            #expect(pages[0] == (try await ws.client("alice").messages(in: general.id, before: cursor)).messages.map(\.id))
        }
    }
}
