import Logging
import NIOPosix
import SwitchboardAuth
import SwitchboardCore

/// Passwords, sign-in, sign-out and invites. Tokens it issues are the same HS256 tokens the
/// admin key mints, verified by origin and edges alike; what it adds is the way to get one
/// without the admin key, and a way to end one (`session.revoked`, carried to every edge).
public final class SignIn: Sendable {
    let chat: Chat
    let tokens: TokenAuthority
    let configuration: SignInConfiguration
    let hasher: PasswordHasher
    /// Checked when no account matched, so that a wrong handle takes as long as a wrong password.
    private let decoyHash: String
    /// Failed sign-ins per (workspace, email or handle): guessing one account's password.
    private let accountFailures: SlidingWindowLimiter<String>
    /// Sign-in and sign-up attempts per client address: guessing across accounts.
    private let addressAttempts: SlidingWindowLimiter<String>
    private let logger: Logger

    init(chat: Chat, tokens: TokenAuthority, configuration: SignInConfiguration, logger: Logger) throws {
        self.chat = chat
        self.tokens = tokens
        self.configuration = configuration
        self.logger = logger
        hasher = PasswordHasher(costLog2: configuration.passwordCostLog2)
        decoyHash = try hasher.decoy()
        accountFailures = SlidingWindowLimiter(limit: configuration.failuresPerAccount, windowMs: configuration.failureWindowMs)
        addressAttempts = SlidingWindowLimiter(limit: configuration.attemptsPerAddress, windowMs: configuration.addressWindowMs)
    }

    /// The one answer for every wrong credential: which part was wrong is not said.
    static let wrongCredentials = SwitchboardError(.unauthorized, "wrong workspace, email or password")

    // MARK: Passwords

    /// A new password's hash, made on NIO's thread pool (scrypt is slow on purpose).
    func hash(_ password: String) async throws -> String {
        let password = try Validation.password(password)
        let hasher = self.hasher
        return try await NIOThreadPool.singleton.runIfActive { try hasher.hash(password) }
    }

    /// The hashes of an import's passwords, each for a user of the same batch; made side by side
    /// on the thread pool (as many at once as it has threads).
    func hashes(for passwords: [ImportPassword], of users: [User]) async throws -> [(Snowflake, String)] {
        guard passwords.count <= 1_000 else { throw SwitchboardError.badRequest("at most 1,000 passwords per import") }
        let imported = Set(users.map(\.id))
        guard passwords.allSatisfy({ imported.contains($0.userID) }) else {
            throw SwitchboardError.badRequest("passwords must name users of the same batch")
        }
        return try await withThrowingTaskGroup(of: (Snowflake, String).self) { group in
            for entry in passwords { group.addTask { (entry.userID, try await self.hash(entry.password)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func matches(_ password: String, _ stored: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { PasswordHasher.verify(password, against: stored) }
    }

    /// `PATCH /api/users/me/password`: the old password is required once one is set.
    public func changePassword(_ caller: Caller, _ request: ChangePasswordRequest) async throws {
        let user = try await chat.account(caller)
        if let stored = try await chat.store.passwordHash(userID: user.id) {
            guard let old = request.oldPassword, try await matches(old, stored) else {
                throw SwitchboardError(.unauthorized, "the old password is wrong")
            }
        }
        try await chat.store.setPasswordHash(userID: user.id, try await hash(request.newPassword), nowMs: chat.now())
        logger.info("password changed", metadata: ["user_id": "\(user.id)"])
    }

    // MARK: Sign-in and sign-out

    /// `POST /api/auth/login`. `address` is the client's, for the per-address limit.
    public func login(_ request: LoginRequest, address: String) async throws -> LoginResponse {
        let nowMs = chat.now()
        try throttle(address: address, nowMs: nowMs)
        let identifier = (request.email ?? request.handle ?? "").lowercased()
        let accountKey = request.workspace.lowercased() + "\u{0}" + identifier
        if let wait = accountFailures.retryAfter(accountKey, nowMs: nowMs) {
            throw SwitchboardError(.rateLimited, "too many failed sign-ins for this account; try again later",
                                   retryAfterMs: Int(wait))
        }
        let user = try await account(workspace: request.workspace, email: request.email, handle: request.handle)
        var stored: String?
        if let user { stored = try await chat.store.passwordHash(userID: user.id) }
        let matched = try await matches(request.password, stored ?? decoyHash)
        guard matched, let user, stored != nil, !user.deleted else {
            accountFailures.record(accountKey, nowMs: nowMs)
            logger.notice("sign-in refused", metadata: ["workspace": "\(request.workspace)", "address": "\(address)"])
            throw Self.wrongCredentials
        }
        accountFailures.reset(accountKey)
        return LoginResponse(token: try await tokens.issue(for: Caller(userID: user.id, workspaceID: user.workspaceID)),
                             user: user)
    }

    /// The account named by a sign-in, if there is exactly one.
    private func account(workspace: String, email: String?, handle: String?) async throws -> User? {
        let store = chat.store
        var workspaces: [Workspace] = []
        if let id = Snowflake(workspace), let found = try await store.workspace(id) { workspaces = [found] }
        if workspaces.isEmpty { workspaces = try await store.workspaces(named: workspace) }
        guard workspaces.count == 1, let workspaceID = workspaces.first?.id else { return nil }
        if let email, !email.isEmpty { return try await store.user(workspaceID: workspaceID, email: email) }
        if let handle, !handle.isEmpty {
            let trimmed = handle.hasPrefix("@") ? String(handle.dropFirst()) : handle
            return try await store.user(workspaceID: workspaceID, handle: trimmed.lowercased())
        }
        return nil
    }

    /// `POST /api/auth/logout`: this token's sign-in ends; the origin refuses it from now on,
    /// every edge once the `session.revoked` reaches it, and its open sessions close.
    public func logout(_ caller: Caller) async throws {
        guard !caller.sessionID.isEmpty else {
            // A token from before tokens named their sign-in can only be ended with all the others.
            _ = try await chat.revokeTokens(caller, userID: caller.userID)
            return
        }
        let revocation = SessionRevocation(userID: caller.userID, sessionID: caller.sessionID,
                                           expiresAtMs: max(caller.expiresAtMs, chat.now() + 1))
        try await chat.committing(caller.workspaceID) {
            try await chat.store.revokeSession(revocation, workspaceID: caller.workspaceID, nowMs: chat.now())
        }
        chat.access.learn(revocation)
    }

    private func throttle(address: String, nowMs: UInt64) throws(SwitchboardError) {
        if let wait = addressAttempts.acquire(address, nowMs: nowMs) {
            throw SwitchboardError(.rateLimited, "too many sign-in attempts from this address; try again later",
                                   retryAfterMs: Int(wait))
        }
    }

    // MARK: Invites

    /// `POST /api/workspaces/{ws}/invites`: admins always; members where the workspace allows it;
    /// guests never. `baseURL` is where the web client is (the link opens its sign-up page).
    public func createInvite(_ actor: Chat.Actor, workspaceID: Snowflake, _ request: CreateInviteRequest,
                             baseURL: String) async throws -> Invite {
        guard let workspace = try await chat.store.workspace(workspaceID) else { throw SwitchboardError.notFound("workspace") }
        var createdBy = Snowflake(0)
        if case .member(let caller) = actor {
            guard caller.workspaceID == workspaceID else { throw SwitchboardError.notFound("workspace") }
            let user = try await chat.account(caller)
            guard user.role.isAdmin || (user.role == .member && workspace.membersMayInvite) else {
                throw SwitchboardError.forbidden("only admins can invite people to this workspace")
            }
            createdBy = user.id
        }
        let hours = request.expiresInHours ?? configuration.inviteLifetimeHours
        guard (1...24 * 30).contains(hours) else { throw SwitchboardError.badRequest("expires_in_hours must be 1-720") }
        let code = Chat.randomToken()
        let nowMs = chat.now()
        let invite = StoredInvite(codeHash: Chat.tokenHash(code), workspaceID: workspaceID, createdBy: createdBy,
                                  expiresAtMs: nowMs + UInt64(hours) * 3_600_000, createdAtMs: nowMs)
        try await chat.store.insertInvite(invite)
        // The code rides in the fragment: browsers never send it to a server or a log.
        return Invite(code: code, url: baseURL + "/#invite=" + code, expiresAtMs: invite.expiresAtMs)
    }

    /// `GET /api/auth/invites/{code}`: the workspace an unused invite is for.
    public func preview(code: String) async throws -> InvitePreview {
        guard code.utf8.count <= 128, let invite = try await chat.store.invite(codeHash: Chat.tokenHash(code), nowMs: chat.now()),
              let workspace = try await chat.store.workspace(invite.workspaceID) else {
            throw SwitchboardError.notFound("invite")
        }
        return InvitePreview(workspace: workspace, expiresAtMs: invite.expiresAtMs)
    }

    /// `POST /api/auth/invites/{code}`: a new member with the chosen handle, name and password,
    /// signed in. The invite is used up only if the account is made.
    public func accept(code: String, _ request: AcceptInviteRequest, address: String) async throws -> LoginResponse {
        try throttle(address: address, nowMs: chat.now())
        let passwordHash = try await hash(request.password)
        let codeHash = Chat.tokenHash(code)
        guard code.utf8.count <= 128, let invite = try await chat.store.claimInvite(codeHash: codeHash, nowMs: chat.now()) else {
            throw SwitchboardError.notFound("invite")
        }
        do {
            let user = try await chat.createUser(workspaceID: invite.workspaceID, CreateUserRequest(
                handle: request.handle, displayName: request.displayName, email: request.email), passwordHash: passwordHash)
            logger.info("invite accepted", metadata: ["user_id": "\(user.id)", "workspace_id": "\(invite.workspaceID)"])
            return LoginResponse(token: try await tokens.issue(for: Caller(userID: user.id, workspaceID: user.workspaceID)),
                                 user: user)
        } catch {
            try await chat.store.releaseInvite(codeHash: codeHash)
            throw error
        }
    }
}

/// `auth.*`: password cost, sign-in limits, invite links.
public struct SignInConfiguration: Sendable {
    /// log2 of scrypt's N for new hashes (15: 32 MiB, tens of ms). Old hashes keep their own.
    public var passwordCostLog2 = 15
    public var failuresPerAccount = 10
    public var failureWindowMs: UInt64 = 15 * 60_000
    public var attemptsPerAddress = 60
    public var addressWindowMs: UInt64 = 60_000
    public var inviteLifetimeHours = 24 * 7
    /// Where people open the web client (invite links point there); default: the address the
    /// invite was asked for at.
    public var publicURL: String?
    /// Peers whose `X-Forwarded-For` names the client (edges and load balancers in front).
    public var trustedProxies: Set<String> = ["127.0.0.1", "::1"]

    public init() {}
}
