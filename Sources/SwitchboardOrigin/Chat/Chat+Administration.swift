import SwitchboardAuth
import SwitchboardCore

/// What owners and admins do to people, channels and hooks. Every change reaches sessions and
/// edges as an event (`user.updated`, `channel.updated`, `member.left`); a user whose tokens
/// stop being good has their sessions closed by whoever routes that event.
extension Chat {
    /// Who administers: a user of the workspace (their role, or being the channel's creator,
    /// decides), or the operator holding the admin key (who may do what an owner may).
    public enum Actor: Sendable {
        case member(Caller)
        case operatorKey
    }

    // MARK: Workspace

    /// `PATCH /api/workspaces/{ws}`: workspace settings, for its owners and admins (or the operator).
    public func updateWorkspace(_ actor: Actor, workspaceID: Snowflake, _ request: UpdateWorkspaceRequest) async throws -> Workspace {
        if case .member(let caller) = actor {
            guard caller.workspaceID == workspaceID else { throw SwitchboardError.notFound("workspace") }
            _ = try await requireAdmin(caller, to: "change workspace settings")
        }
        guard var workspace = try await store.workspace(workspaceID) else { throw SwitchboardError.notFound("workspace") }
        if let allowed = request.membersMayInvite {
            workspace = try await store.setMembersMayInvite(workspaceID: workspaceID, allowed)
        }
        return workspace
    }

    // MARK: People

    /// Deactivates (`active == false`) or reactivates a user. Deactivation also revokes every
    /// token issued so far, so a reactivated user signs in afresh.
    public func setActive(_ caller: Caller, userID: Snowflake, active: Bool) async throws -> User {
        let target = try await manageable(caller, userID, action: active ? "reactivate people" : "deactivate people")
        guard target.id != caller.userID else { throw SwitchboardError.forbidden("you cannot deactivate yourself") }
        return try await administer(target, UserAdministration(deleted: !active, sessionsValidFromMs: active ? nil : now()))
    }

    /// Ends every session of the user and refuses the tokens issued so far: an admin's
    /// decision, or the user's own "sign out everywhere".
    public func revokeTokens(_ caller: Caller, userID: Snowflake) async throws -> User {
        let target = userID == caller.userID ? try await account(caller)
            : try await manageable(caller, userID, action: "revoke other people's sessions")
        return try await administer(target, UserAdministration(sessionsValidFromMs: now()))
    }

    /// Owners make owners and admins; admins move people between member and guest.
    public func setRole(_ caller: Caller, userID: Snowflake, role: Role) async throws -> User {
        let actor = try await account(caller)
        let target = try await user(caller, id: userID)
        guard actor.role.mayManage(target.role, giving: role) else {
            throw SwitchboardError.forbidden(actor.role.isAdmin ? "only owners can make or unmake owners and admins"
                                                                : "only owners and admins can change roles")
        }
        if target.role == .owner, role != .owner, try await isLastOwner(target) {
            throw SwitchboardError.forbidden("a workspace keeps at least one owner")
        }
        return try await administer(target, UserAdministration(role: role))
    }

    /// The same, for the operator holding the admin key (who names the first owner); with
    /// `workspaceID`, the user must be of that workspace.
    public func administer(workspaceID: Snowflake? = nil, userID: Snowflake, _ change: UserAdministration) async throws -> User {
        guard let target = try await store.user(userID), workspaceID == nil || target.workspaceID == workspaceID else {
            throw SwitchboardError.notFound("user")
        }
        return try await administer(target, change)
    }

    private func administer(_ target: User, _ change: UserAdministration) async throws -> User {
        let updated = try await committing(target.workspaceID) {
            try await store.administerUser(userID: target.id, change, nowMs: now())
        }
        access.learn(updated)
        return updated
    }

    /// The target, if the caller is an admin allowed to manage their role.
    private func manageable(_ caller: Caller, _ userID: Snowflake, action: String) async throws -> User {
        let actor = try await requireAdmin(caller, to: action)
        let target = try await user(caller, id: userID)
        guard actor.role.mayManage(target.role) else {
            throw SwitchboardError.forbidden("only owners can \(action) who are owners or admins")
        }
        return target
    }

    private func isLastOwner(_ user: User) async throws -> Bool {
        var after: Snowflake?
        while true {
            let page = try await store.usersPage(workspaceID: user.workspaceID, after: after, limit: 500)
            if page.contains(where: { $0.id != user.id && $0.role == .owner && !$0.deleted }) { return false }
            guard let last = page.last, page.count == 500 else { return true }
            after = last.id
        }
    }

    // MARK: Channels

    /// Any member sets the topic and purpose; the creator or an admin renames.
    public func updateChannel(_ actor: Actor, channelID: Snowflake, _ request: UpdateChannelRequest) async throws -> Channel {
        let channel = try await channel(for: actor, channelID, writable: true)
        guard !channel.kind.isDirect else { throw SwitchboardError.forbidden("DMs have no name, topic or purpose") }
        var change = ChannelChange()
        if let name = request.name {
            let name = try Validation.channelName(name)
            if name != channel.name {
                guard channel.name != "general" || channel.kind != .public else {
                    throw SwitchboardError.forbidden("#general keeps its name")
                }
                try await requireCreatorOrAdmin(actor, channel, to: "rename a channel")
                change.name = name
            }
        }
        change.topic = try request.topic.map { try Validation.text($0, field: "topic", max: Limits.maxTopicLength) }
        change.purpose = try request.purpose.map { try Validation.text($0, field: "purpose", max: Limits.maxTopicLength) }
        return try await committing(channel.workspaceID) { try await store.updateChannel(channelID: channelID, change, nowMs: now()) }
    }

    /// Archived channels keep their history and members; nobody posts, joins or reacts.
    public func setArchived(_ actor: Actor, channelID: Snowflake, archived: Bool) async throws -> Channel {
        let channel = try await channel(for: actor, channelID, writable: false)
        guard !channel.kind.isDirect else { throw SwitchboardError.forbidden("DMs cannot be archived") }
        guard channel.name != "general" || channel.kind != .public else { throw SwitchboardError.forbidden("#general cannot be archived") }
        try await requireCreatorOrAdmin(actor, channel, to: archived ? "archive a channel" : "unarchive a channel")
        guard channel.archived != archived else { return channel }
        return try await committing(channel.workspaceID) {
            try await store.updateChannel(channelID: channelID, ChannelChange(archived: archived), nowMs: now())
        }
    }

    /// Removes someone else from a channel (the creator or an admin); they hear their own `member.left`.
    public func removeMember(_ actor: Actor, channelID: Snowflake, userID: Snowflake) async throws {
        let channel = try await channel(for: actor, channelID, writable: false)
        guard !channel.kind.isDirect else { throw SwitchboardError.forbidden("DM members are fixed") }
        guard channel.name != "general" || channel.kind != .public else {
            throw SwitchboardError.forbidden("everyone stays in #general")
        }
        try await requireCreatorOrAdmin(actor, channel, to: "remove people from a channel")
        guard try await store.isMember(channelID: channelID, userID: userID) else {
            throw SwitchboardError.notFound("member")
        }
        try await committing(channel.workspaceID) { try await store.removeMember(channelID: channelID, userID: userID) }
    }

    /// A channel the caller may change: visible to them and not archived.
    func writableChannel(_ caller: Caller, _ channelID: Snowflake) async throws -> Channel {
        let channel = try await visibleChannel(caller, channelID)
        guard !channel.archived else { throw SwitchboardError.forbidden("the channel is archived") }
        return channel
    }

    /// The channel as the actor may see it (the operator: any), not archived if `writable`.
    private func channel(for actor: Actor, _ id: Snowflake, writable: Bool) async throws -> Channel {
        switch actor {
        case .member(let caller):
            return writable ? try await writableChannel(caller, id) : try await visibleChannel(caller, id)
        case .operatorKey:
            guard let channel = try await store.channel(id, viewer: Snowflake(0)) else { throw SwitchboardError.notFound("channel") }
            guard !(writable && channel.archived) else { throw SwitchboardError.forbidden("the channel is archived") }
            return channel
        }
    }

    private func requireCreatorOrAdmin(_ actor: Actor, _ channel: Channel, to action: String) async throws {
        guard case .member(let caller) = actor, channel.creatorID != caller.userID else { return }
        _ = try await requireAdmin(caller, to: action)
    }

    // MARK: Hooks

    public func hooks(_ caller: Caller) async throws -> [StoredHook] {
        _ = try await requireAdmin(caller, to: "list hooks")
        return try await store.hooks(workspaceID: caller.workspaceID)
    }

    /// The hook's URL stops working at once; its bot and what it posted stay. No workspace: the
    /// operator's, any.
    public func revokeHook(workspaceID: Snowflake?, hookID: Snowflake) async throws {
        guard try await store.deleteHook(id: hookID, workspaceID: workspaceID) else { throw SwitchboardError.notFound("hook") }
    }
}
