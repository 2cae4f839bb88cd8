import Testing
import SwitchboardCore
@testable import SwitchboardEdge

@Suite struct FanoutUnitTests {
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
