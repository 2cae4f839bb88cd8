import SwitchboardCore

/// The one place that decides who sees what of a workspace: an event goes in, its recipients
/// and the badges due come out. The origin's gateway and the edge's both route through it;
/// it holds no socket, store or lock (its owner serialises calls), so it is tested alone.
///
/// Its indexes are by channel (member sessions, viewers) and by user (sessions, presence
/// watchers), so routing an event costs its recipients, never the workspace's size. Rules:
/// - `message.created` in C: the member sessions viewing C (all of them in
///   ``DeliveryMode/everything``) and, for a reply, the sessions of the thread's followers;
///   every other member session of a working set gets a badge for C, at most one per
///   channel per badge interval (a reply not sent to the channel changes no badge).
/// - edits, deletions and reactions: the sessions that would get the message itself.
/// - channel and membership events: the channel's members (everyone for a public channel's
///   `channel.created` / `channel.updated`). A joiner is a member before its event is routed,
///   so it hears of it; a leaver after, so it hears of it too, and then nothing more.
/// - a user's read markers and notifications: that user's sessions.
/// - `user.updated`: sessions holding the profile (and all of a full client's).
/// - `typing.started`: member sessions viewing the channel, not the typist's; none expired.
/// - `presence.changed`: the sessions subscribed to that user.
/// No event about a channel ever reaches a session whose user is not a member of it.
public struct WorkspaceRouter: Sendable {
    private var sessions: [SessionKey: RoutedSession] = [:]
    /// Each session's mode, apart: reading it from `sessions` would copy the whole entry.
    private var modes: [SessionKey: DeliveryMode] = [:]
    private var byUser: [Snowflake: Set<SessionKey>] = [:]
    /// Channel → member sessions.
    private var members: [Snowflake: Set<SessionKey>] = [:]
    /// Channel → member sessions that get its messages whole: focused ones and full clients.
    private var viewers: [Snowflake: Set<SessionKey>] = [:]
    /// User → sessions subscribed to their presence.
    private var watchers: [Snowflake: Set<SessionKey>] = [:]
    /// Sessions holding a badge for later.
    private var pendingBadges: Set<SessionKey> = []
    /// Users who are not offline, as last told.
    public private(set) var presence: [Snowflake: PresenceStatus] = [:]

    public init() {}

    public var isEmpty: Bool { sessions.isEmpty }
    public var count: Int { sessions.count }
    public var ids: Dictionary<SessionKey, RoutedSession>.Keys { sessions.keys }
    public func session(_ id: SessionKey) -> RoutedSession? { sessions[id] }

    public func isMember(_ id: SessionKey, of channel: Snowflake) -> Bool {
        sessions[id]?.channels.contains(channel) ?? false
    }

    // MARK: Sessions

    /// Adds a session (replacing one with the same id).
    public mutating func insert(_ session: RoutedSession) {
        remove(session.id)
        let id = session.id
        sessions[id] = session
        modes[id] = session.mode
        byUser[session.userID, default: []].insert(id)
        for channel in session.channels { index(id, memberOf: channel, session) }
        for user in session.presenceSubscriptions { watchers[user, default: []].insert(id) }
        if !session.badges.pending.isEmpty { pendingBadges.insert(id) }
    }

    /// Takes a session out, with its state as it is now (to be inserted again, or elsewhere).
    @discardableResult
    public mutating func remove(_ id: SessionKey) -> RoutedSession? {
        guard let session = sessions.removeValue(forKey: id) else { return nil }
        modes[id] = nil
        Self.remove(id, from: &byUser, key: session.userID)
        for channel in session.channels {
            Self.remove(id, from: &members, key: channel)
            Self.remove(id, from: &viewers, key: channel)
        }
        for user in session.presenceSubscriptions { Self.remove(id, from: &watchers, key: user) }
        pendingBadges.remove(id)
        return session
    }

    /// The channel on the session's screen: one of its user's channels, or nil for none.
    public mutating func setFocus(_ id: SessionKey, to channel: Snowflake?) throws(SwitchboardError) {
        guard var session = sessions[id] else { return }
        if let channel, !session.channels.contains(channel) { throw SwitchboardError.notAMember }
        if let old = session.focus, session.mode == .workingSet { Self.remove(id, from: &viewers, key: old) }
        session.focus = channel
        if let channel {
            session.badges.forget(channel)
            viewers[channel, default: []].insert(id)
        }
        sessions[id] = session
    }

    /// Replaces the session's presence subscriptions; returns each user's current status.
    public mutating func setPresenceSubscriptions(_ id: SessionKey, to users: Set<Snowflake>) -> [PresenceChange] {
        guard var session = sessions[id] else { return [] }
        for user in session.presenceSubscriptions.subtracting(users) { Self.remove(id, from: &watchers, key: user) }
        for user in users.subtracting(session.presenceSubscriptions) { watchers[user, default: []].insert(id) }
        session.presenceSubscriptions = users
        sessions[id] = session
        return users.sorted().map { PresenceChange(userID: $0, status: presence[$0] ?? .offline) }
    }

    /// The client was sent these profiles (with its bootstrap): no prefetch repeats them.
    public mutating func markProfilesKnown(_ id: SessionKey, _ users: some Sequence<Snowflake>) {
        sessions[id]?.knownProfiles.formUnion(users)
    }

    // MARK: Routing

    /// Where `event` goes. `threadFollowers` are the users following the thread of a reply
    /// (the owner's store knows them); `nowMs` times badges and typing expiry.
    public mutating func route(_ event: EventContent, threadFollowers: Set<Snowflake> = [], nowMs: UInt64) -> Routing {
        var routing = Routing()
        switch event {
        case .messageCreated(let message):
            routeMessage(message, followers: threadFollowers, nowMs: nowMs, into: &routing)
        case .messageUpdated(let update):
            routing.recipients = messageViewers(update.channelID, thread: update.threadID, followers: threadFollowers)
        case .messageDeleted(let deletion):
            routing.recipients = messageViewers(deletion.channelID, thread: deletion.threadID, followers: threadFollowers)
        case .reactionAdded(let change), .reactionRemoved(let change):
            routing.recipients = messageViewers(change.channelID, thread: nil, followers: [])
        case .channelCreated(let channel):
            if channel.kind == .public {
                routing.recipients = Array(sessions.keys)
            } else {
                join(Set(channel.memberIDs ?? []).union([channel.creatorID]), channel: channel.id)
                routing.recipients = Array(members[channel.id] ?? [])
            }
        case .channelUpdated(let channel):
            routing.recipients = channel.kind == .public ? Array(sessions.keys) : Array(members[channel.id] ?? [])
        case .memberJoined(let change):
            join([change.userID], channel: change.channelID)
            routing.recipients = Array(members[change.channelID] ?? [])
        case .memberLeft(let change):
            routing.recipients = Array(members[change.channelID] ?? [])
            leave(change.userID, channel: change.channelID)
        case .userCreated:
            // A working set loads new users when it needs them.
            routing.recipients = modes.filter { $0.value == .everything }.map(\.key)
        case .userUpdated(let user):
            routing.recipients = sessions.values
                .filter { $0.mode == .everything || $0.knownProfiles.contains(user.id) }.map(\.id)
            routing.revoked = (byUser[user.id] ?? []).filter { id in
                sessions[id].map { !user.acceptsToken(issuedAtMs: $0.tokenIssuedAtMs) } ?? false
            }
        case .sessionRevoked(let revocation):
            routing.revoked = (byUser[revocation.userID] ?? []).filter { id in
                sessions[id].map { !$0.tokenSessionID.isEmpty && $0.tokenSessionID == revocation.sessionID } ?? false
            }
        case .readUpdated(_, let reader):
            routing.recipients = Array(byUser[reader] ?? [])
        case .notificationCreated(let notification):
            routing.recipients = Array(byUser[notification.userID] ?? [])
        case .threadFollowChanged(let follow):
            routing.recipients = Array(byUser[follow.userID] ?? [])
        case .preferencesUpdated(let change):
            routing.recipients = Array(byUser[change.userID] ?? [])
        case .readReceipt(let receipt):
            routing.recipients = messageViewers(receipt.channelID, thread: nil, followers: []).filter { sessions[$0]?.userID != receipt.userID }
        case .typingStarted(let typing):
            guard typing.expiresAtMs > nowMs else { break }
            routing.recipients = (viewers[typing.channelID] ?? []).filter { id in
                guard let session = sessions[id] else { return false }
                return session.userID != typing.userID && session.focus == typing.channelID
            }
        case .presenceChanged(let change):
            presence[change.userID] = change.status == .offline ? nil : change.status
            routing.recipients = Array(watchers[change.userID] ?? [])
        case .unreadUpdated:
            // Badges are made by routing messages, never taken from elsewhere.
            break
        }
        return routing
    }

    /// A (re)connected feed says who is online: each status that changed, to its watchers.
    public mutating func replacePresence(_ statuses: [Snowflake: PresenceStatus]) -> [(PresenceChange, [SessionKey])] {
        let old = presence
        presence = statuses.filter { $0.value != .offline }
        return Set(old.keys).union(presence.keys).sorted().compactMap { user in
            let status = presence[user] ?? .offline
            guard status != (old[user] ?? .offline), let watching = watchers[user], !watching.isEmpty else { return nil }
            return (PresenceChange(userID: user, status: status), Array(watching))
        }
    }

    /// The badges held past their interval, by channel; they count as sent now.
    public mutating func dueBadges(nowMs: UInt64) -> [Snowflake: [SessionKey]] {
        var due: [Snowflake: [SessionKey]] = [:]
        for id in pendingBadges {
            // In place: a copy of the entry would make its badge map copy itself on change.
            guard let ready = sessions[id]?.badges.due(nowMs: nowMs) else {
                pendingBadges.remove(id)
                continue
            }
            for channel in ready where sessions[id]!.channels.contains(channel) {
                due[channel, default: []].append(id)
            }
            if sessions[id]!.badges.pending.isEmpty { pendingBadges.remove(id) }
        }
        return due
    }

    // MARK: Rules

    private mutating func routeMessage(_ message: Message, followers: Set<Snowflake>, nowMs: UInt64,
                                       into routing: inout Routing) {
        let channel = message.channelID
        guard let memberIDs = members[channel] else { return }
        var recipients = viewers[channel] ?? []
        if message.threadID != nil {
            for follower in followers {
                for id in byUser[follower] ?? [] where memberIDs.contains(id) { recipients.insert(id) }
            }
        }
        if message.threadID == nil || message.alsoToChannel {
            for id in memberIDs where !recipients.contains(id) {
                guard modes[id] == .workingSet, let entry = sessions.index(forKey: id) else { continue }
                if sessions.values[entry].badges.changed(channel, nowMs: nowMs) {
                    routing.badges.append(id)
                } else {
                    pendingBadges.insert(id)
                }
            }
            if !routing.badges.isEmpty { routing.badgeChannel = channel }
        }
        let needed = [message.authorID] + message.mentions
        routing.recipients.reserveCapacity(recipients.count)
        for id in recipients {
            routing.recipients.append(id)
            guard modes[id] == .workingSet, let entry = sessions.index(forKey: id) else { continue }
            var unknown: [Snowflake] = []
            for user in needed where sessions.values[entry].knownProfiles.insert(user).inserted { unknown.append(user) }
            if !unknown.isEmpty { routing.profilesFirst[id] = unknown }
        }
    }

    /// Who gets a change to a message: the sessions that would get the message itself.
    private func messageViewers(_ channel: Snowflake, thread: Snowflake?, followers: Set<Snowflake>) -> [SessionKey] {
        var recipients = viewers[channel] ?? []
        if thread != nil, let memberIDs = members[channel] {
            for follower in followers {
                for id in byUser[follower] ?? [] where memberIDs.contains(id) { recipients.insert(id) }
            }
        }
        return Array(recipients)
    }

    // Entries are changed in place (`sessions[id]!.…`, or `sessions.values[index].…` on the
    // hot path, where the optional's unwrapping still copied the entry): a copy would
    // duplicate their sets.
    private mutating func join(_ users: Set<Snowflake>, channel: Snowflake) {
        for user in users {
            for id in byUser[user] ?? [] where sessions[id]!.channels.insert(channel).inserted {
                members[channel, default: []].insert(id)
                if modes[id] == .everything || sessions[id]!.focus == channel { viewers[channel, default: []].insert(id) }
            }
        }
    }

    private mutating func leave(_ user: Snowflake, channel: Snowflake) {
        for id in byUser[user] ?? [] where sessions[id]!.channels.remove(channel) != nil {
            sessions[id]!.badges.forget(channel)
            if sessions[id]!.focus == channel { sessions[id]!.focus = nil }
            Self.remove(id, from: &members, key: channel)
            Self.remove(id, from: &viewers, key: channel)
        }
    }

    private mutating func index(_ id: SessionKey, memberOf channel: Snowflake, _ session: RoutedSession) {
        members[channel, default: []].insert(id)
        if session.views(channel) { viewers[channel, default: []].insert(id) }
    }

    private static func remove(_ id: SessionKey, from map: inout [Snowflake: Set<SessionKey>], key: Snowflake) {
        guard map[key]?.remove(id) != nil else { return }
        if map[key]?.isEmpty == true { map[key] = nil }
    }
}
