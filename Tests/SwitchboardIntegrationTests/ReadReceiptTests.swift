import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Read receipts: to the other viewers of a DM or small channel, at the origin and an edge;
/// never for users who turned them off, never in large channels.
@Suite struct ReadReceiptTests {
    @Test func aReceiptReachesAViewerUnlessTheReaderHidesIt() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0; $0.readReceiptsMaxMembers = 3 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob", "carol", "dave"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let alice = ws.client("alice"), bob = ws.client("bob")
                let dm = try await alice.openDM(with: [ws.user("bob").id])
                let hello = try await alice.post("hello bob", to: dm.id).message
                let aliceWatches = try await GatewaySocket.identify(edge.gatewayURL, token: alice.token!, focus: dm.id)
                let aliceAtOrigin = try await GatewaySocket.identify(origin.gatewayURL, token: alice.token!, focus: dm.id)

                // bob reads, through the edge: alice, looking at the DM, sees it at the edge and at the origin.
                try await bob.via(edge).markRead(dm.id, messageID: hello.id)
                for socket in [aliceWatches.socket, aliceAtOrigin.socket] {
                    let receipt = try await socket.expectEvent(.readReceipt).payload(ReadReceipt.self)
                    #expect(receipt == ReadReceipt(channelID: dm.id, userID: ws.user("bob").id, lastReadID: hello.id))
                }
                #expect(try await alice.readReceipts(in: dm.id).contains {
                    $0.userID == ws.user("bob").id && $0.lastReadID == hello.id
                })

                // bob stops sharing: his next read sends nothing, and he is left out of the list.
                let me = try await bob.updateProfile(UpdateProfileRequest(sharesReadReceipts: false))
                #expect(me.sharesReadReceipts == false)
                let again = try await alice.post("still there?", to: dm.id).message
                try await bob.markRead(dm.id, messageID: again.id)
                let frames = try await aliceWatches.socket.frames(for: .milliseconds(600))
                #expect(!frames.contains { $0.isEvent(.readReceipt) })
                #expect(try await alice.readReceipts(in: dm.id).allSatisfy { $0.userID != ws.user("bob").id })

                // A channel above the limit keeps none: no event, and the list is refused.
                let general = try await alice.general()  // 4 members > 3
                let post = try await alice.post("to everyone", to: general.id).message
                let watcher = try await GatewaySocket.identify(edge.gatewayURL, token: alice.token!, focus: general.id)
                try await ws.client("carol").markRead(general.id, messageID: post.id)
                #expect(!(try await watcher.socket.frames(for: .milliseconds(600))).contains { $0.isEvent(.readReceipt) })
                await expectAPIError(400, .badRequest) { _ = try await alice.readReceipts(in: general.id) }
                // Bad input: a channel one is not in.
                let closed = try await ws.client("dave").createChannel(name: "closed", kind: .private)
                await expectAPIError(403, .notAMember) { _ = try await alice.readReceipts(in: closed.id) }
                for socket in [aliceWatches.socket, aliceAtOrigin.socket, watcher.socket] { await socket.close() }
            }
        }
    }
}
