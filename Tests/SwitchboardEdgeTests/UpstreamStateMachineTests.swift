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
            #expect(machine.backoffElapsed(cursor: 9) == .connect(after: 9))
        }
        #expect(delays == [499, 999, 1_999, 3_999, 7_999, 15_999, 29_999, 29_999])
        machine.opened(snapshot: true)
        #expect(machine.state == .snapshotting)
        machine.snapshotEnded()
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
        #expect(machine.backoffElapsed(cursor: 1) == .none)
    }
}
