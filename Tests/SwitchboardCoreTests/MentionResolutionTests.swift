import SwitchboardCore
import Testing

@Suite struct MentionResolutionTests {
    @Test func everyoneNotifiesTheChannelAsWholeWords() {
        #expect(Mentions(parsing: "@everyone standup in 5").channel)
        #expect(Mentions(parsing: "(@everyone)").isBroadcast)
        #expect(!Mentions(parsing: "mail me@everyone.org").channel)
        #expect(!Mentions(parsing: "@everyones").channel)
        #expect(Mentions(parsing: "@here").isBroadcast && !Mentions(parsing: "@here").channel)
    }

    @Test func handleWordsAreWholeWordsLowercasedOnceEach() {
        #expect(Mentions.handleWords(in: "@Alice and @bob.smith, ask @alice.") == ["alice", "bob.smith"])
        #expect(Mentions.handleWords(in: "mail alice@example.com or @here / @channel / @everyone").isEmpty)
        #expect(Mentions.handleWords(in: "@ @. @_x @-y").isEmpty)
        #expect(Mentions.handleWords(in: "<@123> is already resolved").isEmpty)
        #expect(Mentions.handleWords(in: (0..<40).map { "@u\($0)" }.joined(separator: " ")).count == 20)
    }

    @Test func resolvingRewritesKnownHandlesOnly() {
        let alice = Snowflake(42), bob = Snowflake(7)
        let text = "hi @Alice, @bob. and @carol; alice@example.com stays, @alice again"
        let resolved = Mentions.resolvingHandles(in: text, ["alice": alice, "bob": bob])
        #expect(resolved == "hi <@42>, <@7>. and @carol; alice@example.com stays, <@42> again")
        #expect(Mentions(parsing: resolved).userIDs == [alice, bob])
        #expect(Mentions.resolvingHandles(in: "naïve 😀 @bob!", ["bob": bob]) == "naïve 😀 <@7>!")
    }

    /// Found by fuzzing (scripts/fuzz.sh mentions): `<@065>` counted as a mention of user 65,
    /// while clients, which match `<@ID>` against ids as written, showed no mention at all.
    @Test func onlyAnIdsOwnSpellingIsAMention() {
        #expect(Mentions(parsing: "<@065> <@0065>").userIDs.isEmpty)
        #expect(Mentions(parsing: "<@65> <@0>").userIDs == [Snowflake(65), Snowflake(0)])
    }
}
