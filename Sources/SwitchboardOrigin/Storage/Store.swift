import SwitchboardCore

/// The origin's source of truth. `SQLiteStore` is the embedded default; every
/// implementation passes the same contract suite.
///
/// Stores enforce the invariants that must hold inside one transaction (membership for
/// writes, nonce de-duplication, counters such as `reply_count` and `member_count`) and throw
/// ``SwitchboardError`` for the protocol's cases (`not_found`, `not_a_member`, `conflict`, ...).
/// Input validation (lengths, names) and rate limits happen before a store is called.
public protocol Store: Sendable {
    /// Answers a trivial query against the migrated schema (readiness: the database is open
    /// and reachable); throws otherwise.
    func checkHealth() async throws

    // MARK: Workspaces
    /// Creates a workspace and its `#general` channel, which every new user joins.
    func createWorkspace(id: Snowflake, generalChannelID: Snowflake, name: String, nowMs: UInt64) async throws -> Workspace
    func workspace(_ id: Snowflake) async throws -> Workspace?
    /// All workspaces, oldest first.
    func workspaces() async throws -> [Workspace]
    /// The user with this handle in the workspace.
    func user(workspaceID: Snowflake, handle: String) async throws -> User?
    /// The workspace with `member_count` (users not deleted) and `channel_count` (public and private).
    func workspaceWithCounts(_ id: Snowflake) async throws -> Workspace?

    // MARK: Users
    /// Creates a user and adds them to the workspace's `#general`. `conflict` on a taken handle.
    /// Creates the user (with `user.created`, joined to #general) and, given one, their password hash.
    func createUser(_ user: User, passwordHash: String?) async throws -> User
    func user(_ id: Snowflake) async throws -> User?
    /// The users of `workspaceID` among `ids`, in the order asked; unknown ids are left out.
    func users(workspaceID: Snowflake, ids: [Snowflake]) async throws -> [User]
    /// Users whose handle, display name or real name (or a word of it) starts with `prefix`.
    func searchUsers(workspaceID: Snowflake, prefix: String, limit: Int) async throws -> [User]
    /// One page of a workspace's users in id order (bootstraps and snapshots stream these).
    func usersPage(workspaceID: Snowflake, after: Snowflake?, limit: Int) async throws -> [User]
    func updateProfile(userID: Snowflake, _ update: UpdateProfileRequest, nowMs: UInt64) async throws -> User

    // MARK: Channels
    /// `conflict` if the name is taken in the workspace. The creator becomes a member.
    func createChannel(_ channel: Channel) async throws -> Channel
    /// Finds or creates the DM / group DM whose members are exactly `memberIDs`.
    func openDirect(workspaceID: Snowflake, newID: Snowflake, creatorID: Snowflake, memberIDs: [Snowflake],
                    nowMs: UInt64) async throws -> Channel
    /// A channel with the caller-specific fields filled in when `viewer` is a member.
    func channel(_ id: Snowflake, viewer: Snowflake) async throws -> Channel?
    /// Every channel `userID` belongs to (DMs included) with unread and mention counts.
    func channels(ofUser userID: Snowflake) async throws -> [Channel]
    /// Every public channel of a workspace plus the private ones `viewer` belongs to, in id
    /// order, with caller fields where `viewer` is a member. DMs are not included.
    func visibleChannels(workspaceID: Snowflake, viewer: Snowflake) async throws -> [Channel]
    func isMember(channelID: Snowflake, userID: Snowflake) async throws -> Bool
    /// Adds `userID` to the channel; idempotent. Returns the channel as `userID` sees it.
    func addMember(channelID: Snowflake, userID: Snowflake, nowMs: UInt64) async throws -> Channel
    /// Removes `userID` from the channel; idempotent.
    func removeMember(channelID: Snowflake, userID: Snowflake) async throws
    /// One page of a channel's member ids, ascending, after the cursor.
    func members(channelID: Snowflake, after: Snowflake?, limit: Int) async throws -> [Snowflake]
    /// Memberships of the given channels in (channel, user) order, one page after a cursor.
    func membershipsPage(channelIDs: [Snowflake], after: (channel: Snowflake, user: Snowflake)?,
                         limit: Int) async throws -> [(channel: Snowflake, user: Snowflake)]

    // MARK: Messages
    /// Stores a message. If the author used `nonce` within the nonce window the first message
    /// is returned with `created == false` and nothing is written.
    func postMessage(_ draft: MessageDraft) async throws -> (message: Message, created: Bool)
    /// The message the user sent with `nonce` within the nonce window, if any.
    func nonceReplay(userID: Snowflake, nonce: String, nowMs: UInt64) async throws -> Message?
    func message(channelID: Snowflake, id: Snowflake, viewer: Snowflake) async throws -> Message?
    /// A page of the channel's timeline (top-level messages and replies also sent to the
    /// channel), ascending. With neither cursor: the latest `limit`.
    func messages(channelID: Snowflake, viewer: Snowflake, before: Snowflake?, after: Snowflake?,
                  limit: Int) async throws -> (messages: [Message], hasMore: Bool)
    /// A page of a thread's replies after `after`, ascending.
    func replies(channelID: Snowflake, threadID: Snowflake, viewer: Snowflake, after: Snowflake?,
                 limit: Int) async throws -> (messages: [Message], hasMore: Bool)
    /// Only the author may edit (`forbidden` otherwise).
    func editMessage(channelID: Snowflake, id: Snowflake, editorID: Snowflake, content: String,
                     mentions: Mentions, nowMs: UInt64) async throws -> Message
    /// The author or the channel's creator may delete (`forbidden` otherwise).
    /// The author, the channel's creator or (`moderator`) an admin may delete a message.
    func deleteMessage(channelID: Snowflake, id: Snowflake, byUserID: Snowflake, moderator: Bool) async throws
    /// Idempotent; returns whether anything changed.
    @discardableResult
    func setReaction(channelID: Snowflake, messageID: Snowflake, userID: Snowflake, emoji: String,
                     present: Bool, nowMs: UInt64) async throws -> Bool
    /// Moves the user's read position to `messageID` (which must be in the channel).
    /// Moves the read position (`read.updated` to the reader), and with `receipt` also logs
    /// `read.receipt` for the channel's viewers.
    func markRead(channelID: Snowflake, userID: Snowflake, messageID: Snowflake, receipt: Bool) async throws
    /// How far each member who shares receipts has read.
    func readReceipts(channelID: Snowflake) async throws -> [ReadReceipt]
    // MARK: Notifications
    /// Records that `userID` was notified of `messageID`: the notification of the same user and
    /// channel updated within `coalesceWindowMs` gains one to its count, else a new one starts
    /// (with `newID`). Logs `notification.created` for the user. `describe(count)` gives the text.
    func recordNotification(workspaceID: Snowflake, userID: Snowflake, channelID: Snowflake, messageID: Snowflake,
                            kind: NotificationKind, newID: Snowflake, nowMs: UInt64, coalesceWindowMs: UInt64,
                            describe: @Sendable (Int) -> String) async throws -> UserNotification
    /// A user's notifications after the cursor, oldest first.
    func notifications(userID: Snowflake, after: Snowflake?, limit: Int) async throws -> [UserNotification]

    // MARK: Snapshots (the edge feed)
    /// One page of all a workspace's channels (DMs included, with `member_ids`), in id order,
    /// without caller fields.
    func channelsPage(workspaceID: Snowflake, after: Snowflake?, limit: Int) async throws -> [Channel]
    /// One page of all a workspace's memberships in (channel, user) order, with each member's
    /// read position and unread and mention counts.
    func membershipStatesPage(workspaceID: Snowflake, after: (channel: Snowflake, user: Snowflake)?,
                              limit: Int) async throws -> [MembershipState]
    /// The latest `perChannel` timeline messages of each channel, ascending per channel, with
    /// reaction user lists (`me` is false).
    func latestMessages(channelIDs: [Snowflake], perChannel: Int) async throws -> [Message]
    /// The same messages with `user_ids` on every reaction (who reacted).
    func withReactors(_ messages: [Message]) async throws -> [Message]

    // MARK: Event log
    /// Events of a workspace after `after`, in sequence order.
    func events(workspaceID: Snowflake, after: UInt64, limit: Int) async throws -> [WorkspaceEvent]
    /// The oldest retained and the latest sequence number of a workspace's log.
    func eventLogBounds(workspaceID: Snowflake) async throws -> EventLogBounds
    /// Drops events older than `cutoff` or more than `count` behind the latest.
    func purgeEvents(keepingLast count: Int, olderThanMs cutoff: UInt64) async throws

    /// Deletes nonces recorded before `cutoff` (they can no longer de-duplicate anything).
    func purgeNonces(olderThanMs cutoff: UInt64) async throws

    // MARK: Bulk

    /// Loads rows into a workspace in one transaction, without events (seeding).
    func importBatch(_ batch: ImportBatch, workspaceID: Snowflake) async throws -> ImportResult
    /// Messages matching `filter` in channels the viewer is a member of, newest first.
    func search(workspaceID: Snowflake, viewer: Snowflake, _ filter: SearchFilter) async throws -> [Message]

    /// Sets a message's link previews and logs `message.updated`; `nil` (nothing logged) if
    /// the message is gone.
    func setLinkPreviews(channelID: Snowflake, messageID: Snowflake, _ previews: [LinkPreview],
                         nowMs: UInt64) async throws -> Message?

    // MARK: Attachments

    /// Records an upload (not yet in any message).
    func insertAttachment(_ attachment: StoredAttachment) async throws
    func attachment(_ id: Snowflake) async throws -> StoredAttachment?

    // MARK: Incoming webhooks

    /// Stores a hook (its bot user already exists and belongs to the channel).
    func insertHook(_ hook: StoredHook) async throws
    /// The hook whose token has this SHA-256 (hex).
    func hook(tokenHash: String) async throws -> StoredHook?
    func hooks(workspaceID: Snowflake) async throws -> [StoredHook]
    /// Deletes the hook (its URL stops working; its bot and messages stay). False if unknown.
    func deleteHook(id: Snowflake, workspaceID: Snowflake?) async throws -> Bool

    // MARK: Threads

    /// Follows or unfollows explicitly (logged as `thread.follow_changed` if it changes anything).
    func setFollow(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, following: Bool, nowMs: UInt64) async throws
    /// Members following the thread.
    func threadFollowers(threadID: Snowflake) async throws -> [Snowflake]
    /// The threads the user follows, the latest reply first.
    func followedThreads(userID: Snowflake, limit: Int) async throws -> [ThreadSummary]
    func markThreadRead(channelID: Snowflake, threadID: Snowflake, userID: Snowflake, messageID: Snowflake) async throws
    /// Follow rows for an edge snapshot, by (thread, user).
    func followsPage(workspaceID: Snowflake, after: (thread: Snowflake, user: Snowflake)?, limit: Int) async throws -> [ThreadFollow]

    // MARK: Integrations

    /// `conflict` for a command name the workspace has already.
    func insertIntegration(_ integration: Integration, workspaceID: Snowflake) async throws
    /// The workspace's integrations of `kind` (with their secrets: the origin signs with them).
    func integrations(workspaceID: Snowflake, kind: IntegrationKind?) async throws -> [Integration]
    func deleteIntegration(id: Snowflake, workspaceID: Snowflake) async throws -> Bool

    // MARK: Preferences

    /// Sets a member's notification level and mute, with `preferences.updated`.
    func setPreferences(channelID: Snowflake, userID: Snowflake, _ preferences: ChannelPreferences, nowMs: UInt64) async throws
    /// The preferences of those of `userIDs` who chose any (the rest have the defaults).
    func chosenPreferences(channelID: Snowflake, userIDs: [Snowflake]) async throws -> [Snowflake: ChannelPreferences]
    /// Members who asked to be notified of every message (level `all`, not muted).
    func membersNotifiedOfEverything(channelID: Snowflake) async throws -> [Snowflake]

    // MARK: Administration

    /// Changes a user's role, activation or token cutoff, with `user.updated`.
    func administerUser(userID: Snowflake, _ change: UserAdministration, nowMs: UInt64) async throws -> User
    /// The users some of whose tokens are refused: deactivated, or with sessions revoked.
    func restrictedUsers() async throws -> [User]
    /// Renames, re-topics, archives or unarchives a named channel, with `channel.updated`.
    func updateChannel(channelID: Snowflake, _ change: ChannelChange, nowMs: UInt64) async throws -> Channel

    // MARK: Sign-in

    /// The workspaces of that name (names need not be unique).
    func workspaces(named name: String) async throws -> [Workspace]
    /// The user of the workspace with that email address, compared without case; nil for "".
    func user(workspaceID: Snowflake, email: String) async throws -> User?
    func passwordHash(userID: Snowflake) async throws -> String?
    func setPasswordHash(userID: Snowflake, _ hash: String, nowMs: UInt64) async throws
    /// Records a sign-out, with `session.revoked` (scoped to the user) for edges.
    func revokeSession(_ revocation: SessionRevocation, workspaceID: Snowflake, nowMs: UInt64) async throws
    /// Every sign-out whose token has not expired yet, all workspaces (the origin's access list).
    func revokedSessions(nowMs: UInt64) async throws -> [SessionRevocation]
    /// A workspace's unexpired sign-outs in `session_id` order, for edge snapshots.
    func revocationsPage(workspaceID: Snowflake, after: String?, limit: Int, nowMs: UInt64) async throws -> [SessionRevocation]
    func insertInvite(_ invite: StoredInvite) async throws
    /// The invite if it exists, unused and unexpired.
    func invite(codeHash: String, nowMs: UInt64) async throws -> StoredInvite?
    /// Marks an unused, unexpired invite used, atomically: nil if another sign-up took it first
    /// (or it expired).
    func claimInvite(codeHash: String, nowMs: UInt64) async throws -> StoredInvite?
    /// Gives a claimed invite back (the sign-up it was claimed for failed).
    func releaseInvite(codeHash: String) async throws
    func setMembersMayInvite(workspaceID: Snowflake, _ allowed: Bool) async throws -> Workspace

    // MARK: Sharing

    /// Reports, until the calling task is cancelled, the workspace of each event committed by
    /// *other* processes sharing the store, and `nil` when some may have been missed (after a
    /// reconnect). A store only one process opens returns when cancelled.
    func watchCommits(_ onCommit: @escaping @Sendable (Snowflake?) -> Void) async
    /// Releases the store's connections; called once the origin has stopped using it.
    func close() async
}

extension Store {
    public func createUser(_ user: User) async throws -> User { try await createUser(user, passwordHash: nil) }

    public func watchCommits(_ onCommit: @escaping @Sendable (Snowflake?) -> Void) async {
        // Nothing to watch: wait to be cancelled.
        let (never, _) = AsyncStream<Void>.makeStream()
        for await _ in never {}
    }

    public func close() async {}
}

/// A message to store, already validated. Its id is taken from `ids` by the store at the moment
/// the post joins the store's commit order (``takeID()``), never before: so in every channel id
/// order is commit order is event order, however many posts race.
public struct MessageDraft: Sendable {
    /// Zero until the store assigned it.
    public private(set) var id = Snowflake(0)
    public let ids: SnowflakeGenerator
    public var channelID: Snowflake
    public var authorID: Snowflake
    public var content: String
    public var nonce: String?
    public var threadID: Snowflake?
    public var alsoToChannel: Bool
    public var mentions: Mentions
    public var nowMs: UInt64
    /// Uploads of the author, not yet posted, to attach (the store binds them to the message).
    public var attachments: [Attachment]

    public init(ids: SnowflakeGenerator, channelID: Snowflake, authorID: Snowflake, content: String, nonce: String?,
                threadID: Snowflake?, alsoToChannel: Bool, mentions: Mentions, nowMs: UInt64, attachments: [Attachment] = []) {
        self.attachments = attachments
        self.ids = ids
        self.channelID = channelID
        self.authorID = authorID
        self.content = content
        self.nonce = nonce
        self.threadID = threadID
        self.alsoToChannel = alsoToChannel
        self.mentions = mentions
        self.nowMs = nowMs
    }

    /// Called by the store while it holds its commit queue's lock.
    mutating func takeID() { id = ids.next() }
}

/// The retained range of a workspace's event log: events `firstSeq...lastSeq` are readable
/// (`firstSeq == lastSeq + 1` when none are retained).
public struct EventLogBounds: Sendable, Equatable {
    public var firstSeq: UInt64
    public var lastSeq: UInt64

    /// Whether a reader that has applied everything up to `cursor` can continue from the log.
    public func canResume(from cursor: UInt64) -> Bool {
        cursor <= lastSeq && cursor + 1 >= firstSeq
    }
}

extension User {
    /// The profile fields the request sets, each store writing the result back as a whole.
    mutating func apply(_ update: UpdateProfileRequest, nowMs: UInt64) {
        if let v = update.displayName { displayName = v }
        if let v = update.realName { realName = v }
        if let v = update.title { title = v }
        if let v = update.email { email = v }
        if let v = update.tz { tz = v }
        if let v = update.statusText { statusText = v }
        if let v = update.statusEmoji { statusEmoji = v }
        if let v = update.sharesReadReceipts { sharesReadReceipts = v }
        updatedAtMs = nowMs
    }
}

/// What an admin changes about a user; nil fields stay as they are.
public struct UserAdministration: Sendable {
    public var role: Role?
    public var deleted: Bool?
    public var sessionsValidFromMs: UInt64?

    public init(role: Role? = nil, deleted: Bool? = nil, sessionsValidFromMs: UInt64? = nil) {
        self.role = role
        self.deleted = deleted
        self.sessionsValidFromMs = sessionsValidFromMs
    }

    func apply(to user: inout User, nowMs: UInt64) {
        if let role { user.role = role }
        if let deleted { user.deleted = deleted }
        if let sessionsValidFromMs { user.sessionsValidFromMs = max(user.sessionsValidFromMs, sessionsValidFromMs) }
        user.updatedAtMs = nowMs
    }
}

/// What changes about a named channel; nil fields stay as they are.
public struct ChannelChange: Sendable {
    public var name: String?
    public var topic: String?
    public var purpose: String?
    public var archived: Bool?

    public init(name: String? = nil, topic: String? = nil, purpose: String? = nil, archived: Bool? = nil) {
        self.name = name
        self.topic = topic
        self.purpose = purpose
        self.archived = archived
    }

    func apply(to channel: inout Channel) {
        if let name { channel.name = name }
        if let topic { channel.topic = topic }
        if let purpose { channel.purpose = purpose }
        if let archived { channel.archived = archived }
    }
}

/// What a search selects, resolved (channel and user ids) from a ``SearchQuery``.
public struct SearchFilter: Sendable {
    /// Every word must match (the last as a prefix); none: the operators alone select.
    public var words: [String] = []
    public var channelID: Snowflake?
    public var authorID: Snowflake?
    public var fromMs: UInt64?
    public var untilMs: UInt64?
    public var hasLink = false
    public var hasFile = false
    /// The page's cursor: only messages older than this one.
    public var beforeID: Snowflake?
    public var limit = 20

    public init() {}
}
