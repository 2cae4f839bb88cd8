import Foundation
import NIOHTTP1
import SwitchboardCore

// One method per row of PROTOCOL.md's REST table.
extension SwitchboardClient {
    // MARK: Admin

    public func createWorkspace(name: String) async throws -> Workspace {
        try await call(.POST, "/api/workspaces", body: CreateWorkspaceRequest(name: name), as: WorkspaceResponse.self).value.workspace
    }

    public func createUser(workspaceID: Snowflake, _ request: CreateUserRequest) async throws -> CreatedUserResponse {
        try await call(.POST, "/api/workspaces/\(workspaceID)/users", body: request, as: CreatedUserResponse.self).value
    }

    public func issueToken(workspaceID: Snowflake, userID: Snowflake) async throws -> String {
        try await call(.POST, "/api/workspaces/\(workspaceID)/tokens", body: CreateTokenRequest(userID: userID),
                       as: TokenResponse.self).value.token
    }

    /// Loads rows into a new workspace in bulk (one transaction per call).
    public func importBatch(workspaceID: Snowflake, _ batch: ImportBatch) async throws -> ImportResult {
        try await call(.POST, "/api/workspaces/\(workspaceID)/import", body: batch, as: ImportResult.self).value
    }

    /// Creates an incoming webhook posting to `channelID` as a new bot user (admin).
    public func createHook(workspaceID: Snowflake, channelID: Snowflake, name: String) async throws -> Hook {
        try await call(.POST, "/api/workspaces/\(workspaceID)/hooks", body: CreateHookRequest(channelID: channelID, name: name),
                       as: HookResponse.self).value.hook
    }

    /// Posts through an incoming webhook: no credentials but the hook's token.
    @discardableResult
    public func postToHook(token: String, content: String) async throws -> Message {
        try await call(.POST, "/hooks/\(token)", body: HookPostRequest(content: content), as: MessageResponse.self).value.message
    }

    // MARK: Users

    public func me() async throws -> User {
        try await call(.GET, "/api/users/me", as: UserResponse.self).value.user
    }

    public func user(_ id: Snowflake) async throws -> User {
        try await call(.GET, "/api/users/\(id)", as: UserResponse.self).value.user
    }

    public func users(ids: [Snowflake]) async throws -> [User] {
        try await call(.GET, "/api/users", query: [("ids", ids.map(\.description).joined(separator: ","))],
                       as: UsersResponse.self).value.users
    }

    public func searchUsers(_ query: String, limit: Int? = nil) async throws -> [User] {
        try await call(.GET, "/api/users/search", query: [("q", query), ("limit", limit.map(String.init))],
                       as: UsersResponse.self).value.users
    }

    public func updateProfile(_ update: UpdateProfileRequest) async throws -> User {
        try await call(.PATCH, "/api/users/me", body: update, as: UserResponse.self).value.user
    }

    /// Mentions and DMs received while away, oldest first.
    public func notifications(after: Snowflake? = nil, limit: Int? = nil) async throws -> [UserNotification] {
        try await call(.GET, "/api/notifications", query: [("after", after?.description), ("limit", limit.map(String.init))],
                       as: NotificationsResponse.self).value.notifications
    }

    public func setPresence(_ status: PresenceStatus) async throws {
        _ = try await call(.PUT, "/api/presence", body: SetPresenceRequest(status: status), as: EmptyResponse.self)
    }

    // MARK: Channels

    public func createChannel(name: String, kind: ChannelKind = .public, topic: String? = nil) async throws -> Channel {
        try await call(.POST, "/api/channels", body: CreateChannelRequest(name: name, kind: kind, topic: topic),
                       as: ChannelResponse.self).value.channel
    }

    public func openDM(with userIDs: [Snowflake]) async throws -> Channel {
        try await call(.POST, "/api/dms", body: OpenDMRequest(userIDs: userIDs), as: ChannelResponse.self).value.channel
    }

    public func channels() async throws -> [Channel] {
        try await call(.GET, "/api/channels", as: ChannelsResponse.self).value.channels
    }

    public func channel(_ id: Snowflake) async throws -> Channel {
        try await call(.GET, "/api/channels/\(id)", as: ChannelResponse.self).value.channel
    }

    public func join(_ channelID: Snowflake) async throws -> Channel {
        try await call(.POST, "/api/channels/\(channelID)/join", as: ChannelResponse.self).value.channel
    }

    public func leave(_ channelID: Snowflake) async throws {
        _ = try await call(.POST, "/api/channels/\(channelID)/leave", as: EmptyResponse.self)
    }

    public func addMember(_ userID: Snowflake, to channelID: Snowflake) async throws {
        _ = try await call(.POST, "/api/channels/\(channelID)/members", body: AddMemberRequest(userID: userID),
                           as: EmptyResponse.self)
    }

    public func members(of channelID: Snowflake, after: Snowflake? = nil, limit: Int? = nil) async throws -> MembersResponse {
        try await call(.GET, "/api/channels/\(channelID)/members",
                       query: [("after", after?.description), ("limit", limit.map(String.init))],
                       as: MembersResponse.self).value
    }

    public func typing(in channelID: Snowflake) async throws {
        let (status, body) = try await raw(.POST, "/api/channels/\(channelID)/typing")
        guard status == 204 else { throw Self.apiError(status: status, body: body) }
    }

    public func markRead(_ channelID: Snowflake, messageID: Snowflake) async throws {
        _ = try await call(.POST, "/api/channels/\(channelID)/read", body: MarkReadRequest(messageID: messageID),
                           as: EmptyResponse.self)
    }

    // MARK: Messages

    /// Posts a message; `created` is false when the server answered a nonce replay.
    public func post(_ content: String, to channelID: Snowflake, nonce: String? = UUID().uuidString,
                     threadID: Snowflake? = nil, alsoToChannel: Bool? = nil,
                     attachmentIDs: [Snowflake]? = nil) async throws -> (message: Message, created: Bool) {
        let request = PostMessageRequest(content: content, nonce: nonce, threadID: threadID, alsoToChannel: alsoToChannel,
                                         attachmentIDs: attachmentIDs)
        let (status, response) = try await call(.POST, "/api/channels/\(channelID)/messages", body: request,
                                                as: MessageResponse.self)
        return (response.message, status == 201)
    }

    public func messages(in channelID: Snowflake, before: Snowflake? = nil, after: Snowflake? = nil,
                         limit: Int? = nil) async throws -> MessagesResponse {
        try await call(.GET, "/api/channels/\(channelID)/messages",
                       query: [("before", before?.description), ("after", after?.description), ("limit", limit.map(String.init))],
                       as: MessagesResponse.self).value
    }

    public func edit(_ messageID: Snowflake, in channelID: Snowflake, content: String) async throws -> Message {
        try await call(.PATCH, "/api/channels/\(channelID)/messages/\(messageID)", body: EditMessageRequest(content: content),
                       as: MessageResponse.self).value.message
    }

    public func delete(_ messageID: Snowflake, in channelID: Snowflake) async throws {
        _ = try await call(.DELETE, "/api/channels/\(channelID)/messages/\(messageID)", as: EmptyResponse.self)
    }

    public func replies(to messageID: Snowflake, in channelID: Snowflake, after: Snowflake? = nil,
                        limit: Int? = nil) async throws -> MessagesResponse {
        try await call(.GET, "/api/channels/\(channelID)/messages/\(messageID)/replies",
                       query: [("after", after?.description), ("limit", limit.map(String.init))],
                       as: MessagesResponse.self).value
    }

    public func react(_ emoji: String, to messageID: Snowflake, in channelID: Snowflake, present: Bool = true) async throws {
        _ = try await call(present ? .PUT : .DELETE,
                           "/api/channels/\(channelID)/messages/\(messageID)/reactions/\(Self.pathComponent(emoji))",
                           as: EmptyResponse.self)
    }

    public func search(_ query: String, channelID: Snowflake? = nil, from authorID: Snowflake? = nil,
                       limit: Int? = nil) async throws -> [Message] {
        try await searchPage(query, channelID: channelID, from: authorID, limit: limit).messages
    }

    /// One page of hits with their excerpts; pass `nextBefore` as `before` for the next.
    public func searchPage(_ query: String, channelID: Snowflake? = nil, from authorID: Snowflake? = nil,
                           before: Snowflake? = nil, limit: Int? = nil) async throws -> SearchResponse {
        try await call(.GET, "/api/search",
                       query: [("q", query), ("channel_id", channelID?.description), ("from", authorID?.description),
                               ("before", before?.description), ("limit", limit.map(String.init))],
                       as: SearchResponse.self).value
    }

    // MARK: Bootstrap and operations

    /// `GET /api/rtm.start` (origin): the decoded full bootstrap and its size in bytes.
    public func fullBootstrap(focus: Snowflake? = nil) async throws -> (bootstrap: FullBootstrap, bytes: Int) {
        let (status, body) = try await raw(.GET, "/api/rtm.start", query: [("focus", focus?.description)])
        guard status == 200 else { throw Self.apiError(status: status, body: body) }
        return (try JSON.decode(FullBootstrap.self, from: body), body.count)
    }

    /// `GET /api/edges` (origin): the edges connected now.
    public func edges() async throws -> [EdgeInfo] {
        try await call(.GET, "/api/edges", as: EdgesResponse.self).value.edges
    }

    /// `GET /api/bootstrap?focus=` (edge): the working set.
    /// The channel browser: public channels and one's private ones, with `is_member`.
    public func browseChannels() async throws -> [Channel] {
        try await call(.GET, "/api/channels/browse", as: ChannelsResponse.self).value.channels
    }

    public func workingSet(focus: Snowflake? = nil) async throws -> WorkingSet {
        try await call(.GET, "/api/bootstrap", query: [("focus", focus?.description)], as: WorkingSet.self).value
    }

    public func health() async throws -> HealthResponse {
        try await call(.GET, "/healthz", as: HealthResponse.self).value
    }

    /// The Prometheus text of `GET /metrics`.
    public func metricsText() async throws -> String {
        String(decoding: try await raw(.GET, "/metrics").body, as: UTF8.self)
    }
}
