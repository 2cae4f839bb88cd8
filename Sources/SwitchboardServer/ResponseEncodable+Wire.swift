public import Hummingbird
public import SwitchboardCore

// The wire types live in SwitchboardCore, which knows nothing of HTTP; here they become
// Hummingbird responses.
extension WorkspaceResponse: ResponseEncodable {}
extension UserResponse: ResponseEncodable {}
extension CreatedUserResponse: ResponseEncodable {}
extension TokenResponse: ResponseEncodable {}
extension UsersResponse: ResponseEncodable {}
extension ChannelResponse: ResponseEncodable {}
extension ChannelsResponse: ResponseEncodable {}
extension MembersResponse: ResponseEncodable {}
extension MessageResponse: ResponseEncodable {}
extension MessagesResponse: ResponseEncodable {}
extension EmptyResponse: ResponseEncodable {}
extension HealthResponse: ResponseEncodable {}
extension EdgesResponse: ResponseEncodable {}
extension NotificationsResponse: ResponseEncodable {}
extension WorkingSet: ResponseEncodable {}
extension ImportResult: ResponseEncodable {}
extension HookResponse: ResponseEncodable {}
extension AttachmentResponse: ResponseEncodable {}
