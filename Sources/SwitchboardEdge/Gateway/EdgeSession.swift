import SwitchboardLocking
import SwitchboardAuth
import SwitchboardCore
import SwitchboardRouting
import SwitchboardServer

/// One client session of the edge's gateway. It outlives its WebSocket by the resume window:
/// detached, the fan-out keeps numbering and recording its events so that a `resume` replays
/// exactly what it missed. What it looks at (channels, focus, subscriptions, known profiles)
/// is the router's, in the workspace's ``WorkspaceFanout``.
final class EdgeSession: SessionOutboxOwner {
    /// The protocol's session id (`hello`, `resume`).
    let id: String
    /// How its workspace's router names it.
    let key = SessionKey.next()
    let caller: Caller
    let outbox: SessionOutbox

    struct State {
        var typing: TypingThrottle<Snowflake>
        /// Events routed while the working set is read wait here, so that none is lost and
        /// none repeats what `ready` holds; nil once `ready` has gone out.
        var held: [(body: EventBody, message: MessageRef?)]? = []
        /// The newest message of the focused channel that `ready` carried.
        var horizon: MessageRef?
        /// More than `heldLimit` events came while the working set was read.
        var heldOverflowed = false
    }

    /// A message by channel and id (ids grow with time within a channel).
    struct MessageRef: Sendable {
        var channelID: Snowflake
        var id: Snowflake
    }

    /// Most events held while one working set is read; more and the session starts over.
    static let heldLimit = 10_000

    let state: Locked<State>

    init(id: String, caller: Caller, limits: GatewayLimits) {
        self.id = id
        self.caller = caller
        outbox = SessionOutbox(limits: limits)
        state = Locked(State(typing: TypingThrottle(intervalMs: limits.typingIntervalMs)))
    }

    var userID: Snowflake { caller.userID }

    /// Numbers and queues an event; a client too slow to take it is disconnected (it can resume).
    /// `message` names a `message.created`, which is skipped if `ready` already carried it.
    @discardableResult
    func send(_ body: EventBody, message: MessageRef? = nil) -> SessionOutbox.SendResult {
        let result = state.withLock { state -> SessionOutbox.SendResult in
            if state.held != nil {
                state.held!.append((body, message))
                if state.held!.count > Self.heldLimit {
                    state.held = []
                    state.heldOverflowed = true
                }
                return .detached
            }
            if let message, let horizon = state.horizon, message.channelID == horizon.channelID, message.id <= horizon.id {
                return .sent
            }
            return outbox.sendEvent(body)
        }
        if result == .overflow { outbox.closeConnection(.slowConsumer) }
        return result
    }

    /// `ready` is on its way: the events held meanwhile follow it, except the messages it carried.
    /// False if too many came meanwhile (the client must identify again).
    func bootstrapped(horizon: MessageRef?) -> Bool {
        state.withLock { state in
            guard !state.heldOverflowed else { return false }
            let held = state.held ?? []
            state.held = nil
            state.horizon = horizon
            for (body, message) in held {
                if let message, let horizon, message.channelID == horizon.channelID, message.id <= horizon.id { continue }
                outbox.sendEvent(body)
            }
            return true
        }
    }

    func sendControl(_ frame: [UInt8]) { outbox.sendControl(frame) }

    /// Typing is accepted at most once per channel per interval.
    func allowTyping(in channel: Snowflake, nowMs: UInt64) -> Bool {
        state.withLock { $0.typing.allow(channel, nowMs: nowMs) }
    }

    /// A message was sent in `channel`: typing there is news again.
    func sentMessage(in channel: Snowflake) {
        state.withLock { $0.typing.reset(channel) }
    }
}
