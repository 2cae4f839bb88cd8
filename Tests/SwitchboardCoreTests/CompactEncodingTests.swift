import Foundation
import SwitchboardCore
import Testing

/// Event payloads and working sets leave out fields at their default values; every reader
/// takes a missing field as its default.
@Suite struct CompactEncodingTests {
    let plain = Message(id: Snowflake(1), channelID: Snowflake(2), authorID: Snowflake(3), content: "hi", createdAtMs: 4)

    func keys(_ data: Data) throws -> Set<String> {
        Set(try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys)
    }

    @Test func aPlainMessageCarriesOnlyWhatIsSet() throws {
        let compact = try JSON.encodeCompact(plain)
        #expect(try keys(compact) == ["id", "channel_id", "author_id", "content", "created_at_ms"])
        #expect(try JSON.decode(Message.self, from: compact) == plain)
        // The REST form keeps every field.
        #expect(try keys(try JSON.encode(plain)).isSuperset(of: ["reply_count", "reactions", "mentions", "attachments",
                                                                 "also_to_channel", "mentions_here", "mentions_channel"]))
    }

    @Test func setFieldsAreAlwaysWritten() throws {
        var message = plain
        (message.replyCount, message.mentions, message.mentionsHere, message.alsoToChannel) = (2, [Snowflake(9)], true, true)
        message.reactions = [Reaction(emoji: "tada", count: 1, me: false)]
        let compact = try JSON.encodeCompact(message)
        #expect(try keys(compact).isSuperset(of: ["reply_count", "mentions", "mentions_here", "also_to_channel", "reactions"]))
        #expect(try !keys(compact).contains("attachments") && !keys(compact).contains("mentions_channel"))
        #expect(try JSON.decode(Message.self, from: compact) == message)
    }
}
