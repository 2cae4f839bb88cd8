import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Search with Slack's operators, paging and marked snippets, at the origin and through an edge.
@Suite struct SearchOperatorsTests {
    static let day: UInt64 = 86_400_000
    static let march10: UInt64 = 1_773_100_800_000  // 2026-03-10T00:00:00Z

    @Test func eachOperatorNarrowsTheSearch() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let alice = ws.client("alice"), bob = ws.client("bob")
                let general = try await alice.general()
                let design = try await alice.createChannel(name: "design")
                _ = try await bob.join(design.id)
                let hidden = try await bob.createChannel(name: "hidden", kind: .private)
                // Back-dated posts go straight to the store (the API stamps the present).
                func post(_ content: String, by handle: String, in channel: Snowflake, at ms: UInt64) async throws -> Message {
                    try await origin.origin.store.postMessage(MessageDraft(
                        ids: origin.origin.chat.ids, channelID: channel, authorID: ws.user(handle).id, content: content, nonce: nil,
                        threadID: nil, alsoToChannel: false, mentions: Mentions(parsing: content), nowMs: ms)).message
                }
                let m1 = try await post("quarterly report draft", by: "alice", in: general.id, at: Self.march10 + 3_600_000)
                let m2 = try await post("the report is at https://example.com/r", by: "bob", in: general.id, at: Self.march10 + 2 * Self.day)
                _ = try await post("report of the hidden kind", by: "bob", in: hidden.id, at: Self.march10 + 2 * Self.day)
                let file = try await bob.upload(bytes: Array("csv,data".utf8), contentType: "text/csv", filename: "r.csv")
                let m3 = try await bob.post("<b>design</b> report & figures", to: design.id, attachmentIDs: [file.id]).message

                for client in [alice, alice.via(edge)] {
                    func ids(_ q: String) async throws -> [Snowflake] { try await client.search(q).map(\.id) }
                    #expect(try await ids("report") == [m3.id, m2.id, m1.id])
                    #expect(try await ids("report from:@bob") == [m3.id, m2.id])
                    #expect(try await ids("report in:#general") == [m2.id, m1.id])
                    #expect(try await ids("report before:2026-03-11") == [m1.id])
                    #expect(try await ids("report after:2026-03-11") == [m3.id, m2.id])
                    #expect(try await ids("on:2026-03-12") == [m2.id])
                    #expect(try await ids("has:link") == [m2.id])
                    #expect(try await ids("has:file report") == [m3.id])
                    #expect(try await ids("from:@alice in:#design").isEmpty)
                }

                // Paging by cursor: one per page, newest first, until there is no next.
                var seen: [Snowflake] = []
                var before: Snowflake?
                repeat {
                    let page = try await alice.searchPage("report", before: before, limit: 1)
                    seen += page.messages.map(\.id)
                    before = page.nextBefore
                    #expect(page.messages.count == 1 && page.snippets.count == 1)
                } while before != nil
                #expect(seen == [m3.id, m2.id, m1.id])

                // The excerpt marks the match and is inert HTML.
                let top = try await alice.via(edge).searchPage("report", limit: 1)
                #expect(top.snippets == ["&lt;b&gt;design&lt;/b&gt; <mark>report</mark> &amp; figures"])

                // Bad input: a clear error, and the search still works.
                await expectAPIError(404, .notFound) { _ = try await alice.search("report in:#hidden") }
                await expectAPIError(404, .notFound) { _ = try await alice.search("from:@nobody") }
                await expectAPIError(400, .badRequest) { _ = try await alice.search("report before:2026-13-01") }
                await expectAPIError(400, .badRequest) { _ = try await alice.via(edge).search("has:video") }
                await expectAPIError(400, .badRequest) { _ = try await alice.search("   ") }
                await expectAPIError(400, .badRequest) { _ = try await alice.searchPage("report", limit: 0) }
                #expect(try await bob.search("report in:#hidden").count == 1)
            }
        }
    }
}
