import Foundation
import NIOHTTP1
import SwitchboardCore

// Sign-in, sign-out, passwords and invites.
extension SwitchboardClient {
    /// Signs in with a password; the answer's token goes in ``withToken(_:)``.
    public func login(workspace: String, email: String? = nil, handle: String? = nil, password: String) async throws -> LoginResponse {
        try await call(.POST, "/api/auth/login", body: LoginRequest(workspace: workspace, email: email, handle: handle,
                                                                    password: password),
                       as: LoginResponse.self).value
    }

    /// Ends this client's sign-in: its token is refused from now on, here and at every edge.
    public func logout() async throws {
        _ = try await call(.POST, "/api/auth/logout", as: EmptyResponse.self)
    }

    public func changePassword(from oldPassword: String?, to newPassword: String) async throws {
        _ = try await call(.PATCH, "/api/users/me/password",
                           body: ChangePasswordRequest(oldPassword: oldPassword, newPassword: newPassword), as: EmptyResponse.self)
    }

    public func createInvite(workspaceID: Snowflake, expiresInHours: Int? = nil) async throws -> Invite {
        try await call(.POST, "/api/workspaces/\(workspaceID)/invites", body: CreateInviteRequest(expiresInHours: expiresInHours),
                       as: InviteResponse.self).value.invite
    }

    public func invitePreview(code: String) async throws -> InvitePreview {
        try await call(.GET, "/api/auth/invites/\(code)", as: InvitePreview.self).value
    }

    /// Signs up with an invite: a new account, signed in.
    public func acceptInvite(code: String, _ request: AcceptInviteRequest) async throws -> LoginResponse {
        try await call(.POST, "/api/auth/invites/\(code)", body: request, as: LoginResponse.self).value
    }

    public func updateWorkspace(_ workspaceID: Snowflake, _ change: UpdateWorkspaceRequest) async throws -> Workspace {
        try await call(.PATCH, "/api/workspaces/\(workspaceID)", body: change, as: WorkspaceResponse.self).value.workspace
    }
}
