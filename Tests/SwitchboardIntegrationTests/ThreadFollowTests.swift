import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Threads that notify: who follows (the parent's author, repliers, mentioned members,
/// explicit follows), what each gets — mentioned / following / not following × active (a
/// session at an edge) / away (no session) — the "Threads" list, and edges that rebuild
/// followers from their snapshot.
@Suite struct ThreadFollowTests {
    @Test func repliesReachAndNotifyFollowersOnly() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let handles = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hana"]
            let ws = try await TestWorkspace.make(on: origin, handles: handles)
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let general = try await ws.client("alice").general()
                let elsewhere = try await ws.client("alice").createChannel(name: "elsewhere")
                for handle in handles where handle != "alice" { _ = try await ws.client(handle).join(elsewhere.id) }
                let parent = try await ws.client("alice").post("Release plan?", to: general.id).message
                // frank (active) and dave (away) follow explicitly; gina followed and unfollowed.
                for handle in ["frank", "dave", "gina"] { try await ws.client(handle).via(edge).follow(parent.id, in: general.id) }
                try await ws.client("gina").follow(parent.id, in: general.id, false)

                // Active: a session at the edge looking at another channel.
                var active: [String: GatewaySocket] = [:]
                for handle in ["alice", "frank", "erin", "hana"] {
                    active[handle] = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client(handle).token!,
                                                                      focus: elsewhere.id).socket
                }
                let hana = ws.user("hana").id, carol = ws.user("carol").id
                // bob replies, mentioning hana (active) and carol (away).
                let reply = try await ws.client("bob").via(edge).post("<@\(hana)> <@\(carol)> Friday", to: general.id,
                                                                     threadID: parent.id).message

                // Live: the parent's author, the explicit follower and the mentioned get the reply.
                for handle in ["alice", "frank", "hana"] {
                    let got = try await active[handle]!.expectEvent(.messageCreated).payload(Message.self)
                    #expect(got.id == reply.id, "\(handle)")
                }
                // Not following: nothing, neither the reply nor a badge for it.
                let erins = try await active["erin"]!.frames(for: .milliseconds(600))
                #expect(!erins.contains { $0.mentions(reply.id) || $0.isEvent(.unreadUpdated) && $0.mentions(general.id) })

                // Away: the mentioned gets a mention, the follower a thread notification, others nothing.
                let carols = try await eventually { try await ws.client("carol").notifications().first }
                #expect(carols.kind == .mention && carols.messageID == reply.id)
                let daves = try await eventually { try await ws.client("dave").notifications().first }
                #expect(daves.kind == .thread && daves.messageID == reply.id && daves.text.contains("thread"))
                for handle in ["gina", "erin", "alice", "frank", "hana"] {
                    #expect(try await ws.client(handle).notifications().isEmpty, "\(handle) was notified")
                }

                // The Threads list: dave follows it with one unread reply, until he reads it.
                var threads = try await ws.client("dave").via(edge).threads()
                #expect(threads.map(\.parent.id) == [parent.id] && threads.first?.unreadReplies == 1)
                try await ws.client("dave").markRepliesRead(parent.id, in: general.id, upTo: reply.id)
                threads = try await ws.client("dave").threads()
                #expect(threads.first?.unreadReplies == 0 && threads.first?.lastReadID == reply.id)
                #expect(try await ws.client("gina").threads().isEmpty)
                #expect(try await ws.client("erin").threads().isEmpty)
                #expect(try await ws.client("carol").threads().map(\.parent.id) == [parent.id])

                // The parent's author who unfollows stays unfollowed; a replier who unfollows and replies follows again.
                try await ws.client("alice").via(edge).follow(parent.id, in: general.id, false)
                let change = try await active["alice"]!.expectEvent(.threadFollowChanged).payload(ThreadFollow.self)
                #expect(change.threadID == parent.id && !change.following)
                try await ws.client("bob").follow(parent.id, in: general.id, false)
                _ = try await ws.client("bob").post("one more", to: general.id, threadID: parent.id)
                #expect(try await ws.client("alice").threads().isEmpty)
                #expect(try await ws.client("bob").threads().map(\.parent.id) == [parent.id])
                let alices = try await active["alice"]!.frames(for: .milliseconds(500))
                #expect(!alices.contains { $0.isEvent(.messageCreated) })
                #expect(try await active["frank"]!.expectEvent(.messageCreated).payload(Message.self).content == "one more")

                // Bad input: a reply is not a thread; unknown ids; a channel one is not in.
                await expectAPIError(404, .notFound) { try await ws.client("dave").follow(reply.id, in: general.id) }
                await expectAPIError(404, .notFound) { try await ws.client("dave").follow(Snowflake(42), in: general.id) }
                let closed = try await ws.client("erin").createChannel(name: "closed", kind: .private)
                await expectAPIError(403, .notAMember) { try await ws.client("dave").follow(parent.id, in: closed.id) }
                await expectAPIError(400, .badRequest) {
                    try await ws.client("erin").markRepliesRead(parent.id, in: general.id, upTo: reply.id)
                }
                for socket in active.values { await socket.close() }
            }

            // A new edge learns the followers from its snapshot: frank, at it, gets the next reply.
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { fresh in
                let general = try await ws.client("alice").general()
                let parentID = try await ws.client("frank").threads().first!.parent.id
                let frank = try await GatewaySocket.identify(fresh.gatewayURL, token: ws.client("frank").token!)
                let elsewhere = try await ws.client("erin").channels().first { $0.name == "elsewhere" }!
                let erin = try await GatewaySocket.identify(fresh.gatewayURL, token: ws.client("erin").token!, focus: elsewhere.id)
                let late = try await ws.client("carol").post("late reply", to: general.id, threadID: parentID).message
                #expect(try await frank.socket.expectEvent(.messageCreated).payload(Message.self).id == late.id)
                let erins = try await erin.socket.frames(for: .milliseconds(500))
                #expect(!erins.contains { $0.mentions(late.id) })
                await frank.socket.close()
                await erin.socket.close()
            }
        }
    }
}
