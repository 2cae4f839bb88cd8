import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import NIOHTTP1
import SwitchboardCore

/// Passes a request to the origin unchanged and streams the answer back, so a client needs
/// only the edge's address. Bodies stream both ways; nothing is buffered whole.
struct OriginProxy: Sendable {
    let origins: OriginPool
    let http: HTTPClient

    /// Hop-by-hop headers are the connection's own, not the request's.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
                                        "te", "trailer", "host", "content-length"]

    static let methods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    /// The headers that say who the client is and how it reached the edge, and the request's
    /// id: set by the edge (a client's own copies are dropped, or they could claim any address;
    /// its id was already taken if plausible).
    static let forwarding: Set<String> = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-request-id"]

    /// Forwards to the process serving the caller's workspace (`nil`: no token, any process),
    /// saying who the client is (`X-Forwarded-For`), where it reached the edge, and the
    /// request's id (`X-Request-Id`, so that the origin logs it too).
    func forward(_ request: Request, workspaceID: Snowflake?, requestID: String?, client: String?, scheme: String) async throws -> Response {
        // The API's methods only: others (TRACE, CONNECT, …) are nobody's endpoint, as at the origin.
        guard Self.methods.contains(request.method) else { throw SwitchboardError.notFound("endpoint") }
        var outbound = HTTPClientRequest(url: origins.url(for: workspaceID) + request.uri.description)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName)
            && !Self.forwarding.contains(field.name.canonicalName) {
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        if let client { outbound.headers.add(name: "X-Forwarded-For", value: client) }
        if let host = request.head.authority { outbound.headers.add(name: "X-Forwarded-Host", value: host) }
        outbound.headers.add(name: "X-Forwarded-Proto", value: scheme)
        if let requestID { outbound.headers.add(name: "X-Request-Id", value: requestID) }
        let body = ForwardedBody(request.body)
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            outbound.body = .stream(body, length: .known(Int64(length)))
        } else if request.method == .post || request.method == .put || request.method == .patch {
            outbound.body = .stream(body, length: .unknown)
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(outbound, timeout: .seconds(60))
        } catch {
            await body.settle()
            throw error
        }
        await body.settle()
        var headers = HTTPFields()
        for (name, value) in response.headers where !Self.hopByHop.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        if let length = response.headers.first(name: "content-length") { headers[.contentLength] = length }
        return Response(status: .init(code: Int(response.status.code)), headers: headers,
                        body: ResponseBody(asyncSequence: response.body))
    }

    /// A history page from the origin, with reactor lists so one page serves every viewer.
    func history(workspaceID: Snowflake, channelID: Snowflake, token: String, before: Snowflake?, after: Snowflake?, limit: Int?) async throws -> MessagesResponse {
        var query = [("reactors", "true")]
        if let before { query.append(("before", before.description)) }
        if let after { query.append(("after", after.description)) }
        if let limit { query.append(("limit", String(limit))) }
        var request = HTTPClientRequest(url: origins.url(for: workspaceID) + "/api/channels/\(channelID)/messages?"
                                        + query.map { "\($0)=\($1)" }.joined(separator: "&"))
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200 else {
            let error = (try? JSON.decode(ErrorBody.self, from: Data(buffer: body)))?.switchboardError
            throw error ?? SwitchboardError(.unavailable, "the origin answered \(response.status.code)")
        }
        return try JSON.decode(MessagesResponse.self, from: Data(buffer: body))
    }
}
