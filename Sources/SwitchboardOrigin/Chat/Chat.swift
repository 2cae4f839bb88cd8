import SwitchboardAuth
import SwitchboardCore

/// The origin's use cases, shared by the REST API and (later) the gateway: validation,
/// authorization, rate limits and id assignment around the ``Store``.
public struct Chat: Sendable {
    public let store: any Store
    public let ids: SnowflakeGenerator
    public let rateLimiter: ChannelRateLimiter
    /// Reactions added per user per channel per window, apart from messages.
    public let reactionRateLimiter: ChannelRateLimiter
    public let presence: PresenceTracker
    /// Poked after every committed change so subscribers read the new events.
    public let events: EventHub
    /// Told of every new message, to notify whoever is away.
    let notifier: Notifier?
    /// Told of every new message, to preview its links.
    let unfurler: LinkUnfurler?
    /// Told of every new message, for outgoing webhooks; runs slash commands.
    let integrations: IntegrationCaller?
    let avatarBaseURL: String
    /// Who may no longer use their tokens; told of every change made here.
    public let access: AccessList
    /// `@channel` / `@here` / `@everyone` in larger channels are for admins only.
    let broadcastMentionsAdminOnlyAbove: Int
    /// Read receipts only in DMs and channels up to this size.
    let readReceiptsMaxMembers: Int
    /// Uploads, and the signer of every file URL a message carries.
    public let attachments: Attachments
    let now: @Sendable () -> UInt64

    public init(store: any Store, ids: SnowflakeGenerator, rateLimiter: ChannelRateLimiter, reactionRateLimiter: ChannelRateLimiter, presence: PresenceTracker,
                events: EventHub, notifier: Notifier? = nil, unfurler: LinkUnfurler? = nil,
                integrations: IntegrationCaller? = nil, avatarBaseURL: String,
                attachments: Attachments, access: AccessList, broadcastMentionsAdminOnlyAbove: Int, readReceiptsMaxMembers: Int = 50,
                now: @escaping @Sendable () -> UInt64 = { WallClock.nowMs() }) {
        self.access = access
        self.broadcastMentionsAdminOnlyAbove = broadcastMentionsAdminOnlyAbove
        self.readReceiptsMaxMembers = readReceiptsMaxMembers
        self.attachments = attachments
        self.notifier = notifier
        self.unfurler = unfurler
        self.integrations = integrations
        self.store = store
        self.ids = ids
        self.rateLimiter = rateLimiter
        self.reactionRateLimiter = reactionRateLimiter
        self.presence = presence
        self.events = events
        self.avatarBaseURL = avatarBaseURL
        self.now = now
    }

    // MARK: Workspaces (admin)

    public func createWorkspace(_ request: CreateWorkspaceRequest) async throws -> Workspace {
        let name = try Validation.text(request.name, field: "name", max: Limits.maxWorkspaceNameLength, allowEmpty: false)
        return try await store.createWorkspace(id: ids.next(), generalChannelID: ids.next(), name: name, nowMs: now())
    }

    /// Runs a change and tells the event hub that the workspace's log grew.
    func committing<T>(_ workspaceID: Snowflake, _ change: () async throws -> T) async throws -> T {
        let result = try await change()
        events.poke(workspaceID)
        return result
    }

    // MARK: Access checks

    /// The channel if the caller may see it: one they belong to, or (unless they are a guest)
    /// any public channel of their workspace. `not_found` for unknown or foreign ids, `not_a_member` otherwise.
    func visibleChannel(_ caller: Caller, _ id: Snowflake) async throws -> Channel {
        guard let channel = try await store.channel(id, viewer: caller.userID), channel.workspaceID == caller.workspaceID else {
            throw SwitchboardError.notFound("channel")
        }
        if channel.isMember == true { return channel }
        guard channel.kind == .public, try await account(caller).role != .guest else { throw SwitchboardError.notAMember }
        return channel
    }

    /// The caller's own profile as it stands (their role); `unauthorized` once deactivated.
    func account(_ caller: Caller) async throws -> User {
        guard let user = try await store.user(caller.userID), user.workspaceID == caller.workspaceID,
              user.acceptsToken(issuedAtMs: caller.issuedAtMs) else {
            throw SwitchboardError.unauthorized
        }
        return user
    }

    /// The caller, if an owner or admin.
    func requireAdmin(_ caller: Caller, to action: String) async throws -> User {
        let user = try await account(caller)
        guard user.role.isAdmin else { throw SwitchboardError.forbidden("only owners and admins can \(action)") }
        return user
    }

    /// Passes only if the caller is a member of the channel.
    func requireMember(_ caller: Caller, _ channelID: Snowflake) async throws {
        if try await store.isMember(channelID: channelID, userID: caller.userID) { return }
        guard let channel = try await store.channel(channelID, viewer: caller.userID), channel.workspaceID == caller.workspaceID else {
            throw SwitchboardError.notFound("channel")
        }
        throw SwitchboardError.notAMember
    }

    /// Clamps a page size to 1...max, defaulting when absent.
    static func pageSize(_ limit: Int?, default defaultLimit: Int, max: Int) throws -> Int {
        guard let limit else { return defaultLimit }
        guard limit >= 1 else { throw SwitchboardError.badRequest("limit must be at least 1") }
        return min(limit, max)
    }
}
