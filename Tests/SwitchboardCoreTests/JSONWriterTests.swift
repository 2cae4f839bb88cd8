import Foundation
import SwitchboardCore
import Testing

/// `JSONWriter` and the hand-written `write(to:)`s mean what the compact `Codable` encoding means.
@Suite struct JSONWriterTests {
    func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func written(_ value: String) -> [UInt8] {
        var json = JSONWriter()
        json.string(value)
        return json.bytes
    }

    /// Every ASCII character (control characters, quote and backslash included) and multi-byte
    /// UTF-8, alone and inside text, reads back as written.
    @Test func stringsAreEscapedAsJSONRequires() throws {
        var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "é", "日本語", "😀 party", "\u{2028}\u{2029}", "a\"b\\c/d", "tab\there\nnew\r\u{0}\u{1F}end",
                    "\\\"", String(repeating: "\"", count: 40)]
        samples.append(samples.joined())
        for sample in samples {
            let bytes = written(sample)
            #expect(try JSONDecoder().decode(String.self, from: Data(bytes)) == sample, "\(sample.debugDescription)")
            #expect(!bytes.dropFirst().dropLast().contains { $0 < 0x20 })
        }
        #expect(written("a\"b\\c\n\u{1}") == Array(#""a\"b\\c\n\u0001""#.utf8))
    }

    @Test func numbersAndIdsAreDecimal() throws {
        for value in [0, 1, 9, 10, -1, -10, 1_234_567_890, Int.max, Int.min] {
            var json = JSONWriter()
            json.number(value)
            #expect(String(decoding: json.bytes, as: UTF8.self) == String(value))
        }
        for raw: UInt64 in [1, 10, 255_431_218_676_371_456, .max] {
            var json = JSONWriter()
            json.ids([Snowflake(raw), Snowflake(7)])
            #expect(try JSON.decode([Snowflake].self, from: Data(json.bytes)) == [Snowflake(raw), Snowflake(7)])
        }
    }

    @Test func aChannelSummaryIsWrittenAsItsCodableFormSays() throws {
        let bare = ChannelSummary(id: Snowflake(10), name: "general", kind: .public, unreadCount: 0, mentionCount: 0,
                                  lastMessageID: nil, memberCount: 3)
        let full = ChannelSummary(id: Snowflake(11), name: "qu\"oted \\ naïve 🎉", kind: .groupDM, unreadCount: 12, mentionCount: 2,
                                  lastMessageID: Snowflake(99), memberCount: 3, memberIDs: [Snowflake(1), Snowflake(2)],
                                  preferences: ChannelPreferences(level: .mentions, muted: true))
        for summary in [bare, full] {
            var json = JSONWriter()
            try summary.write(to: &json)
            #expect(try JSON.decode(ChannelSummary.self, from: Data(json.bytes)) == summary)
            #expect(try object(json.bytes) == (try object([UInt8](try JSON.encodeCompact(summary)))))
        }
    }

    @Test func aReactionIsWrittenAsItsCodableFormSays() throws {
        for reaction in [Reaction(emoji: "tada", count: 3, me: true), Reaction(emoji: "+1\"", count: 0, me: false, userIDs: [Snowflake(4)])] {
            var json = JSONWriter()
            reaction.write(to: &json)
            #expect(try JSON.decode(Reaction.self, from: Data(json.bytes)) == reaction)
            #expect(try object(json.bytes) == (try object([UInt8](try JSON.encodeCompact(reaction)))))
        }
        #expect(Reaction(emoji: "x", count: 2, me: false, userIDs: [Snowflake(4)]).presented(to: Snowflake(4)) == Reaction(emoji: "x", count: 2, me: true))
        #expect(Reaction(emoji: "x", count: 2, me: true).presented(to: Snowflake(4)).me)  // who reacted unknown: kept
    }

    @Test func aShortProfileIsWrittenAsItsCodableFormSays() throws {
        let user = UserShort(id: Snowflake(5), handle: "zoë", displayName: "Zoë \"Z\" O'Neil\t", image48: "https://a.example/5/48.png")
        var json = JSONWriter()
        user.write(to: &json)
        #expect(try JSON.decode(UserShort.self, from: Data(json.bytes)) == user)
        #expect(try object(json.bytes) == (try object([UInt8](try JSON.encodeCompact(user)))))
    }
}
