import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The forms the seed's clients call: REST typing that reaches viewers like the gateway's, and
/// reactions addressed as `…/reactions/{emoji}/@me` — at the origin and through an edge.
@Suite struct SeedAPIFormsTests {
    func withOriginAndEdge(_ body: (TestOrigin, TestWorkspace, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob", "carol", "dave", "erin"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                try await body(origin, ws, edge)
            }
        }
    }

    @Test func restTypingReachesViewersAtTheOriginAndThroughAnEdgeLikeTheGatewaysTyping() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            let atOrigin = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("bob").token!, focus: general.id)
            let atEdge = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("carol").token!, focus: general.id)

            // Typed through the origin's REST API, and through the edge's (proxied to the origin).
            try await ws.client("alice").typing(in: general.id)
            try await ws.client("dave").via(edge).typing(in: general.id)
            for viewer in [atOrigin, atEdge] {
                var typists: Set<Snowflake> = []
                while typists.count < 2 {
                    let typing = try await viewer.socket.expectEvent(.typingStarted).payload(TypingStarted.self)
                    #expect(typing.channelID == general.id && typing.expiresAtMs > WallClock.nowMs() - 1_000)
                    typists.insert(typing.userID)
                }
                #expect(typists == [ws.user("alice").id, ws.user("dave").id])
            }

            // A channel the typist is not in: refused, and nobody hears of it.
            let secret = try await ws.client("erin").createChannel(name: "secret", kind: .private)
            await expectAPIError(403, .notAMember) { try await ws.client("alice").typing(in: secret.id) }
            let later = try await atOrigin.socket.frames(for: .milliseconds(400))
            #expect(!later.contains { $0.isEvent(.typingStarted) })
            await atOrigin.socket.close()
            await atEdge.socket.close()
        }
    }

    @Test func reactionsAddressedWithAtMeAddAndRemoveTheCallersReaction() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let general = try await ws.client("alice").general()
            let message = try await ws.client("alice").post("react to me", to: general.id).message
            let watcher = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!, focus: general.id)
            let path = "/api/channels/\(general.id)/messages/\(message.id)/reactions/%F0%9F%8E%89/@me"

            for (client, handle) in [(ws.client("bob"), "bob"), (ws.client("carol").via(edge), "carol")] {
                let (added, body) = try await client.raw(.POST, path)
                #expect(added == 200, "\(String(decoding: body, as: UTF8.self))")
                let event = try await watcher.socket.expectEvent(.reactionAdded)
                #expect(event.mentions(ws.user(handle).id))
            }
            var reactions = try await ws.client("bob").messages(in: general.id).messages.last?.reactions ?? []
            #expect(reactions == [Reaction(emoji: "🎉", count: 2, me: true)])

            let (removed, _) = try await ws.client("bob").raw(.DELETE, path)
            #expect(removed == 200)
            _ = try await watcher.socket.expectEvent(.reactionRemoved)
            reactions = try await ws.client("bob").messages(in: general.id).messages.last?.reactions ?? []
            #expect(reactions == [Reaction(emoji: "🎉", count: 1, me: false)])

            // Bad input changes nothing: an invalid message id, another workspace's view of nothing.
            let (bad, _) = try await ws.client("bob").raw(.POST, "/api/channels/\(general.id)/messages/not-an-id/reactions/x/@me")
            #expect(bad == 400)
            await watcher.socket.close()
        }
    }

    @Test func reactionsHaveARateLimitOfTheirOwn() async throws {
        try await TestOrigin.with(configure: { $0.messageRateLimit = 0; $0.reactionRateLimit = 3; $0.messageRateWindowMs = 600_000 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            let general = try await ws.client("alice").general()
            let message = try await ws.client("alice").post("react", to: general.id).message
            for emoji in ["one", "two", "three"] { try await ws.client("bob").react(emoji, to: message.id, in: general.id) }
            do {
                try await ws.client("bob").react("four", to: message.id, in: general.id)
                Issue.record("the fourth reaction in the window was accepted")
            } catch let error as APIError {
                #expect(error.status == 429 && error.code == .rateLimited)
                #expect((error.error.retryAfterMs ?? 0) > 0)
                #expect(error.error.message.contains("reactions"))
            }
            // Nothing changed; others, and messages, are not held back by bob's reactions.
            #expect(try await ws.client("bob").messages(in: general.id).messages.last?.reactions.map(\.emoji).sorted()
                    == ["one", "three", "two"])
            try await ws.client("alice").react("four", to: message.id, in: general.id)
            _ = try await ws.client("bob").post("still talking", to: general.id)
        }
    }

    @Test func aPresignedUploadRoundTripsThroughAnEdge() async throws {
        try await withOriginAndEdge { _, ws, edge in
            let alice = ws.client("alice").via(edge), bob = ws.client("bob").via(edge)
            let general = try await alice.general()
            let image = pngBytes(width: 32, height: 16, padding: 2_000)
            let attachment = try await alice.presignedUpload(bytes: image, contentType: "image/png", filename: "chart.png")
            #expect(attachment.name == "chart.png" && attachment.size == image.count && attachment.width == 32)
            let message = try await alice.post("the chart", to: general.id, attachmentIDs: [attachment.id]).message
            let url = try #require(message.attachments.first?.url)
            let (type, bytes) = try await bob.download(url)
            #expect(type == "image/png" && bytes == image)
        }
    }

    @Test func presignedUploadsRefuseBadInputAndStoreNothing() async throws {
        try await withOriginAndEdge { origin, ws, edge in
            let alice = ws.client("alice").via(edge)
            func ask(_ body: String) async throws -> (Int, Data) {
                try await alice.raw(.POST, "/api/attachments/upload", body: Data(body.utf8), headers: [("Content-Type", "application/json")])
            }
            func put(_ path: String, _ bytes: [UInt8], type: String = "text/plain") async throws -> Int {
                let (status, _) = try await SwitchboardClient(baseURL: edge.baseURL, timeout: .testRequest).raw(.PUT, path, body: Data(bytes),
                                                                                       headers: [("Content-Type", type)])
                return status
            }
            #expect(try await ask(#"{"filename":"a.html","content_type":"text/html","size":10}"#).0 == 400)
            #expect(try await ask(#"{"filename":"big.bin","content_type":"application/octet-stream","size":999999999999}"#).0 == 413)
            #expect(try await ask(#"{"filename":"x.txt","content_type":"text/plain","size":-1}"#).0 == 400)
            #expect(try await ask(#"{"filename":"x.txt","content_type":"text/plain"}"#).0 == 400)
            #expect(try await SwitchboardClient(baseURL: edge.baseURL, timeout: .testRequest).raw(.POST, "/api/attachments/upload",
                                                                          body: Data(#"{"filename":"x","content_type":"text/plain","size":1}"#.utf8)).status == 401)

            let (status, body) = try await ask(#"{"filename":"notes.txt","content_type":"text/plain","size":5}"#)
            #expect(status == 201)
            let grant = try JSON.decode(PresignedUploadResponse.self, from: body)
            // An altered URL, the wrong size or type: refused, and the URL still works afterwards.
            var forged = Array(grant.uploadURL)
            forged[forged.count - 1] = forged.last == "0" ? "1" : "0"
            #expect(try await put(String(forged), Array("hello".utf8)) == 403)
            #expect(try await put(grant.uploadURL, Array("hello world".utf8)) == 400)
            #expect(try await put(grant.uploadURL, Array("hi".utf8)) == 400)
            #expect(try await put(grant.uploadURL, Array("hello".utf8), type: "image/png") == 400)
            #expect(try await origin.origin.store.attachment(grant.attachmentID) == nil)
            #expect(try await put(grant.uploadURL, Array("hello".utf8)) == 201)
            // Used once.
            #expect(try await put(grant.uploadURL, Array("hello".utf8)) == 409)
            let stored = try #require(try await origin.origin.store.attachment(grant.attachmentID))
            #expect(stored.name == "notes.txt" && stored.size == 5 && stored.uploaderID == ws.user("alice").id)
        }
    }
}
