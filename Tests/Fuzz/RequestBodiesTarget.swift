import Foundation

/// A JSON request body of the REST API, decoded as every body type the servers accept and run
/// through the rules the servers apply; and the search box's text. Nothing may trap: a decoding
/// failure is a `DecodingError` (the servers' 400) and a refused value a `bad_request`.
func fuzzRequestBodies(_ bytes: [UInt8]) {
    let data = Data(bytes)
    let decoder = JSON.decoder()
    func decode<T: Decodable>(_ type: T.Type) -> T? {
        do {
            return try decoder.decode(type, from: data)
        } catch is DecodingError {
            return nil
        } catch {
            fatalError("property broken: decoding \(T.self) threw \(error), not a DecodingError")
        }
    }
    func validated(_ rule: () throws(SwitchboardError) -> Void) {
        do {
            try rule()
        } catch {
            require(error.code == .badRequest, "a refused value is bad_request, got \(error.code)")
        }
    }

    if let body = decode(PostMessageRequest.self) { validated { () throws(SwitchboardError) in _ = try Validation.content(body.content) } }
    if let body = decode(EditMessageRequest.self) { validated { () throws(SwitchboardError) in _ = try Validation.content(body.content) } }
    if let body = decode(CreateChannelRequest.self) { validated { () throws(SwitchboardError) in _ = try Validation.channelName(body.name) } }
    if let body = decode(CreateUserRequest.self) {
        validated { () throws(SwitchboardError) in _ = try Validation.handle(body.handle) }
        if let password = body.password { validated { () throws(SwitchboardError) in _ = try Validation.password(password) } }
    }
    if let body = decode(ChangePasswordRequest.self) { validated { () throws(SwitchboardError) in _ = try Validation.password(body.newPassword) } }
    _ = decode(CreateWorkspaceRequest.self)
    _ = decode(CreateTokenRequest.self)
    _ = decode(UpdateProfileRequest.self)
    _ = decode(UpdateChannelRequest.self)
    _ = decode(SetRoleRequest.self)
    _ = decode(OpenDMRequest.self)
    _ = decode(AddMemberRequest.self)
    _ = decode(MarkReadRequest.self)
    _ = decode(SetPresenceRequest.self)
    _ = decode(AdminUserPatchRequest.self)
    _ = decode(LoginRequest.self)
    _ = decode(CreateInviteRequest.self)
    _ = decode(AcceptInviteRequest.self)
    _ = decode(UpdateWorkspaceRequest.self)
    _ = decode(CreateHookRequest.self)
    _ = decode(HookPostRequest.self)
    _ = decode(CreateIntegrationRequest.self)
    _ = decode(SlashCommandRequest.self)
    _ = decode(ChannelPreferencesRequest.self)
    _ = decode(ImportBatch.self)
    _ = decode(EdgeRegistration.self)

    do {
        let query = try SearchQuery(parsing: String(decoding: bytes, as: UTF8.self))
        if let from = query.fromMs, let until = query.untilMs { _ = until &- from }
    } catch {
        require(error.code == .badRequest, "a refused search is bad_request, got \(error.code)")
    }
}
