import Testing
@testable import SwitchboardEdge

@Suite struct UpstreamStateMachineTests {
    @Test func backsOffExponentiallyWithJitterAndResetsWhenLive() {
        var machine = UpstreamStateMachine(random: { 1 - .ulpOfOne })
        #expect(machine.start(cursor: 7) == .connect(after: 7))
        #expect(machine.start(cursor: 7) == .none)  // already started
        var delays: [UInt64] = []
        for _ in 0..<8 {
            guard case .wait(let ms) = machine.disconnected() else { Issue.record("no backoff"); return }
            delays.append(ms)
            #expect(machine.backoffElapsed() == .connect(after: 7))
        }
        #expect(delays == [499, 999, 1_999, 3_999, 7_999, 15_999, 29_999, 29_999])
        machine.opened(snapshot: true)
        #expect(machine.state == .snapshotting)
        machine.snapshotEnded(seq: 20)
        #expect(machine.state == .live)
        #expect(machine.disconnected() == .wait(ms: 499))  // attempts start over after going live
    }

    @Test func jitterStaysBetweenHalfAndAllOfTheDelay() {
        #expect(UpstreamStateMachine.delay(attempt: 3, random: 0) == 1_000)
        #expect(UpstreamStateMachine.delay(attempt: 3, random: 0.5) == 1_500)
        #expect(UpstreamStateMachine.delay(attempt: 40, random: 0) == 15_000)
    }

    @Test func stoppedMachinesDoNothing() {
        var machine = UpstreamStateMachine(random: { 0 })
        _ = machine.start(cursor: nil)
        machine.stop()
        #expect(machine.disconnected() == .none)
        #expect(machine.backoffElapsed() == .none)
    }

    @Test func sessionsStartOnceTheCopyHasCaughtUpWithTheAnnouncedPosition() {
        var machine = UpstreamStateMachine(random: { 0 })
        _ = machine.start(cursor: 100)  // a copy from before a restart
        #expect(machine.servesSessions && !machine.hasBeenCurrent)  // serves as it is while offline
        machine.opened(snapshot: false)
        machine.announced(position: 150)
        #expect(machine.hasBeenCurrent && !machine.isCaughtUp && !machine.servesSessions)
        machine.appliedEvents(upTo: 149)
        #expect(!machine.servesSessions)
        machine.appliedEvents(upTo: 150)
        #expect(machine.isCaughtUp && machine.servesSessions)
        // Dropped: the copy serves as it is; the next connection resumes after what LMDB holds.
        #expect(machine.disconnected() == .wait(ms: 250))
        #expect(machine.servesSessions && machine.backoffElapsed() == .connect(after: 150))
        // A snapshot empties the copy until it ends.
        machine.opened(snapshot: true)
        #expect(machine.isSnapshotting && !machine.servesSessions)
        machine.snapshotEnded(seq: 300)
        machine.announced(position: 300)
        #expect(machine.servesSessions && machine.applied == 300)
    }
}
