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

    /// Messages with each field at its default and away from it, both forms: what the writer
    /// writes decodes to the message, and is the object the `Codable` form is.
    @Test func aMessageIsWrittenAsItsCodableFormSays() throws {
        let bare = Message(id: Snowflake(1), channelID: Snowflake(2), authorID: Snowflake(3), content: "", createdAtMs: 0)
        let full = Message(id: Snowflake(255_431_218_676_371_456), channelID: Snowflake(2), authorID: Snowflake(3),
                           content: "quo\"te \\ new\nline\t<@3> 🎉 naïve \u{1}", createdAtMs: 1_700_000_000_000, editedAtMs: 9,
                           threadID: Snowflake(7), alsoToChannel: true, replyCount: 4, latestReplyID: Snowflake(8),
                           reactions: [Reaction(emoji: "tada", count: 2, me: true),
                                       Reaction(emoji: "+1", count: 1, me: false, userIDs: [Snowflake(3)])],
                           mentions: [Snowflake(3), Snowflake(4)], mentionsHere: true, mentionsChannel: true,
                           attachments: [Attachment(id: Snowflake(5), name: "a \"b\".png", size: 10, contentType: "image/png",
                                                    url: "https://x.example/f/5?sig=a/b", width: 3, height: 4),
                                         Attachment(id: Snowflake(6), name: "c.txt", size: 0, contentType: "text/plain", url: "/f/6")],
                           linkPreviews: [LinkPreview(url: "https://l.example/"),
                                          LinkPreview(url: "https://m.example/", title: "T", description: "D\n",
                                                      imageURL: "https://m.example/i.png", siteName: "M")])
        var noPreviews = full
        noPreviews.linkPreviews = []
        for message in [bare, full, noPreviews] {
            for compact in [true, false] {
                let written = message.json(omittingDefaults: compact)
                #expect(try JSON.decode(Message.self, from: Data(written)) == message)
                let codable = compact ? try JSON.encodeCompact(message) : try JSON.encode(message)
                #expect(try object(written) == (try object([UInt8](codable))))
            }
        }
        #expect(bare.json(omittingDefaults: true) == Array(#"{"id":"1","channel_id":"2","author_id":"3","content":"","created_at_ms":0}"#.utf8))
    }

    @Test func sendsAreWrittenAsTheirCodableFormSays() throws {
        let bare = FeedCommand.Send(ref: "r", userID: Snowflake(1), channelID: Snowflake(2), content: "", nonce: "n")
        let full = FeedCommand.Send(ref: "r\"1", userID: Snowflake(1), channelID: Snowflake(2), content: "a\nb \\ \"c\" 🎉",
                                    nonce: "n\t", threadID: Snowflake(3), alsoToChannel: false)
        for send in [bare, full] {
            var json = JSONWriter()
            send.write(to: &json)
            #expect(try JSON.decode(FeedCommand.Send.self, from: Data(json.bytes)) == send)
            #expect(try object(json.bytes) == (try object([UInt8](try JSON.encode(send)))))
            #expect(try FeedCommand.decode(FeedCommand.send(send).encoded()) == .send(send))
        }
        let sends = [GatewayCommand.Send(channelID: Snowflake(2), content: "", nonce: "n"),
                     GatewayCommand.Send(channelID: Snowflake(2), content: "x\"\n🎉", nonce: "n\\", threadID: Snowflake(3), alsoToChannel: true)]
        for send in sends {
            var json = JSONWriter()
            send.write(to: &json)
            #expect(try object(json.bytes) == (try object([UInt8](try JSON.encode(send)))))
            #expect(try GatewayCommand.decode(GatewayCommand.send(send).encoded()) == .send(send))
        }
    }

    /// An `ack` around a message already in JSON is the frame `Ack` encodes; a feed's `ack`
    /// carries the message as the origin wrote it.
    @Test func acksCarryTheMessageAsWritten() throws {
        let message = Message(id: Snowflake(11), channelID: Snowflake(2), authorID: Snowflake(3), content: "hi \"there\"",
                              createdAtMs: 5, mentions: [Snowflake(3)])
        struct Frame: Decodable { var op: String; var d: GatewayFrame.Ack }
        let frame = try JSON.decode(Frame.self, from: Data(GatewayFrame.ack(nonce: "n\"1", message: message)))
        #expect(frame.op == "ack" && frame.d.nonce == "n\"1" && frame.d.message == message)
        #expect(try object(GatewayFrame.ack(nonce: "n", message: message)) ==
                (try object([UInt8](try JSON.encode(AckFrame(d: .init(nonce: "n", message: message)))))))

        guard case .ack(let ref, let encoded) = try FeedMessage(decoding: FeedMessage.ack(ref: "r\"1", message: message)) else {
            Issue.record("not an ack")
            return
        }
        #expect(try ref == "r\"1" && encoded == EncodedMessage(message) && encoded.decoded() == message)
        #expect(GatewayFrame.ack(nonce: "n", message: encoded) == GatewayFrame.ack(nonce: "n", message: message))
        #expect(throws: (any Error).self) { try FeedMessage(decoding: Array(#"{"op":"ack","ref":"r"}"#.utf8) + [0x0A] + Array("nope".utf8)) }
        #expect(throws: (any Error).self) { try EncodedMessage(json: []) }
    }

    @Test func helloIsTheFrameHelloEncodes() throws {
        struct HelloFrame: Encodable {
            var op = "hello"
            var d: GatewayFrame.Hello
        }
        struct Read: Decodable { var op: String; var d: GatewayFrame.Hello }
        let written = GatewayFrame.hello(heartbeatIntervalMs: 41_250, sessionID: "3f2a\"x")
        let read = try JSON.decode(Read.self, from: Data(written))
        #expect(read.op == "hello" && read.d.heartbeatIntervalMs == 41_250 && read.d.sessionID == "3f2a\"x")
        #expect(try object(written) == (try object([UInt8](try JSON.encode(HelloFrame(d: read.d))))))
    }

    /// What `GatewayFrame.Ack` encodes, spelled out (its memberwise init is the module's own).
    struct AckFrame: Encodable {
        struct Body: Encodable {
            var nonce: String
            var message: Message
        }
        var op = "ack"
        var d: Body
    }
}
