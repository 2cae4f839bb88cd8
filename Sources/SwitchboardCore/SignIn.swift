/// Sign-in, sign-out, passwords and invites: the bodies of `/api/auth/*`,
/// `PATCH /api/users/me/password` and `/api/workspaces/{ws}/invites`.

/// `POST /api/auth/login`: the workspace by id or name, the person by email or handle.
public struct LoginRequest: Codable, Sendable {
    public var workspace: String
    public var email: String?
    public var handle: String?
    public var password: String

    public init(workspace: String, email: String? = nil, handle: String? = nil, password: String) {
        self.workspace = workspace
        self.email = email
        self.handle = handle
        self.password = password
    }
}

/// `POST /api/auth/login` and invite sign-up: a session token and who it speaks for.
public struct LoginResponse: Codable, Sendable {
    public var token: String
    public var user: User

    public init(token: String, user: User) {
        self.token = token
        self.user = user
    }
}

/// `PATCH /api/users/me/password`.
public struct ChangePasswordRequest: Codable, Sendable {
    public var oldPassword: String?
    public var newPassword: String

    public init(oldPassword: String?, newPassword: String) {
        self.oldPassword = oldPassword
        self.newPassword = newPassword
    }

    enum CodingKeys: String, CodingKey {
        case oldPassword = "old_password"
        case newPassword = "new_password"
    }
}

/// `POST /api/workspaces/{ws}/invites`: how long the link stays valid (default 7 days).
public struct CreateInviteRequest: Codable, Sendable {
    public var expiresInHours: Int?

    public init(expiresInHours: Int? = nil) { self.expiresInHours = expiresInHours }

    enum CodingKeys: String, CodingKey { case expiresInHours = "expires_in_hours" }
}

/// A one-time sign-up link. The code is shown once, when it is made; only its hash is kept.
public struct Invite: Codable, Sendable, Equatable {
    public var code: String
    public var url: String
    public var expiresAtMs: UInt64

    public init(code: String, url: String, expiresAtMs: UInt64) {
        self.code = code
        self.url = url
        self.expiresAtMs = expiresAtMs
    }

    enum CodingKeys: String, CodingKey {
        case code, url
        case expiresAtMs = "expires_at_ms"
    }
}

public struct InviteResponse: Codable, Sendable {
    public var invite: Invite
    public init(invite: Invite) { self.invite = invite }
}

/// `GET /api/auth/invites/{code}`: what the sign-up page shows before the person commits.
public struct InvitePreview: Codable, Sendable {
    public var workspace: Workspace
    public var expiresAtMs: UInt64

    public init(workspace: Workspace, expiresAtMs: UInt64) {
        self.workspace = workspace
        self.expiresAtMs = expiresAtMs
    }

    enum CodingKeys: String, CodingKey {
        case workspace
        case expiresAtMs = "expires_at_ms"
    }
}

/// `POST /api/auth/invites/{code}`: the new person's choices; answered with a ``LoginResponse``.
public struct AcceptInviteRequest: Codable, Sendable {
    public var handle: String
    public var displayName: String
    public var password: String
    public var email: String?

    public init(handle: String, displayName: String, password: String, email: String? = nil) {
        self.handle = handle
        self.displayName = displayName
        self.password = password
        self.email = email
    }

    enum CodingKeys: String, CodingKey {
        case handle, password, email
        case displayName = "display_name"
    }
}

/// `session.revoked`: one token (one sign-in) no longer speaks for its user — a sign-out.
/// Kept by the origin and every edge until the token would have expired anyway.
public struct SessionRevocation: Codable, Sendable, Equatable {
    public var userID: Snowflake
    public var sessionID: String
    public var expiresAtMs: UInt64

    public init(userID: Snowflake, sessionID: String, expiresAtMs: UInt64) {
        self.userID = userID
        self.sessionID = sessionID
        self.expiresAtMs = expiresAtMs
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case sessionID = "session_id"
        case expiresAtMs = "expires_at_ms"
    }
}

/// An invite as the origin keeps it: the code's SHA-256, never the code.
public struct StoredInvite: Sendable, Equatable {
    public var codeHash: String
    public var workspaceID: Snowflake
    public var createdBy: Snowflake
    public var expiresAtMs: UInt64
    public var createdAtMs: UInt64

    public init(codeHash: String, workspaceID: Snowflake, createdBy: Snowflake, expiresAtMs: UInt64, createdAtMs: UInt64) {
        self.codeHash = codeHash
        self.workspaceID = workspaceID
        self.createdBy = createdBy
        self.expiresAtMs = expiresAtMs
        self.createdAtMs = createdAtMs
    }
}

/// `PATCH /api/workspaces/{ws}`: settings; absent fields stay as they are.
public struct UpdateWorkspaceRequest: Codable, Sendable {
    public var membersMayInvite: Bool?

    public init(membersMayInvite: Bool? = nil) { self.membersMayInvite = membersMayInvite }

    enum CodingKeys: String, CodingKey { case membersMayInvite = "members_may_invite" }
}
