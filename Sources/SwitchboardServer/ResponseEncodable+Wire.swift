public import Hummingbird
public import SwitchboardCore

// The wire types live in SwitchboardCore, which knows nothing of HTTP; here they become
// Hummingbird responses.
extension WorkspaceResponse: ResponseEncodable {}
extension UserResponse: ResponseEncodable {}
extension CreatedUserResponse: ResponseEncodable {}
extension TokenResponse: ResponseEncodable {}
extension LoginResponse: ResponseEncodable {}
extension InviteResponse: ResponseEncodable {}
extension InvitePreview: ResponseEncodable {}
extension UsersResponse: ResponseEncodable {}
extension HooksResponse: ResponseEncodable {}
extension IntegrationResponse: ResponseEncodable {}
extension IntegrationsResponse: ResponseEncodable {}
extension SlashCommandResult: ResponseEncodable {}
extension ReadReceiptsResponse: ResponseEncodable {}
extension SearchResponse: ResponseEncodable {}
extension ThreadsResponse: ResponseEncodable {}
extension PresignedUploadResponse: ResponseEncodable {}
extension ChannelResponse: ResponseEncodable {}
extension ChannelsResponse: ResponseEncodable {}
extension MembersResponse: ResponseEncodable {}
extension MessageResponse: ResponseEncodable {}
extension MessagesResponse: ResponseEncodable {}
extension EmptyResponse: ResponseEncodable {}
extension HealthResponse: ResponseEncodable {}
extension ReadinessResponse: ResponseEncodable {}
extension EdgesResponse: ResponseEncodable {}
extension NotificationsResponse: ResponseEncodable {}
extension ImportResult: ResponseEncodable {}
extension HookResponse: ResponseEncodable {}
extension AttachmentResponse: ResponseEncodable {}

/// A JSON body written without `Codable` (the edge's working set, see `JSONWriter`).
public struct JSONBody: ResponseGenerator {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
