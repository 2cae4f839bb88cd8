import Foundation
import SwitchboardLocking
import SwitchboardCore
import SwitchboardRouting

/// Delivers one workspace's events to this edge's sessions. Who gets what is the
/// ``WorkspaceRouter``'s decision (sessions in ``DeliveryMode/workingSet``); this type adds
/// what needs LMDB — thread followers, the profiles to send before a message, badge counts —
/// and the sockets. Each event's body is encoded once and shared by all its recipients.
///
/// Events are routed after the batch that holds them is in LMDB, one batch at a time, in
/// feed order. `register` reads a session's channels under the same lock as routing updates
/// the router, so a membership change is never lost between the two.
final class WorkspaceFanout: Sendable {
    let workspaceID: Snowflake
    private let store: EdgeStore
    private let metrics: EdgeMetrics
    private let badgeIntervalMs: UInt64

    private struct State {
        var router = WorkspaceRouter()
        var sessions: [SessionKey: EdgeSession] = [:]

        func sessions(_ ids: some Sequence<SessionKey>) -> [EdgeSession] { ids.compactMap { sessions[$0] } }
    }

    private let state = Locked(State())

    init(workspaceID: Snowflake, store: EdgeStore, metrics: EdgeMetrics, badgeIntervalMs: UInt64) {
        self.workspaceID = workspaceID
        self.store = store
        self.metrics = metrics
        self.badgeIntervalMs = badgeIntervalMs
    }

    var isEmpty: Bool { state.withLock { $0.sessions.isEmpty } }
    var sessionCount: Int { state.withLock { $0.sessions.count } }
    var allSessions: [EdgeSession] { state.withLock { Array($0.sessions.values) } }

    // MARK: Sessions

    /// Indexes a new session by its channels (read from LMDB now) and focus: `requested` if
    /// the user is a member, else the default the working set also picks. Returns the focus.
    func register(_ session: EdgeSession, focus requested: Snowflake?) throws -> Snowflake? {
        let workspaceID = workspaceID, store = store, badgeIntervalMs = badgeIntervalMs
        return try state.withLock { state throws -> Snowflake? in
            let (channels, fallback) = try store.memberships(workspaceID, user: session.userID)
            let focus = requested.flatMap { channels.contains($0) ? $0 : nil } ?? fallback
            state.router.insert(RoutedSession(id: session.key, userID: session.userID, mode: .workingSet, channels: channels,
                                              focus: focus, tokenIssuedAtMs: session.caller.issuedAtMs, tokenSessionID: session.caller.sessionID,
                                              badgeIntervalMs: badgeIntervalMs))
            state.sessions[session.key] = session
            return focus
        }
    }

    func unregister(_ session: EdgeSession) {
        state.withLock { state in
            guard state.sessions[session.key] === session else { return }
            state.sessions[session.key] = nil
            state.router.remove(session.key)
        }
    }

    /// The channel on the session's screen (a member's channel, or nil for none).
    func setFocus(_ session: EdgeSession, to channel: Snowflake?) throws(SwitchboardError) {
        try state.withLock { state throws(SwitchboardError) in try state.router.setFocus(session.key, to: channel) }
    }

    /// Replaces the session's presence subscriptions; returns the current status of each user.
    func setPresenceSubscriptions(_ session: EdgeSession, to users: Set<Snowflake>) -> [PresenceChange] {
        state.withLock { $0.router.setPresenceSubscriptions(session.key, to: users) }
    }

    /// The working set sent these profiles: messages need not be preceded by them.
    func markProfilesKnown(_ session: EdgeSession, _ users: some Sequence<Snowflake>) {
        state.withLock { $0.router.markProfilesKnown(session.key, users) }
    }

    func isMember(_ session: EdgeSession, of channel: Snowflake) -> Bool {
        state.withLock { $0.router.isMember(session.key, of: channel) }
    }

    // MARK: Routing

    /// Routes what the feed delivered, in order. Logged events are already in LMDB.
    func route(_ messages: [FeedMessage]) {
        for message in messages {
            switch message {
            case .event(let event):
                guard let content = event.content else { continue }
                do {
                    try route(event, content)
                } catch {
                    // LMDB could not be read for this event: the next snapshot or read repairs counts.
                    continue
                }
            case .presenceState(let state):
                replacePresence(state.statuses)
            case .snapshot, .snapshotEnd, .position, .ack, .error, .heartbeat:
                continue
            }
        }
    }

    private func route(_ event: FeedEvent, _ content: EventContent) throws {
        let followers = try threadFollowers(of: content)
        let nowMs = WallClock.nowMs()
        let (routing, recipients, badged, revoked) = state.withLock { state in
            let routing = state.router.route(content, threadFollowers: followers, nowMs: nowMs)
            let revoked = state.sessions(routing.revoked)
            for session in revoked {
                state.router.remove(session.key)
                state.sessions[session.key] = nil
            }
            return (routing, state.sessions(routing.recipients), state.sessions(routing.badges), revoked)
        }
        // The user was deactivated or their tokens revoked: their sessions end at once.
        for session in revoked { session.outbox.closeConnection(.sessionRevoked) }
        let body = EventBody(event.type, payload: event.payload)
        if case .messageCreated(let message) = content {
            try deliverMessage(body, message: message, to: recipients, profiles: routing.profilesFirst)
        } else {
            for session in recipients { send(body, to: session) }
        }
        metrics.deliveries.increment(by: Int64(recipients.count))
        if let channel = routing.badgeChannel { try sendBadges(channel: channel, to: badged) }
    }

    /// The users following the thread a reply (or a change to one) belongs to.
    private func threadFollowers(of content: EventContent) throws -> Set<Snowflake> {
        let thread: Snowflake? = switch content {
        case .messageCreated(let message): message.threadID
        case .messageUpdated(let update): update.threadID
        case .messageDeleted(let deletion): deletion.threadID
        default: nil
        }
        return try thread.map { Set(try store.followers(workspaceID, thread: $0)) } ?? []
    }

    /// Profiles first, so a viewer can show the message the moment it arrives.
    private func deliverMessage(_ body: EventBody, message: Message, to recipients: [EdgeSession],
                                profiles wanted: [SessionKey: [Snowflake]]) throws {
        let profiles = wanted.isEmpty ? [:] : try store.encodedUsers(workspaceID, ids: Set(wanted.values.joined()))
            .mapValues { EventBody(.userUpdated, payload: $0) }
        let ref = EdgeSession.MessageRef(channelID: message.channelID, id: message.id)
        for session in recipients {
            for user in wanted[session.key] ?? [] {
                guard let profile = profiles[user] else { continue }
                send(profile, to: session)
                metrics.prefetches.increment()
            }
            send(body, to: session, message: ref)
        }
    }

    /// Sends the badges held past their interval.
    func flushBadges(nowMs: UInt64) {
        let due = state.withLock { state in state.router.dueBadges(nowMs: nowMs).mapValues { state.sessions($0) } }
        for (channel, sessions) in due {
            do {
                try sendBadges(channel: channel, to: sessions)
            } catch {
                // LMDB could not be read: the next change of the channel sends fresh counts.
                continue
            }
        }
    }

    /// `unread.updated` with each user's counts of this moment; sessions of one user share a body.
    private func sendBadges(channel: Snowflake, to sessions: [EdgeSession]) throws {
        guard !sessions.isEmpty else { return }
        let states = try store.badges(workspaceID, channel: channel, users: sessions.map(\.userID))
        var bodies: [Snowflake: EventBody] = [:]
        for session in sessions {
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
        let changes = state.withLock { state in
            state.router.replacePresence(statuses).map { ($0.0, state.sessions($0.1)) }
        }
        for (change, sessions) in changes {
            let body = EventBody(.presenceChanged, encoding: change)
            for session in sessions { send(body, to: session) }
            metrics.deliveries.increment(by: Int64(sessions.count))
        }
    }

    private func send(_ body: EventBody, to session: EdgeSession, message: EdgeSession.MessageRef? = nil) {
        if session.send(body, message: message) == .overflow { metrics.slowConsumers.increment() }
    }
}
