import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchboardClient
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Attachments through a real origin: upload → message → download, and every refusal.
@Suite struct AttachmentTests {
    @Test func uploadPostAndDownloadByAMember() async throws {
        try await withWorkspace { origin, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let general = try await alice.general()
            let image = pngBytes(width: 640, height: 480, padding: 5_000)
            let uploaded = try await alice.upload(bytes: image, contentType: "image/png", filename: "../../screen shot.png")
            #expect(uploaded.name == "screen shot.png" && uploaded.size == image.count && uploaded.contentType == "image/png")
            #expect(uploaded.width == 640 && uploaded.height == 480 && uploaded.url.hasPrefix("/files/\(uploaded.id)?exp="))

            let session = try await GatewaySocket.identify(origin.gatewayURL, token: bob.token!, focus: general.id)
            let posted = try await alice.post("look", to: general.id, attachmentIDs: [uploaded.id]).message
            #expect(posted.attachments.map(\.id) == [uploaded.id])
            // Everyone in the channel sees the file in the event and in history, with a signed URL.
            let heard = try await session.socket.expectEvent(.messageCreated).payload(Message.self)
            #expect(heard.attachments.first?.width == 640 && heard.attachments.first?.url.contains("sig=") == true)
            let history = try await bob.messages(in: general.id, limit: 5).messages
            let shown = try #require(history.last?.attachments.first)
            #expect(shown.name == "screen shot.png" && shown.size == image.count)

            let downloaded = try await bob.download(shown.url)
            #expect(downloaded.bytes == image && downloaded.contentType == "image/png")
            // An upload is attached once.
            await expectAPIError(400, .badRequest) { _ = try await alice.post("again", to: general.id, attachmentIDs: [uploaded.id]) }
            // A message may be only a file.
            let second = try await alice.upload(bytes: Array("just a file".utf8), contentType: "text/plain", filename: "notes.txt")
            let fileOnly = try await alice.post("", to: general.id, attachmentIDs: [second.id]).message
            #expect(fileOnly.content.isEmpty && fileOnly.attachments.first?.width == nil)
            #expect(try await bob.download(fileOnly.attachments[0].url).bytes == Array("just a file".utf8))
        }
    }

    @Test func nonMembersExpiredAndAlteredURLsAreRefused() async throws {
        try await withWorkspace { origin, ws in
            let alice = ws.client("alice"), bob = ws.client("bob"), carol = ws.client("carol")
            let secret = try await alice.createChannel(name: "secret", kind: .private)
            try await alice.addMember(ws.user("bob").id, to: secret.id)
            let uploaded = try await alice.upload(bytes: Array("plans".utf8), contentType: "text/plain", filename: "plans.txt")
            // Before it is posted, only its uploader can fetch it.
            await expectAPIError(404, .notFound) { _ = try await bob.download(uploaded.url) }
            let posted = try await alice.post("plans", to: secret.id, attachmentIDs: [uploaded.id]).message
            let url = try #require(posted.attachments.first?.url)
            #expect(try await bob.download(url).bytes == Array("plans".utf8))

            // Carol is not in the channel: not with the member's URL, not with the id alone.
            await expectAPIError(403, .notAMember) { _ = try await carol.download(url) }
            await expectAPIError(403, .forbidden) { _ = try await carol.download("/files/\(uploaded.id)") }
            // No token: no file, even with the URL.
            await expectAPIError(401, .unauthorized) { _ = try await origin.anonymous.download(url) }

            // Expired, or altered in any part: 403.
            let signer = origin.origin.chat.attachments.signer
            let expired = signer.url(for: uploaded.id, nowMs: WallClock.nowMs() - (signer.lifetimeSeconds + 60) * 1000)
            await expectAPIError(403, .forbidden) { _ = try await bob.download(expired) }
            let lastSig = url.last!
            let alteredSig = String(url.dropLast()) + (lastSig == "0" ? "1" : "0")
            await expectAPIError(403, .forbidden) { _ = try await bob.download(alteredSig) }
            let alteredExp = url.replacingOccurrences(of: "exp=", with: "exp=9")
            await expectAPIError(403, .forbidden) { _ = try await bob.download(alteredExp) }
            let otherID = url.replacingOccurrences(of: "/files/\(uploaded.id)", with: "/files/\(Snowflake(uploaded.id.rawValue + 1))")
            await expectAPIError(403, .forbidden) { _ = try await bob.download(otherID) }

            // A deleted message's file is gone.
            try await alice.delete(posted.id, in: secret.id)
            await expectAPIError(404, .notFound) { _ = try await bob.download(url) }
            // Someone else's upload cannot be posted.
            let bobs = try await bob.upload(bytes: Array("mine".utf8), contentType: "text/plain", filename: "m.txt")
            await expectAPIError(400, .badRequest) { _ = try await alice.post("steal", to: secret.id, attachmentIDs: [bobs.id]) }
        }
    }

    @Test func sizeAndTypeLimits() async throws {
        try await TestOrigin.with(configure: { $0.attachments.maxBytes = 4_096 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
            let alice = ws.client("alice")
            let blobs = origin.origin.chat.attachments.blobs.directory
            // Announced too large: refused before reading. Streamed without a length: refused on the way.
            await expectAPIError(413, .payloadTooLarge) {
                _ = try await alice.upload(bytes: [UInt8](repeating: 7, count: 4_097), contentType: "application/octet-stream",
                                           filename: "big.bin")
            }
            let streamed = try await uploadStreamed(alice, [UInt8](repeating: 7, count: 10_000), contentType: "application/zip")
            #expect(streamed == 413 || streamed == nil)   // an answer, or the connection closed after it
            #expect(try FileManager.default.contentsOfDirectory(atPath: blobs + "/tmp").isEmpty)   // nothing left behind
            #expect(try await alice.upload(bytes: [UInt8](repeating: 7, count: 4_096), contentType: "application/octet-stream",
                                           filename: "fits.bin").size == 4_096)

            // The type must be declared, accepted, and for images true.
            await expectAPIError(400, .badRequest) {
                _ = try await alice.upload(bytes: Array("<script>".utf8), contentType: "text/html", filename: "x.html")
            }
            await expectAPIError(400, .badRequest) {
                _ = try await alice.upload(bytes: Array("not a png".utf8), contentType: "image/png", filename: "fake.png")
            }
            await expectAPIError(400, .badRequest) {
                _ = try await alice.upload(bytes: pngBytes(width: 1, height: 1), contentType: "image/jpeg", filename: "x.jpg")
            }
            await expectAPIError(401, .unauthorized) {
                _ = try await origin.anonymous.upload(bytes: Array("x".utf8), contentType: "text/plain", filename: "x.txt")
            }
            // Identical bytes are stored once.
            let a = try await alice.upload(bytes: Array("same".utf8), contentType: "text/plain", filename: "a.txt")
            let b = try await alice.upload(bytes: Array("same".utf8), contentType: "text/plain", filename: "b.txt")
            #expect(a.id != b.id)
            let stored = try FileManager.default.subpathsOfDirectory(atPath: blobs).filter { !$0.hasPrefix("tmp") && $0.count > 60 }
            #expect(stored.count == 2)   // "fits.bin" and "same"
        }
    }

    /// POSTs `bytes` with no Content-Length (chunked), as a client streaming from a pipe would.
    private func uploadStreamed(_ client: SwitchboardClient, _ bytes: [UInt8], contentType: String) async throws -> Int? {
        var request = HTTPClientRequest(url: client.baseURL + "/api/attachments?filename=s.zip")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(client.token!)")
        request.headers.add(name: "Content-Type", value: contentType)
        let chunks = AsyncStream<ByteBuffer> { continuation in
            for start in stride(from: 0, to: bytes.count, by: 1_000) {
                continuation.yield(ByteBuffer(bytes: bytes[start..<min(start + 1_000, bytes.count)]))
            }
            continuation.finish()
        }
        request.body = .stream(chunks, length: .unknown)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch is HTTPClientError {
            return nil   // the server may close the connection once it has answered
        }
    }
}
