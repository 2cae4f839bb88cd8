import Synchronization
import SwitchboardCore

/// Indexes of one workspace's gateway sessions for the ephemeral events, which bypass the
/// log: focused sessions per channel (typing) and presence watchers per user.
final class WorkspaceSessions: Sendable {
    private struct Index {
        var sessions: [String: GatewaySession] = [:]
        var focused: [Snowflake: Set<String>] = [:]
        var watchers: [Snowflake: Set<String>] = [:]
    }

    private let index = Mutex(Index())

    var isEmpty: Bool { index.withLock { $0.sessions.isEmpty } }

    func add(_ session: GatewaySession) {
        let focus = session.focus
        index.withLock { index in
            index.sessions[session.id] = session
            if let focus { index.focused[focus, default: []].insert(session.id) }
        }
    }

    func remove(_ session: GatewaySession) {
        let (focus, watched) = session.state.withLock { ($0.focus, $0.presenceSubscriptions) }
        index.withLock { index in
            index.sessions[session.id] = nil
            if let focus { Self.remove(session.id, from: &index.focused, key: focus) }
            for user in watched { Self.remove(session.id, from: &index.watchers, key: user) }
        }
    }

    func setFocus(_ session: GatewaySession, to channel: Snowflake?) {
        let old = session.state.withLock { state -> Snowflake? in
            defer { state.focus = channel }
            return state.focus
        }
        index.withLock { index in
            if let old { Self.remove(session.id, from: &index.focused, key: old) }
            if let channel { index.focused[channel, default: []].insert(session.id) }
        }
    }

    func setPresenceSubscriptions(_ session: GatewaySession, to users: Set<Snowflake>) {
        let old = session.state.withLock { state -> Set<Snowflake> in
            defer { state.presenceSubscriptions = users }
            return state.presenceSubscriptions
        }
        index.withLock { index in
            for user in old.subtracting(users) { Self.remove(session.id, from: &index.watchers, key: user) }
            for user in users.subtracting(old) { index.watchers[user, default: []].insert(session.id) }
        }
    }

    /// `typing.started` goes to member sessions focused on the channel, not the typist's own.
    func deliverTyping(_ typing: TypingStarted, payload: [UInt8]) {
        let recipients = index.withLock { index in
            (index.focused[typing.channelID] ?? []).compactMap { index.sessions[$0] }
        }
        for session in recipients where session.caller.userID != typing.userID && session.isMember(of: typing.channelID) {
            send(.typingStarted, payload, to: session)
        }
    }

    /// `presence.changed` goes only to sessions that subscribed to that user.
    func deliverPresence(_ change: PresenceChange, payload: [UInt8]) {
        let recipients = index.withLock { index in (index.watchers[change.userID] ?? []).compactMap { index.sessions[$0] } }
        for session in recipients { send(.presenceChanged, payload, to: session) }
    }

    private func send(_ type: EventType, _ payload: [UInt8], to session: GatewaySession) {
        if session.sendEvent(type, payload: payload) == .overflow { session.onOverflow(session) }
    }

    private static func remove(_ id: String, from map: inout [Snowflake: Set<String>], key: Snowflake) {
        map[key]?.remove(id)
        if map[key]?.isEmpty == true { map[key] = nil }
    }
}
