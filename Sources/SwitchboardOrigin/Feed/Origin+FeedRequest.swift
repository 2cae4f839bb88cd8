import HTTPTypes
import Hummingbird
import NIOCore
import SwitchboardCore
import SwitchboardServer

extension HTTPField.Name {
    static let edgeKey = Self("X-Edge-Key")!
}

extension Origin {
    /// Checks that a request comes from an edge: the edge key, and — with `--edge-client-ca` —
    /// a client certificate that CA signed on the connection (`channel`; nil once checked).
    func authorizeEdge(_ headers: HTTPFields, channel: (any NIOCore.Channel)?) async throws {
        guard edgeKey.matches(headers[.edgeKey]) else {
            throw HTTPError(.unauthorized, message: "missing or wrong X-Edge-Key")
        }
        if let channel, transport.certificates?.acceptsClientCertificates == true,
           await clientCertificate(of: channel) == nil {
            throw HTTPError(.forbidden, message: "edges must present a client certificate signed by the edge CA")
        }
    }

    /// Validates an edge feed's upgrade request: the edge, the workspace, the cursor.
    func feedRequest(_ request: Request, channel: (any NIOCore.Channel)?) async throws -> FeedRequest {
        try await authorizeEdge(request.headers, channel: channel)
        let query = request.uri.queryParameters
        guard let raw = query["workspace_id"], let workspaceID = Snowflake(raw) else {
            throw HTTPError(.badRequest, message: "workspace_id is required")
        }
        guard try await store.workspace(workspaceID) != nil else { throw HTTPError(.notFound, message: "no such workspace") }
        var after: UInt64?
        if let raw = query["after"], !raw.isEmpty {
            guard let value = UInt64(raw) else { throw HTTPError(.badRequest, message: "after must be a sequence number") }
            after = value
        }
        return FeedRequest(workspaceID: workspaceID, after: after,
                           edgeID: query["edge_id"].map(String.init) ?? "edge",
                           region: query["region"].map(String.init) ?? "",
                           publicURL: query["public_url"].map(String.init) ?? "")
    }
}
