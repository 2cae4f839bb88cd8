import Foundation
import SwitchboardAuth
import SwitchboardCore

extension Chat {
    /// `passwordHash`: the hash of `request.password`, made by ``SignIn`` (never the password).
    public func createUser(workspaceID: Snowflake, _ request: CreateUserRequest, passwordHash: String? = nil) async throws -> User {
        guard try await store.workspace(workspaceID) != nil else { throw SwitchboardError.notFound("workspace") }
        let id = ids.next()
        let nowMs = now()
        let user = User(
            id: id, workspaceID: workspaceID, handle: try Validation.handle(request.handle),
            displayName: try Validation.text(request.displayName, field: "display_name", allowEmpty: false),
            realName: try Validation.text(request.realName ?? request.displayName, field: "real_name"),
            title: try Validation.text(request.title ?? "", field: "title"),
            email: try Validation.text(request.email ?? "", field: "email"),
            tz: try Validation.text(request.tz ?? "UTC", field: "tz"),
            statusText: try Validation.text(request.statusText ?? "", field: "status_text"),
            statusEmoji: try Validation.text(request.statusEmoji ?? "", field: "status_emoji", max: Limits.maxEmojiLength),
            avatar: Avatar(base: "\(avatarBaseURL)/\(id)"), isBot: request.isBot ?? false, role: request.role ?? .member,
            createdAtMs: nowMs, updatedAtMs: nowMs)
        return try await committing(workspaceID) { try await store.createUser(user, passwordHash: passwordHash) }
    }

    public func me(_ caller: Caller) async throws -> User {
        guard let user = try await store.user(caller.userID), user.workspaceID == caller.workspaceID else {
            throw SwitchboardError.unauthorized
        }
        return user
    }

    public func user(_ caller: Caller, id: Snowflake) async throws -> User {
        guard let user = try await store.user(id), user.workspaceID == caller.workspaceID else {
            throw SwitchboardError.notFound("user")
        }
        return user
    }

    public func users(_ caller: Caller, ids: [Snowflake]) async throws -> [User] {
        guard ids.count <= Limits.maxUserIdsPerRequest else {
            throw SwitchboardError.badRequest("at most \(Limits.maxUserIdsPerRequest) ids per request")
        }
        return try await store.users(workspaceID: caller.workspaceID, ids: ids)
    }

    public func searchUsers(_ caller: Caller, query: String, limit: Int?) async throws -> [User] {
        let prefix = query.trimmingCharacters(in: .whitespaces)
        guard !prefix.isEmpty else { throw SwitchboardError.badRequest("q must not be empty") }
        guard prefix.count <= Limits.maxProfileFieldLength else { throw SwitchboardError.badRequest("q is too long") }
        let limit = try Self.pageSize(limit, default: Limits.defaultUserSearchLimit, max: Limits.maxUserSearchLimit)
        return try await store.searchUsers(workspaceID: caller.workspaceID, prefix: prefix, limit: limit)
    }

    public func updateProfile(_ caller: Caller, _ request: UpdateProfileRequest) async throws -> User {
        var update = request
        if let v = update.displayName { update.displayName = try Validation.text(v, field: "display_name", allowEmpty: false) }
        if let v = update.realName { update.realName = try Validation.text(v, field: "real_name") }
        if let v = update.title { update.title = try Validation.text(v, field: "title") }
        if let v = update.email { update.email = try Validation.text(v, field: "email") }
        if let v = update.tz { update.tz = try Validation.text(v, field: "tz") }
        if let v = update.statusText { update.statusText = try Validation.text(v, field: "status_text") }
        if let v = update.statusEmoji { update.statusEmoji = try Validation.text(v, field: "status_emoji", max: Limits.maxEmojiLength) }
        return try await committing(caller.workspaceID) { try await store.updateProfile(userID: caller.userID, update, nowMs: now()) }
    }

    public func setPresence(_ caller: Caller, _ status: PresenceStatus) throws {
        try presence.choose(status, user: caller.userID, workspaceID: caller.workspaceID)
    }
}
