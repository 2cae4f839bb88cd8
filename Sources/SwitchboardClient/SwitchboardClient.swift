import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SwitchboardCore
import SwitchboardTLS

/// A protocol error answered by the server: the HTTP status and the error body.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var error: SwitchboardError

    public var code: ErrorCode { error.code }
    public var description: String { "HTTP \(status) \(error.code.rawValue): \(error.message)" }
}

/// The REST half of the Swift SDK. Talks to an origin or an edge (same paths).
public struct SwitchboardClient: Sendable {
    /// `http://host:port`, no trailing slash.
    public let baseURL: String
    /// Bearer token for user calls.
    public var token: String?
    /// `X-Admin-Key` for admin calls.
    public var adminKey: String?
    /// Sent as `X-Switchboard-Workspace` when set: a load balancer in front of several edges
    /// hashes on it, so that one workspace's clients land on one edge. Only a routing hint.
    public var workspaceID: Snowflake?
    /// How `https://` servers are verified (and gateway sockets over `wss://`). Default
    /// ``ClientTLS/environment``: `SWITCHBOARD_CA_FILE`, else the system trust store.
    public let tls: ClientTLS
    /// An HTTP client of the caller's; nil: the shared one for ``tls``.
    let httpClient: HTTPClient?
    let timeout: TimeAmount

    public init(baseURL: String, token: String? = nil, adminKey: String? = nil, tls: ClientTLS = .environment,
                httpClient: HTTPClient? = nil, timeout: TimeAmount = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.adminKey = adminKey
        self.tls = tls
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The HTTP client requests go through (a CA file that cannot be read fails here, by name).
    func http() throws -> HTTPClient {
        try httpClient ?? ClientTLSContexts.shared.httpClient(for: tls)
    }

    /// `ws(s)://host:port/gateway` of this server.
    public var gatewayURL: String { Self.webSocketURL(baseURL) + "/gateway" }

    /// `ws://…` for `http://…`, `wss://…` for `https://…`.
    public static func webSocketURL(_ baseURL: String) -> String { GatewaySocket.webSocketURL(baseURL) }

    /// The same client acting as another user.
    public func withToken(_ token: String) -> SwitchboardClient {
        var copy = self
        copy.token = token
        return copy
    }

    // MARK: Transport

    /// One request; the raw status and body whatever the status. Bodies are limited to 256 MiB.
    public func raw(_ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: Data? = nil,
                    headers: [(String, String)] = []) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let adminKey { request.headers.add(name: "X-Admin-Key", value: adminKey) }
        if let workspaceID { request.headers.add(name: "X-Switchboard-Workspace", value: workspaceID.description) }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body {
            if !request.headers.contains(name: "Content-Type") { request.headers.add(name: "Content-Type", value: "application/json") }
            request.body = .bytes(ByteBuffer(data: body))
        }
        // A read may meet a pooled connection the server closed a moment before it was reused
        // (a reset on the first read): it is sent once more on a fresh one, as browsers do.
        // Writes are not: whether they were applied is not known.
        var attempts = method == .GET || method == .HEAD ? 2 : 1
        while true {
            attempts -= 1
            do {
                let response = try await http().execute(request, timeout: timeout)
                let buffer = try await response.body.collect(upTo: 256 << 20)
                return (Int(response.status.code), Data(buffer: buffer))
            } catch where attempts > 0 && Self.isStaleConnection(error) {
                continue
            } catch {
                throw TLSFailure(error, server: baseURL, trustOption: "--ca-file / SWITCHBOARD_CA_FILE") ?? error
            }
        }
    }

    /// A connection the peer had already closed or reset when the request went out on it.
    static func isStaleConnection(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNRESET || io.errnoCode == EPIPE }
        if let client = error as? HTTPClientError { return client == .remoteConnectionClosed }
        return false
    }

    /// A request whose 2xx body decodes as `R`; other statuses throw ``APIError``.
    public func call<R: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String?)] = [],
                            body: (some Encodable)? = Optional<EmptyResponse>.none,
                            as type: R.Type = R.self) async throws -> (status: Int, value: R) {
        let data = try body.map { try JSON.encode($0) }
        let (status, responseBody) = try await raw(method, path, query: query, body: data)
        guard (200..<300).contains(status) else { throw Self.apiError(status: status, body: responseBody) }
        if R.self == EmptyResponse.self, responseBody.isEmpty { return (status, EmptyResponse() as! R) }
        return (status, try JSON.decode(R.self, from: responseBody))
    }

    static func apiError(status: Int, body: Data) -> APIError {
        if let decoded = try? JSON.decode(ErrorBody.self, from: body) {
            return APIError(status: status, error: decoded.switchboardError)
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return APIError(status: status, error: SwitchboardError(.internalError, "HTTP \(status): \(text)"))
    }

    static func queryString(_ query: [(String, String?)]) -> String { URLQuery.string(query) }

    static func pathComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? value
    }
}
