import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The browser client's files as edges and the origin serve them: the page, its modules with a
/// JavaScript type (browsers refuse modules otherwise), and headers that keep content inert.
@Suite struct WebClientTests {
    func get(_ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = []) async throws
        -> (status: UInt, headers: [String: String], body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        var fields: [String: String] = [:]
        for (name, value) in response.headers { fields[name.lowercased()] = value }
        return (response.status.code, fields, String(buffer: body))
    }

    @Test func theEdgeAndTheOriginServeThePageItsModulesAndAStrictPolicy() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret) { origin in
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                for base in [edge.baseURL, origin.baseURL] {
                    let page = try await get(base + "/")
                    #expect(page.status == 200 && page.body.contains("<script type=\"module\" src=\"/js/app.js\">"))
                    let policy = try #require(page.headers["content-security-policy"])
                    #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                    #expect(page.headers["x-content-type-options"] == "nosniff")
                    // Not one inline script or handler in the page, so the policy costs nothing.
                    #expect(!page.body.contains("<script>") && !page.body.contains("onclick"))
                    for module in ["app", "api", "gateway", "store", "dom", "signin", "sidebar", "messages", "composer", "panels", "edges"] {
                        let file = try await get(base + "/js/\(module).js")
                        #expect(file.status == 200, "\(module).js at \(base)")
                        #expect(file.headers["content-type"]?.contains("javascript") == true, "\(module).js at \(base)")
                        // User content reaches the DOM only as text.
                        #expect(!file.body.contains("innerHTML") && !file.body.contains("insertAdjacentHTML"), "\(module).js")
                    }
                    #expect(try await get(base + "/app.css").headers["content-type"]?.contains("text/css") == true)
                    // The API is untouched by the file server, and other edges' pages may call it.
                    #expect(try await get(base + "/api/users/me").status == 401)
                    let preflight = try await get(base + "/api/auth/login", method: .OPTIONS, headers: [
                        ("Origin", "https://edge-b.example"), ("Access-Control-Request-Method", "POST"),
                        ("Access-Control-Request-Headers", "authorization, content-type")])
                    #expect(preflight.headers["access-control-allow-origin"] == "*")
                    #expect(preflight.headers["access-control-allow-headers"]?.lowercased().contains("authorization") == true)
                    // An error answered to another edge's page keeps its status and its JSON.
                    let refused = try await get(base + "/api/users/me", headers: [("Origin", "https://edge-b.example")])
                    #expect(refused.status == 401 && refused.body.contains("\"unauthorized\""))
                    #expect(refused.headers["access-control-allow-origin"] == "*")
                    #expect(try await get(base + "/no-such-file.js").status == 404)
                }
            }
        }
    }
}
