import Foundation
import SwitchboardClient
import SwitchboardCore
@testable import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Link previews through a real origin fetching a local test website.
@Suite struct LinkPreviewTests {
    static let article = TestWebsite.Page(body: """
        <!doctype html><html><head>
        <title>Fallback title</title>
        <meta content="Edge tiers &amp; working sets" property="og:title">
        <meta property='og:description' content='How a regional edge answers a connect with a tiny working set.'>
        <meta property="og:image" content="/img/cover.png"><meta property="og:site_name" content="Switchboard Blog">
        </head><body>…</body></html>
        """)

    /// Reads `/metrics` until `name` reaches `value` (10 s at most).
    static func awaitMetric(_ origin: TestOrigin, _ name: String, _ value: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        var text = ""
        while ContinuousClock.now < deadline {
            text = try await origin.anonymous.metricsText()
            if text.contains("\(name) \(value)\n") { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(name) never reached \(value): \(text.split(separator: "\n").filter { $0.contains("unfurl") })")
    }

    @Test func aLinkGetsAPreviewThroughMessageUpdated() async throws {
        try await TestWebsite.with(["/article": Self.article, "/moved": .redirect(to: "/article")]) { site in
            try await TestOrigin.with(configure: { $0.unfurl.allowPrivate = true }) { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
                let general = try await ws.client("alice").general()
                let session = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("bob").token!, focus: general.id)
                let posted = try await ws.client("alice").post("read this: \(site.baseURL)/moved.", to: general.id).message
                #expect(posted.linkPreviews == nil)   // previews come later

                let update = try await session.socket.expectEvent(.messageUpdated).payload(MessageUpdate.self)
                let preview = try #require(update.linkPreviews?.first)
                #expect(update.id == posted.id && update.content == posted.content)
                #expect(preview.title == "Edge tiers & working sets" && preview.siteName == "Switchboard Blog")
                #expect(preview.description == "How a regional edge answers a connect with a tiny working set.")
                #expect(preview.imageURL == "\(site.baseURL)/img/cover.png" && preview.url == "\(site.baseURL)/article")
                let stored = try await ws.client("bob").messages(in: general.id, limit: 5).messages.last
                #expect(stored?.linkPreviews == [preview])
                // The same link again is not fetched again.
                _ = try await ws.client("alice").post("again \(site.baseURL)/moved", to: general.id)
                _ = try await session.socket.expectEvent(.messageUpdated)
                #expect(site.hits("/article") == 1)
            }
        }
    }

    @Test func privateAddressesDeniedHostsAndBadRedirectsAreNotFetched() async throws {
        let pages: [String: TestWebsite.Page] = [
            "/article": Self.article,
            "/to-file": .redirect(to: "file:///etc/passwd"),
            "/to-loopback": .redirect(to: "http://127.0.0.1:1/article"),
        ]
        try await TestWebsite.with(pages) { site in
            // By default, loopback and private addresses are refused: nothing reaches the site.
            try await TestOrigin.with { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
                let general = try await ws.client("alice").general()
                let posted = try await ws.client("alice").post("\(site.baseURL)/article and http://localhost:\(site.port)/article",
                                                               to: general.id).message
                try await Self.awaitMetric(origin, "switchboard_unfurl_refused_total", 2)
                #expect(site.hits("/article") == 0)
                #expect(try await ws.client("alice").messages(in: general.id, limit: 5).messages.last?.id == posted.id)
                #expect(try await ws.client("alice").messages(in: general.id, limit: 5).messages.last?.linkPreviews == nil)
            }
            // A denied host is refused even where private addresses are allowed; so are redirects
            // to other schemes, and to hosts outside the allow list.
            try await TestOrigin.with(configure: {
                $0.unfurl.allowPrivate = true
                $0.unfurl.allowHosts = ["localhost"]
                $0.unfurl.denyHosts = ["evil.localhost"]
            }) { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice"])
                let general = try await ws.client("alice").general()
                _ = try await ws.client("alice").post("\(site.baseURL)/article http://evil.localhost:\(site.port)/article",
                                                      to: general.id)
                _ = try await ws.client("alice").post(
                    "http://localhost:\(site.port)/to-file http://localhost:\(site.port)/to-loopback", to: general.id)
                try await Self.awaitMetric(origin, "switchboard_unfurl_refused_total", 4)
                #expect(site.hits("/article") == 0 && site.hits("/to-file") == 1 && site.hits("/to-loopback") == 1)
            }
        }
    }

    @Test func addressRanges() {
        for address in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
                        "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2001:db8::1"] {
            #expect(!AddressPolicy.isPublic(address), "\(address) must not be fetched")
        }
        for address in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            #expect(AddressPolicy.isPublic(address), "\(address) is public")
        }
        #expect(AddressPolicy.matches("a.b.example.com", "example.com") && !AddressPolicy.matches("badexample.com", "example.com"))
    }

    @Test func linksAndPages() {
        let links = LinkUnfurler.links(in: "see https://a.example/x?y=1, <http://b.example/p|the page> (https://c.example). ftp://no https://a.example/x?y=1")
        #expect(links.map(\.absoluteString) == ["https://a.example/x?y=1", "http://b.example/p", "https://c.example"])
        let page = PreviewParser.preview(of: "<TITLE>Only &lt;a&gt; title &#x2014; &#8212;</TITLE>", url: URL(string: "https://x.example/")!)
        #expect(page?.title == "Only <a> title — —" && page?.description == nil && page?.imageURL == nil)
        #expect(PreviewParser.preview(of: "<p>no head</p>", url: URL(string: "https://x.example/")!) == nil)
        let scripted = PreviewParser.preview(of: #"<meta property="og:title" content="T"><meta property="og:image" content="javascript:alert(1)">"#,
                                             url: URL(string: "https://x.example/")!)
        #expect(scripted?.title == "T" && scripted?.imageURL == nil)
    }
}
