import Testing
import SwitchboardCore
import SwitchboardRouting

@Suite struct BadgeCoalescerTests {
    @Test func badgesGoAtOnceThenAtMostOncePerInterval() {
        var badges = BadgeCoalescer(intervalMs: 250)
        let c = Snowflake(1), d = Snowflake(2)
        var sent: [Bool] = []
        sent.append(badges.changed(c, nowMs: 1_000))  // the first goes at once
        sent.append(badges.changed(c, nowMs: 1_010))  // held
        sent.append(badges.changed(c, nowMs: 1_100))  // still the one held
        sent.append(badges.changed(d, nowMs: 1_100))  // another channel is independent
        #expect(sent == [true, false, false, true])
        let early = badges.due(nowMs: 1_200), onTime = badges.due(nowMs: 1_250)
        #expect(early.isEmpty && onTime == [c])  // one badge for the two changes
        #expect(badges.pending.isEmpty)
        let afterFlush = badges.changed(c, nowMs: 1_300)  // the flush counts as a send
        #expect(!afterFlush)
        badges.forget(c)
        let forgotten = badges.due(nowMs: 2_000)
        #expect(badges.pending.isEmpty && forgotten.isEmpty)
        let later = badges.changed(c, nowMs: 2_000)
        #expect(later)
    }}
