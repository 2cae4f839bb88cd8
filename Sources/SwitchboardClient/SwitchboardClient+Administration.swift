import Foundation
import NIOHTTP1
import SwitchboardCore

// Owners' and admins' calls (their token), and the operator's (the admin key).
extension SwitchboardClient {
    public func deactivate(_ userID: Snowflake) async throws -> User {
        try await call(.POST, "/api/users/\(userID)/deactivate", as: UserResponse.self).value.user
    }

    public func reactivate(_ userID: Snowflake) async throws -> User {
        try await call(.POST, "/api/users/\(userID)/reactivate", as: UserResponse.self).value.user
    }

    /// Ends the user's sessions and refuses the tokens issued so far (one's own: sign out everywhere).
    @discardableResult
    public func revokeSessions(of userID: Snowflake) async throws -> User {
        try await call(.POST, "/api/users/\(userID)/sessions/revoke", as: UserResponse.self).value.user
    }

    public func setRole(_ role: Role, of userID: Snowflake) async throws -> User {
        try await call(.PUT, "/api/users/\(userID)/role", body: SetRoleRequest(role: role), as: UserResponse.self).value.user
    }

    /// Admin key: a role or activation set by the operator.
    public func administerUser(workspaceID: Snowflake, userID: Snowflake, _ patch: AdminUserPatchRequest) async throws -> User {
        try await call(.PATCH, "/api/workspaces/\(workspaceID)/users/\(userID)", body: patch, as: UserResponse.self).value.user
    }

    public func updateChannel(_ channelID: Snowflake, _ change: UpdateChannelRequest) async throws -> Channel {
        try await call(.PATCH, "/api/channels/\(channelID)", body: change, as: ChannelResponse.self).value.channel
    }

    public func archive(_ channelID: Snowflake, _ archived: Bool = true) async throws -> Channel {
        try await call(.POST, "/api/channels/\(channelID)/\(archived ? "archive" : "unarchive")",
                       as: ChannelResponse.self).value.channel
    }

    public func removeMember(_ userID: Snowflake, from channelID: Snowflake) async throws {
        _ = try await call(.DELETE, "/api/channels/\(channelID)/members/\(userID)", as: EmptyResponse.self)
    }

    /// An owner's or admin's token: a hook in their workspace.
    public func createHook(channelID: Snowflake, name: String) async throws -> Hook {
        try await call(.POST, "/api/hooks", body: CreateHookRequest(channelID: channelID, name: name), as: HookResponse.self).value.hook
    }

    public func hooks() async throws -> [HookInfo] {
        try await call(.GET, "/api/hooks", as: HooksResponse.self).value.hooks
    }

    public func revokeHook(_ hookID: Snowflake) async throws {
        _ = try await call(.DELETE, "/api/hooks/\(hookID)", as: EmptyResponse.self)
    }
}

// Threads.
extension SwitchboardClient {
    public func follow(_ threadID: Snowflake, in channelID: Snowflake, _ following: Bool = true) async throws {
        _ = try await call(following ? .PUT : .DELETE, "/api/channels/\(channelID)/messages/\(threadID)/follow",
                           as: EmptyResponse.self)
    }

    /// The threads you follow, the latest reply first, with unread reply counts.
    public func threads(limit: Int? = nil) async throws -> [ThreadSummary] {
        try await call(.GET, "/api/threads", query: [("limit", limit.map(String.init))], as: ThreadsResponse.self).value.threads
    }

    public func markRepliesRead(_ threadID: Snowflake, in channelID: Snowflake, upTo messageID: Snowflake) async throws {
        _ = try await call(.POST, "/api/channels/\(channelID)/messages/\(threadID)/replies/read",
                           body: MarkReadRequest(messageID: messageID), as: EmptyResponse.self)
    }
}

// Notification level and mute.
extension SwitchboardClient {
    public func setPreferences(of channelID: Snowflake, level: NotificationLevel? = nil, muted: Bool? = nil) async throws -> Channel {
        try await call(.PUT, "/api/channels/\(channelID)/preferences", body: ChannelPreferencesRequest(level: level, muted: muted),
                       as: ChannelResponse.self).value.channel
    }
}

// Read receipts.
extension SwitchboardClient {
    public func readReceipts(in channelID: Snowflake) async throws -> [ReadReceipt] {
        try await call(.GET, "/api/channels/\(channelID)/receipts", as: ReadReceiptsResponse.self).value.receipts
    }
}

// Outgoing webhooks and slash commands.
extension SwitchboardClient {
    /// Owners and admins; the answer carries the signing secret, once.
    public func createIntegration(_ request: CreateIntegrationRequest) async throws -> Integration {
        try await call(.POST, "/api/integrations", body: request, as: IntegrationResponse.self).value.integration
    }

    public func integrations() async throws -> [Integration] {
        try await call(.GET, "/api/integrations", as: IntegrationsResponse.self).value.integrations
    }

    public func deleteIntegration(_ id: Snowflake) async throws {
        _ = try await call(.DELETE, "/api/integrations/\(id)", as: EmptyResponse.self)
    }

    /// `/command text` in a channel.
    public func run(_ command: String, _ text: String = "", in channelID: Snowflake) async throws -> SlashCommandResult {
        try await call(.POST, "/api/channels/\(channelID)/commands", body: SlashCommandRequest(command: command, text: text),
                       as: SlashCommandResult.self).value
    }
}
