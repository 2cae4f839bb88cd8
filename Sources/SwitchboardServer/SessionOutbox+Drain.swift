import SwitchboardCore

extension SessionOutbox {
    /// Tells the client to go elsewhere: `reconnect {reason: "draining"}`, written before the
    /// connection closes with 4004. The session stays resumable.
    public func sendReconnect() {
        sendControl(GatewayFrame.reconnect(reason: "draining"))
        closeConnection(.draining)
    }

    /// Tells every attached session to reconnect, spread evenly over `window` (so they do not
    /// all land on the next server at once), then waits up to 2 s for them to go. It takes the
    /// whole window even with few sessions: meanwhile `/readyz` answers 503, so load balancers
    /// stop sending new clients before the listener closes.
    public static func drain(_ outboxes: [SessionOutbox], over window: Duration = .zero) async {
        let windowEnds = ContinuousClock.now + window
        let attached = outboxes.filter(\.isAttached).shuffled()
        let step = attached.isEmpty ? Duration.zero : window / attached.count
        for (index, outbox) in attached.enumerated() {
            if index > 0, step > .zero { try? await Task.sleep(for: step) }
            if outbox.isAttached { outbox.sendReconnect() }
        }
        let deadline = ContinuousClock.now + .seconds(2)
        while attached.contains(where: \.isAttached), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if ContinuousClock.now < windowEnds { try? await Task.sleep(until: windowEnds, clock: .continuous) }
    }
}
