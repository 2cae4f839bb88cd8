import Testing
import SwitchboardCore
@testable import SwitchboardEdge

@Suite struct FanoutUnitTests {
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
    }

    @Test func presenceIsReportedInFullThenAsDifferences() {
        let counts = PresenceCounts()
        let alice = Snowflake(10), bob = Snowflake(11)
        counts.changed(user: alice, delta: 1)
        counts.changed(user: alice, delta: 1)
        #expect(counts.beginReport().counts == [alice: 2])
        #expect(counts.takeDeltas().isEmpty)  // the full report covered it
        counts.changed(user: bob, delta: 1)
        counts.changed(user: alice, delta: -1)
        counts.changed(user: bob, delta: -1)  // came and went: nothing to say
        #expect(counts.takeDeltas() == [FeedCommand.Presence(userID: alice, delta: -1)])
        counts.changed(user: alice, delta: -1)
        counts.changed(user: alice, delta: -1)  // never below zero
        #expect(counts.takeDeltas() == [FeedCommand.Presence(userID: alice, delta: -1)])
        #expect(counts.beginReport().counts.isEmpty)
    }
}
