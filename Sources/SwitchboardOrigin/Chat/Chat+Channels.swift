import SwitchboardAuth
import SwitchboardCore

extension Chat {
    public func createChannel(_ caller: Caller, _ request: CreateChannelRequest) async throws -> Channel {
        guard request.kind == .public || request.kind == .private else {
            throw SwitchboardError.badRequest("kind must be public or private; open DMs with POST /api/dms")
        }
        let channel = Channel(
            id: ids.next(), workspaceID: caller.workspaceID, name: try Validation.channelName(request.name),
            kind: request.kind, topic: try Validation.text(request.topic ?? "", field: "topic", max: Limits.maxTopicLength),
            purpose: try Validation.text(request.purpose ?? "", field: "purpose", max: Limits.maxTopicLength),
            creatorID: caller.userID, createdAtMs: now())
        guard try await account(caller).role != .guest else { throw SwitchboardError.forbidden("guests cannot create channels") }
        return try await committing(caller.workspaceID) { try await store.createChannel(channel) }
    }

    /// One other user: a DM; 2–8 others: a group DM. The same set of people always gets the
    /// same channel.
    public func openDirect(_ caller: Caller, _ request: OpenDMRequest) async throws -> Channel {
        let others = Set(request.userIDs).subtracting([caller.userID])
        guard !others.isEmpty else { throw SwitchboardError.badRequest("user_ids must name at least one other user") }
        guard others.count <= Limits.maxGroupDMOthers else {
            throw SwitchboardError.badRequest("a group DM has at most \(Limits.maxGroupDMOthers) other members")
        }
        return try await committing(caller.workspaceID) {
            try await store.openDirect(workspaceID: caller.workspaceID, newID: ids.next(), creatorID: caller.userID,
                                       memberIDs: Array(others) + [caller.userID], nowMs: now())
        }
    }

    public func channel(_ caller: Caller, id: Snowflake) async throws -> Channel {
        try await visibleChannel(caller, id)
    }

    public func channels(_ caller: Caller) async throws -> [Channel] {
        try await store.channels(ofUser: caller.userID)
    }

    /// The channel browser: every public channel and the private ones the caller is in (guests:
    /// only theirs), DMs left out, with `is_member`.
    public func browsableChannels(_ caller: Caller) async throws -> [Channel] {
        if try await account(caller).role == .guest {
            return try await store.channels(ofUser: caller.userID).filter { !$0.kind.isDirect }
        }
        return try await store.visibleChannels(workspaceID: caller.workspaceID, viewer: caller.userID)
    }

    public func join(_ caller: Caller, channelID: Snowflake) async throws -> Channel {
        // Asked first: a guest learns nothing of channels they are not in.
        if try await account(caller).role == .guest, !(try await store.isMember(channelID: channelID, userID: caller.userID)) {
            throw SwitchboardError.forbidden("guests join the channels they are invited to")
        }
        let channel = try await writableChannel(caller, channelID)
        if channel.isMember == true { return channel }
        guard channel.kind == .public else { throw SwitchboardError.forbidden("only public channels can be joined") }
        return try await committing(caller.workspaceID) {
            try await store.addMember(channelID: channelID, userID: caller.userID, nowMs: now())
        }
    }

    public func leave(_ caller: Caller, channelID: Snowflake) async throws {
        let channel = try await visibleChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        guard channel.kind != .dm else { throw SwitchboardError.forbidden("a DM cannot be left") }
        guard channel.name != "general" || channel.kind != .public else {
            throw SwitchboardError.forbidden("everyone stays in #general")
        }
        try await committing(caller.workspaceID) { try await store.removeMember(channelID: channelID, userID: caller.userID) }
    }

    /// Any member may add someone from the workspace to a public or private channel.
    public func addMember(_ caller: Caller, channelID: Snowflake, userID: Snowflake) async throws {
        let channel = try await writableChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        guard !channel.kind.isDirect else { throw SwitchboardError.forbidden("DM members are fixed; open a new group DM") }
        _ = try await user(caller, id: userID)
        _ = try await committing(caller.workspaceID) { try await store.addMember(channelID: channelID, userID: userID, nowMs: now()) }
    }

    public func members(_ caller: Caller, channelID: Snowflake, after: Snowflake?, limit: Int?) async throws -> MembersResponse {
        _ = try await visibleChannel(caller, channelID)
        let limit = try Self.pageSize(limit, default: Limits.defaultMembersLimit, max: Limits.maxMembersLimit)
        let page = try await store.members(channelID: channelID, after: after, limit: limit + 1)
        let members = Array(page.prefix(limit))
        return MembersResponse(members: members, next: page.count > limit ? members.last : nil)
    }

    /// Typing is validated (the caller must be a member) and never stored; the caller then
    /// broadcasts it (`SessionRegistry.startTyping`).
    public func typing(_ caller: Caller, channelID: Snowflake) async throws {
        try await requireMember(caller, channelID)
    }
}
