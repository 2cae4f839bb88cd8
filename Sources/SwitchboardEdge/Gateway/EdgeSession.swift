import Synchronization
import SwitchboardAuth
import SwitchboardCore
import SwitchboardHTTP

/// One client session of the edge's gateway. It outlives its WebSocket by the resume window:
/// detached, the fan-out keeps numbering and recording its events so that a `resume` replays
/// exactly what it missed. Its routing state (channels, focus, subscriptions) is kept by the
/// workspace's ``WorkspaceFanout``, which owns the indexes that point at it.
final class EdgeSession: Sendable {
    let id: String
    let caller: Caller
    let outbox: SessionOutbox

    struct State {
        var channels: Set<Snowflake> = []
        var focus: Snowflake?
        var presenceSubscriptions: Set<Snowflake> = []
        /// Users whose profile this session has (working set, earlier events, prefetches).
        var knownProfiles: Set<Snowflake> = []
        var lastTypingMs: [Snowflake: UInt64] = [:]
        var badges: BadgeCoalescer
    }

    let state: Mutex<State>

    init(id: String, caller: Caller, limits: GatewayLimits, badgeIntervalMs: UInt64) {
        self.id = id
        self.caller = caller
        outbox = SessionOutbox(limits: limits)
        state = Mutex(State(badges: BadgeCoalescer(intervalMs: badgeIntervalMs)))
    }

    var userID: Snowflake { caller.userID }
    var focus: Snowflake? { state.withLock { $0.focus } }
    func isMember(of channel: Snowflake) -> Bool { state.withLock { $0.channels.contains(channel) } }

    /// Numbers and queues an event; a client too slow to take it is disconnected (it can resume).
    @discardableResult
    func send(_ body: EventBody) -> SessionOutbox.SendResult {
        let result = outbox.sendEvent(body)
        if result == .overflow { outbox.closeConnection(.slowConsumer) }
        return result
    }

    func sendControl(_ frame: [UInt8]) { outbox.sendControl(frame) }

    /// Of `users`, those whose profile this session has not had yet; they count as sent from now.
    func takeUnknownProfiles(_ users: [Snowflake]) -> [Snowflake] {
        state.withLock { state in users.filter { state.knownProfiles.insert($0).inserted } }
    }

    func knowsProfile(_ user: Snowflake) -> Bool { state.withLock { $0.knownProfiles.contains(user) } }

    /// Typing is accepted at most once per channel per interval.
    func allowTyping(in channel: Snowflake, nowMs: UInt64, intervalMs: UInt64) -> Bool {
        state.withLock { state in
            if let last = state.lastTypingMs[channel], last + intervalMs > nowMs { return false }
            if state.lastTypingMs.count > 256 { state.lastTypingMs = state.lastTypingMs.filter { $0.value + intervalMs > nowMs } }
            state.lastTypingMs[channel] = nowMs
            return true
        }
    }
}
