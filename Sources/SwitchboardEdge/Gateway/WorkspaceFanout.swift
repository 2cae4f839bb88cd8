import Foundation
import Synchronization
import SwitchboardCore

/// Routes one workspace's events to this edge's sessions. Recipients come from indexes kept
/// per channel (member sessions, focused sessions) and per user (a user's sessions, presence
/// watchers) — never from a scan of every session or every member. Each event's body is
/// encoded once and shared by all its recipients.
///
/// `message.created` in C goes whole to the sessions focused on C and to the thread's
/// followers, each preceded by the profiles of its author and mentioned users that the
/// session has not been sent yet; every other member session gets `unread.updated` for C,
/// at most one per channel per badge interval.
///
/// Events are routed after the batch that holds them is in LMDB, one batch at a time, in
/// feed order. `register` reads a session's channels under the same lock as routing updates
/// the indexes, so a membership change is never lost between the two.
final class WorkspaceFanout: Sendable {
    let workspaceID: Snowflake
    private let store: EdgeStore
    private let metrics: EdgeMetrics

    private struct Index {
        var sessions: [String: EdgeSession] = [:]
        var byUser: [Snowflake: Set<String>] = [:]
        /// Channel → sessions of its members.
        var members: [Snowflake: Set<String>] = [:]
        /// Channel → sessions looking at it.
        var focused: [Snowflake: Set<String>] = [:]
        /// User → sessions subscribed to their presence.
        var watchers: [Snowflake: Set<String>] = [:]
        /// Sessions holding a badge for later.
        var pendingBadges: Set<String> = []
        /// Users who are not offline (from the feed's `presence_state` and later changes).
        var presence: [Snowflake: PresenceStatus] = [:]

        func sessions(in ids: Set<String>?) -> [EdgeSession] { (ids ?? []).compactMap { sessions[$0] } }
        func sessions(ofUsers users: some Sequence<Snowflake>) -> [EdgeSession] {
            users.flatMap { sessions(in: byUser[$0]) }
        }
    }

    private let index = Mutex(Index())

    init(workspaceID: Snowflake, store: EdgeStore, metrics: EdgeMetrics) {
        self.workspaceID = workspaceID
        self.store = store
        self.metrics = metrics
    }

    var isEmpty: Bool { index.withLock { $0.sessions.isEmpty } }
    var sessionCount: Int { index.withLock { $0.sessions.count } }
    var allSessions: [EdgeSession] { index.withLock { Array($0.sessions.values) } }

    // MARK: Sessions

    /// Indexes a new session by its channels (read from LMDB now) and focus: `requested` if
    /// the user is a member, else the default the working set also picks. Returns the focus.
    func register(_ session: EdgeSession, focus requested: Snowflake?) throws -> Snowflake? {
        let workspaceID = workspaceID, store = store
        return try index.withLock { index throws -> Snowflake? in
            let (channels, fallback) = try store.memberships(workspaceID, user: session.userID)
            let focus = requested.flatMap { channels.contains($0) ? $0 : nil } ?? fallback
            session.state.withLock { state in
                state.channels = channels
                state.focus = focus
                state.knownProfiles.insert(session.userID)
            }
            index.sessions[session.id] = session
            index.byUser[session.userID, default: []].insert(session.id)
            for channel in channels { index.members[channel, default: []].insert(session.id) }
            if let focus { index.focused[focus, default: []].insert(session.id) }
            return focus
        }
    }

    func unregister(_ session: EdgeSession) {
        let (channels, focus, watched) = session.state.withLock { ($0.channels, $0.focus, $0.presenceSubscriptions) }
        index.withLock { index in
            guard index.sessions[session.id] === session else { return }
            index.sessions[session.id] = nil
            Self.remove(session.id, from: &index.byUser, key: session.userID)
            for channel in channels { Self.remove(session.id, from: &index.members, key: channel) }
            if let focus { Self.remove(session.id, from: &index.focused, key: focus) }
            for user in watched { Self.remove(session.id, from: &index.watchers, key: user) }
            index.pendingBadges.remove(session.id)
        }
    }

    /// The channel on the session's screen (a member's channel, or nil for none).
    func setFocus(_ session: EdgeSession, to channel: Snowflake?) throws(SwitchboardError) {
        try index.withLock { index throws(SwitchboardError) in
            let old = try session.state.withLock { state throws(SwitchboardError) -> Snowflake? in
                if let channel, !state.channels.contains(channel) { throw SwitchboardError.notAMember }
                defer {
                    state.focus = channel
                    if let channel { state.badges.forget(channel) }
                }
                return state.focus
            }
            if let old { Self.remove(session.id, from: &index.focused, key: old) }
            if let channel { index.focused[channel, default: []].insert(session.id) }
        }
    }

    /// Replaces the session's presence subscriptions; returns the current status of each user.
    func setPresenceSubscriptions(_ session: EdgeSession, to users: Set<Snowflake>) -> [PresenceChange] {
        index.withLock { index in
            let old = session.state.withLock { state -> Set<Snowflake> in
                defer { state.presenceSubscriptions = users }
                return state.presenceSubscriptions
            }
            for user in old.subtracting(users) { Self.remove(session.id, from: &index.watchers, key: user) }
            for user in users.subtracting(old) { index.watchers[user, default: []].insert(session.id) }
            return users.sorted().map { PresenceChange(userID: $0, status: index.presence[$0] ?? .offline) }
        }
    }

    // MARK: Routing

    /// Routes what the feed delivered, in order. Logged events are already in LMDB.
    func route(_ frames: [FeedServerFrame]) {
        for frame in frames {
            do {
                switch frame.op {
                case "event": try route(event: frame)
                case "presence_state": replacePresence(try frame.payload(PresenceState.self).statuses)
                default: continue
                }
            } catch {
                // A frame this edge cannot read is skipped; the next snapshot or read repairs counts.
                continue
            }
        }
    }

    private func route(event frame: FeedServerFrame) throws {
        guard let type = frame.eventType else { return }
        let payload = try frame.payloadBytes()
        switch type {
        case .messageCreated:
            try messageCreated(try JSON.decode(Message.self, from: payload), payload: payload)
        case .messageUpdated, .messageDeleted, .reactionAdded, .reactionRemoved:
            // What is on screen changes for viewers; others see it when they open the channel.
            guard let channel = frame.channelID else { return }
            deliver(EventBody(type, payload: payload), to: index.withLock { $0.sessions(in: $0.focused[channel]) })
        case .channelCreated:
            let created = try JSON.decode(Channel.self, from: payload)
            let recipients = index.withLock { index -> [EdgeSession] in
                // A public channel is announced to everyone; a private one or a DM to its members.
                guard let channel = frame.channelID else { return Array(index.sessions.values) }
                join(Set(created.memberIDs ?? []).union([created.creatorID]), channel: channel, index: &index)
                return index.sessions(in: index.members[channel])
            }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .channelUpdated:
            let recipients = index.withLock { index in
                frame.channelID.map { index.sessions(in: index.members[$0]) } ?? Array(index.sessions.values)
            }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .memberJoined:
            let change = try JSON.decode(MembershipChange.self, from: payload)
            let recipients = index.withLock { index in
                join([change.userID], channel: change.channelID, index: &index)
                return index.sessions(in: index.members[change.channelID])
            }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .memberLeft:
            // The leaver hears of it, then gets nothing more from the channel.
            let change = try JSON.decode(MembershipChange.self, from: payload)
            let recipients = index.withLock { index in
                defer { leave(change.userID, channel: change.channelID, index: &index) }
                return index.sessions(in: index.members[change.channelID])
            }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .userUpdated:
            // Only sessions that hold the profile need the change; the rest load it when needed.
            let user = try JSON.decode(User.self, from: payload)
            let recipients = index.withLock { index in
                index.sessions.values.filter { $0.userID == user.id || $0.knowsProfile(user.id) }
            }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .readUpdated, .notificationCreated:
            guard let user = frame.userID else { return }
            deliver(EventBody(type, payload: payload), to: index.withLock { $0.sessions(in: $0.byUser[user]) })
        case .typingStarted:
            let typing = try JSON.decode(TypingStarted.self, from: payload)
            guard typing.expiresAtMs > WallClock.nowMs() else { return }
            let recipients = index.withLock { $0.sessions(in: $0.focused[typing.channelID]) }
                .filter { $0.userID != typing.userID }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .presenceChanged:
            let change = try JSON.decode(PresenceChange.self, from: payload)
            let recipients = index.withLock { index in
                index.presence[change.userID] = change.status == .offline ? nil : change.status
                return index.sessions(in: index.watchers[change.userID])
            }
            deliver(EventBody(type, payload: payload), to: recipients)
        case .userCreated, .unreadUpdated:
            // New users are loaded lazily; badges are made here, not by the origin.
            return
        }
    }

    private func messageCreated(_ message: Message, payload: Data) throws {
        let channel = message.channelID
        let inTimeline = message.threadID == nil || message.alsoToChannel
        let followers = try message.threadID.map { try store.followers(workspaceID, thread: $0) } ?? []
        let nowMs = WallClock.nowMs()

        var badgeNow: [EdgeSession] = []
        let viewers = index.withLock { index -> [EdgeSession] in
            let members = index.members[channel] ?? []
            var viewerIDs = index.focused[channel] ?? []
            for follower in followers {
                for id in index.byUser[follower] ?? [] where members.contains(id) { viewerIDs.insert(id) }
            }
            guard inTimeline else { return index.sessions(in: viewerIDs) }
            for id in members where !viewerIDs.contains(id) {
                guard let session = index.sessions[id] else { continue }
                if session.state.withLock({ $0.badges.changed(channel, nowMs: nowMs) }) {
                    badgeNow.append(session)
                } else {
                    index.pendingBadges.insert(id)
                }
            }
            return index.sessions(in: viewerIDs)
        }

        // Profiles first: a viewer can show the message the moment it arrives.
        let unknown = viewers.map { ($0, $0.takeUnknownProfiles([message.authorID] + message.mentions)) }
        let wanted = Set(unknown.flatMap(\.1))
        let profiles = wanted.isEmpty ? [:] : try store.encodedUsers(workspaceID, ids: wanted)
            .mapValues { EventBody(.userUpdated, payload: $0) }
        let body = EventBody(.messageCreated, payload: payload)
        let ref = EdgeSession.MessageRef(channelID: channel, id: message.id)
        for (session, users) in unknown {
            for user in users {
                guard let profile = profiles[user] else { continue }
                send(profile, to: session)
                metrics.prefetches.increment()
            }
            send(body, to: session, message: ref)
        }
        metrics.deliveries.increment(by: Int64(viewers.count))
        try sendBadges(channel: channel, to: badgeNow)
    }

    /// Sends the badges held past their interval.
    func flushBadges(nowMs: UInt64) {
        let due = index.withLock { index -> [Snowflake: [EdgeSession]] in
            var due: [Snowflake: [EdgeSession]] = [:]
            for id in index.pendingBadges {
                guard let session = index.sessions[id] else {
                    index.pendingBadges.remove(id)
                    continue
                }
                let (channels, more) = session.state.withLock { state in
                    (state.badges.due(nowMs: nowMs), !state.badges.pending.isEmpty)
                }
                for channel in channels { due[channel, default: []].append(session) }
                if !more { index.pendingBadges.remove(id) }
            }
            return due
        }
        for (channel, sessions) in due { try? sendBadges(channel: channel, to: sessions) }
    }

    /// `unread.updated` with each user's counts of this moment; sessions of one user share a body.
    private func sendBadges(channel: Snowflake, to sessions: [EdgeSession]) throws {
        guard !sessions.isEmpty else { return }
        let states = try store.badges(workspaceID, channel: channel, users: sessions.map(\.userID))
        var bodies: [Snowflake: EventBody] = [:]
        for session in sessions where session.isMember(of: channel) {
            guard let state = states[session.userID] else { continue }
            let body = bodies[session.userID] ?? EventBody(.unreadUpdated, encoding: state)
            bodies[session.userID] = body
            send(body, to: session)
            metrics.badges.increment()
        }
    }

    // MARK: Presence

    /// A (re)connected feed says who is online; watchers hear of every status that changed.
    private func replacePresence(_ statuses: [Snowflake: PresenceStatus]) {
        let changes = index.withLock { index -> [(PresenceChange, [EdgeSession])] in
            let old = index.presence
            index.presence = statuses
            return Set(old.keys).union(statuses.keys).compactMap { user in
                let status = statuses[user] ?? .offline
                guard status != (old[user] ?? .offline), let watchers = index.watchers[user] else { return nil }
                return (PresenceChange(userID: user, status: status), index.sessions(in: watchers))
            }
        }
        for (change, sessions) in changes { deliver(EventBody(.presenceChanged, encoding: change), to: sessions) }
    }

    // MARK: Helpers

    private func deliver(_ body: EventBody, to sessions: [EdgeSession]) {
        for session in sessions { send(body, to: session) }
        metrics.deliveries.increment(by: Int64(sessions.count))
    }

    private func send(_ body: EventBody, to session: EdgeSession, message: EdgeSession.MessageRef? = nil) {
        if session.send(body, message: message) == .overflow { metrics.slowConsumers.increment() }
    }

    private func join(_ users: Set<Snowflake>, channel: Snowflake, index: inout Index) {
        for session in index.sessions(ofUsers: users) {
            session.state.withLock { _ = $0.channels.insert(channel) }
            index.members[channel, default: []].insert(session.id)
        }
    }

    private func leave(_ user: Snowflake, channel: Snowflake, index: inout Index) {
        for session in index.sessions(ofUsers: [user]) {
            let wasFocused = session.state.withLock { state -> Bool in
                state.channels.remove(channel)
                state.badges.forget(channel)
                defer { if state.focus == channel { state.focus = nil } }
                return state.focus == channel
            }
            Self.remove(session.id, from: &index.members, key: channel)
            if wasFocused { Self.remove(session.id, from: &index.focused, key: channel) }
        }
    }

    private static func remove(_ id: String, from map: inout [Snowflake: Set<String>], key: Snowflake) {
        map[key]?.remove(id)
        if map[key]?.isEmpty == true { map[key] = nil }
    }
}
