import Foundation
@testable import SwitchboardSockets
import SwitchboardLocking
import Testing

/// The hand-off between a socket's reader and its consumer: timed waits end with an element or
/// with `.timedOut`, and a wait that ended early leaves nothing behind — the soak found the
/// edge's feed loop (which waits up to a day per frame) holding a timer per frame for a day.
@Suite struct FrameMailboxTests {
    @Test func aTimedWaitEndsWithTheElementOrTimesOut() async {
        let mailbox = FrameMailbox<Int>(capacity: 4)
        let started = ContinuousClock.now
        guard case .timedOut = await mailbox.take(timeout: .milliseconds(50)) else {
            Issue.record("an empty mailbox times out")
            return
        }
        #expect(ContinuousClock.now - started >= .milliseconds(50))

        async let taken = mailbox.take(timeout: .seconds(30))
        try? await Task.sleep(for: .milliseconds(20))
        await mailbox.put(7)
        guard case .element(7) = await taken else {
            Issue.record("a waiting consumer gets the element put")
            return
        }
        // A later, shorter wait still times out on its own deadline, not the earlier one's.
        guard case .timedOut = await mailbox.take(timeout: .milliseconds(30)) else {
            Issue.record("a second wait times out")
            return
        }
        await mailbox.put(8)
        mailbox.finish()
        guard case .element(8) = await mailbox.take(timeout: .seconds(1)) else {
            Issue.record("what was put before finish is still taken")
            return
        }
        guard case .finished = await mailbox.take(timeout: .seconds(1)) else {
            Issue.record("then the mailbox is finished")
            return
        }
    }

    @Test func waitsThatEndEarlyHoldNothingUntilTheirTimeout() async {
        weak var released: FrameMailbox<Int>?
        do {
            let mailbox = FrameMailbox<Int>(capacity: 4)
            released = mailbox
            for value in 0..<1_000 {
                async let taken = mailbox.take(timeout: .seconds(24 * 3600))
                await mailbox.put(value)
                guard case .element(value) = await taken else {
                    Issue.record("element \(value) reaches the waiting consumer")
                    return
                }
            }
        }
        // A thousand day-long waits, each answered at once: nothing still holds the mailbox.
        #expect(released == nil)
    }

    @Test func aHandlerTakesWhatWaitedInOrderThenEachElementAsItIsPut() async {
        let mailbox = FrameMailbox<Int>(capacity: 2)
        await mailbox.put(1)
        await mailbox.put(2)
        // The mailbox is full: this producer waits until the hand-off makes room.
        async let blocked: Void = mailbox.put(3)
        try? await Task.sleep(for: .milliseconds(20))
        let seen = Locked<[Int]>([])
        mailbox.handOff { value in seen.withLock { $0.append(value) } }
        await blocked
        for value in 4...100 { await mailbox.put(value) }
        #expect(seen.withLock { $0 } == Array(1...100))
        mailbox.finish()
        guard case .finished = await mailbox.take(timeout: .seconds(1)) else {
            Issue.record("a handed-off mailbox still reports its end")
            return
        }
    }
}
