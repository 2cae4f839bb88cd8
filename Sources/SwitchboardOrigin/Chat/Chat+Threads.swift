import SwitchboardAuth
import SwitchboardCore

/// Following threads. Who follows because of a reply is ``ThreadFollow``'s rule, applied by
/// the store as the reply commits; these are the explicit choices and the "Threads" view.
extension Chat {
    public func setFollow(_ caller: Caller, channelID: Snowflake, threadID: Snowflake, following: Bool) async throws {
        try await committing(caller.workspaceID) {
            try await store.setFollow(channelID: channelID, threadID: threadID, userID: caller.userID, following: following,
                                      nowMs: now())
        }
    }

    /// The threads the caller follows in channels they are still in, latest reply first.
    public func followedThreads(_ caller: Caller, limit: Int?) async throws -> [ThreadSummary] {
        let limit = try Self.pageSize(limit, default: 50, max: 200)
        let threads = try await store.followedThreads(userID: caller.userID, limit: limit)
        return threads.map { thread in
            var thread = thread
            thread.parent = attachments.signer.signed(thread.parent, nowMs: now())
            return thread
        }
    }

    public func markThreadRead(_ caller: Caller, channelID: Snowflake, threadID: Snowflake, messageID: Snowflake) async throws {
        try await store.markThreadRead(channelID: channelID, threadID: threadID, userID: caller.userID, messageID: messageID)
    }
}

/// Per-channel notification level and mute.
extension Chat {
    public func setPreferences(_ caller: Caller, channelID: Snowflake, _ request: ChannelPreferencesRequest) async throws -> Channel {
        let channel = try await visibleChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        guard request.level != nil || request.muted != nil else {
            throw SwitchboardError.badRequest("give level (all, mentions or nothing), muted, or both")
        }
        var preferences = channel.preferences ?? .defaults(for: channel.kind)
        if let level = request.level { preferences.level = level }
        if let muted = request.muted { preferences.muted = muted }
        let chosen = preferences
        try await committing(caller.workspaceID) {
            try await store.setPreferences(channelID: channelID, userID: caller.userID, chosen, nowMs: now())
        }
        notifier?.forget(channelID)
        return try await visibleChannel(caller, channelID)
    }
}
