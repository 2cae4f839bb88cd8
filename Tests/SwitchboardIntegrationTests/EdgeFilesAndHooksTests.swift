import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Files, link previews and webhooks seen through an edge: uploads and downloads stream
/// through it, and the `message.updated` carrying a preview and a hook's `message.created` fan
/// out to its clients like any other event.
@Suite struct EdgeFilesAndHooksTests {
    @Test func filesPreviewsAndHooksThroughAnEdge() async throws {
        let page = TestWebsite.Page(body: #"<html><head><meta property="og:title" content="Release notes"></head></html>"#)
        try await TestWebsite.with(["/notes": page]) { site in
            let secret = TestOrigin.randomSecret()
            // Short-lived URLs at the origin, to see the edge sign its cached copies afresh.
            try await TestOrigin.with(tokenSecret: secret, configure: {
                $0.unfurl.allowPrivate = true
                // Long enough for the first download on a loaded machine; the end of the test waits it out.
                $0.attachments.urlLifetimeSeconds = 10
            }) { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
                try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                    let alice = ws.client("alice").via(edge), bob = ws.client("bob").via(edge)
                    let general = try await alice.general()
                    let session = try await GatewaySocket.identify(edge.gatewayURL, token: bob.token!, focus: general.id)

                    // Upload and download through the edge (streamed both ways), 3 MB.
                    let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                    let uploaded = try await alice.upload(bytes: bytes, contentType: "application/zip", filename: "build.zip")
                    let posted = try await alice.post("build and \(site.baseURL)/notes", to: general.id,
                                                      attachmentIDs: [uploaded.id]).message
                    let created = try await session.socket.expectEvent(.messageCreated).payload(Message.self)
                    #expect(created.id == posted.id && created.attachments.first?.size == 3_000_000)
                    #expect(try await bob.download(created.attachments[0].url).bytes == bytes)

                    // The preview arrives as message.updated, and the edge's cached history has it.
                    let update = try await session.socket.expectEvent(.messageUpdated).payload(MessageUpdate.self)
                    #expect(update.id == posted.id && update.linkPreviews?.first?.title == "Release notes")
                    let cached = try await bob.messages(in: general.id, limit: 5).messages.last
                    #expect(cached?.linkPreviews?.first?.title == "Release notes" && cached?.attachments.count == 1)

                    // A webhook called through the edge posts as its bot; the edge's client hears it.
                    let hook = try await origin.admin.createHook(workspaceID: ws.workspace.id, channelID: general.id, name: "Deploys")
                    try await edge.client(token: nil).postToHook(token: hook.token, content: "deployed v2")
                    let fromBot = try await session.socket.expectEvent(.messageCreated).payload(Message.self)
                    #expect(fromBot.authorID == hook.botUserID && fromBot.content == "deployed v2")
                    // The bot's token works at the edge's gateway too.
                    let bot = try await GatewaySocket.identify(edge.gatewayURL, token: hook.botToken!)
                    await bot.socket.close()

                    // Once the URL in the event has expired, the edge's cache still serves a valid one.
                    let expiry = try #require(URLComponents(string: created.attachments[0].url)?.queryItems?
                        .first { $0.name == "exp" }?.value.flatMap(Double.init))
                    let wait = expiry + 1 - Date().timeIntervalSince1970
                    if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1_000))) }
                    await expectAPIError(403, .forbidden) { _ = try await bob.download(created.attachments[0].url) }
                    let resigned = try #require(try await bob.messages(in: general.id, limit: 5).messages
                        .first { $0.id == posted.id }?.attachments.first?.url)
                    #expect(resigned != created.attachments[0].url)
                    #expect(try await bob.download(resigned).bytes.count == 3_000_000)
                }
            }
        }
    }
}
