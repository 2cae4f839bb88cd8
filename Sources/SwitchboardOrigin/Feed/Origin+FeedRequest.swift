import HTTPTypes
import Hummingbird
import SwitchboardCore

extension HTTPField.Name {
    static let edgeKey = Self("X-Edge-Key")!
}

extension Origin {
    /// Validates an edge feed's upgrade request: the edge key, the workspace, the cursor.
    func feedRequest(_ request: Request) async throws -> FeedRequest {
        guard edgeKey.matches(request.headers[.edgeKey]) else {
            throw HTTPError(.unauthorized, message: "missing or wrong X-Edge-Key")
        }
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
