import Foundation
import Testing
@testable import SwitchboardCore

@Suite struct MentionsTests {
    @Test func findsUsersHereAndChannel() {
        let mentions = Mentions(parsing: "hi <@123> and <@456>, also <@123> @here")
        #expect(mentions.userIDs == [Snowflake(123), Snowflake(456)])
        #expect(mentions.here)
        #expect(!mentions.channel)
    }

    @Test func ignoresLookalikes() {
        let mentions = Mentions(parsing: "mail me@channel.org or <@abc> or <@12 or @heres or @channel2")
        #expect(mentions.userIDs.isEmpty)
        #expect(!mentions.here)
        #expect(!mentions.channel)
        #expect(Mentions(parsing: "@channel: deploy at 5").channel)
    }
}

@Suite struct ValidationTests {
    @Test func content() throws {
        #expect(try Validation.content("hello") == "hello")
        #expect(throws: SwitchboardError.self) { try Validation.content("   \n") }
        #expect(throws: SwitchboardError.self) { try Validation.content(String(repeating: "a", count: 4_001)) }
        // 4,000 emoji (each one character, several bytes) is within the limit.
        #expect(try Validation.content(String(repeating: "👍🏽", count: 4_000)).count == 4_000)
    }

    @Test func namesAndHandles() throws {
        #expect(try Validation.channelName("#Launch-Plans") == "launch-plans")
        #expect(throws: SwitchboardError.self) { try Validation.channelName("no spaces") }
        #expect(try Validation.handle("Alice.B") == "alice.b")
        #expect(throws: SwitchboardError.self) { try Validation.handle("_alice") }
        #expect(throws: SwitchboardError.self) { try Validation.text("a\u{0}b", field: "title") }
        #expect(throws: SwitchboardError.self) { try Validation.emoji("thumbs up") }
        #expect(try Validation.emoji("🎉") == "🎉")
    }

    @Test func errorBodyShape() throws {
        let body = ErrorBody(SwitchboardError(.rateLimited, "slow down", retryAfterMs: 1200))
        let json = try JSONSerialization.jsonObject(with: JSON.encode(body)) as! [String: [String: Any]]
        #expect(json["error"]?["code"] as? String == "rate_limited")
        #expect(json["error"]?["retry_after_ms"] as? Int == 1200)
        #expect(ErrorCode.notAMember.httpStatus == 403)
        #expect(ErrorCode.payloadTooLarge.httpStatus == 413)
    }

    @Test func modelKeysAreSnakeCase() throws {
        let user = User(id: Snowflake(1), workspaceID: Snowflake(2), handle: "a", displayName: "A",
                        avatar: Avatar(base: "https://x/1"), createdAtMs: 1, updatedAtMs: 2)
        let json = try JSONSerialization.jsonObject(with: JSON.encode(user)) as! [String: Any]
        for key in ["id", "handle", "display_name", "real_name", "title", "email", "tz", "status_text", "status_emoji",
                    "avatar", "is_bot", "deleted"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let avatar = json["avatar"] as! [String: String]
        #expect(avatar.keys.sorted() == ["image_192", "image_24", "image_48", "image_512", "image_72"])
        let short = try JSONSerialization.jsonObject(with: JSON.encode(user.short)) as! [String: Any]
        #expect(short.keys.sorted() == ["display_name", "handle", "id", "image_48"])
    }
}

@Suite struct ServerFrameTests {
    @Test func eventEnvelopesAreReadWithoutAFullDecode() throws {
        let fast = try ServerFrame(Data(GatewayFrame.event(s: 42, type: .messageCreated, payload: Array(#"{"id":"1"}"#.utf8))))
        #expect(fast.op == "event" && fast.s == 42 && fast.t == "message.created")
        // Any other layout (another server's key order) takes the full decoder and means the same.
        let reordered = try ServerFrame(Data(#"{"t":"typing.started","d":{},"s":7,"op":"event"}"#.utf8))
        #expect(reordered.op == "event" && reordered.s == 7 && reordered.t == "typing.started")
        let hello = try ServerFrame(Data(GatewayFrame.hello(heartbeatIntervalMs: 1_000, sessionID: "x")))
        #expect(hello.op == "hello" && hello.s == nil)
        #expect(throws: (any Error).self) { try ServerFrame(Data(#"{"op":"event","s":1,"t":"#.utf8)) }
    }

    @Test func otherFramesInTheServersLayoutAreReadByTheirOp() throws {
        #expect(ServerFrame.scanOp(Data(GatewayFrame.ready(bootstrap: Array(#"{"self":{}}"#.utf8)))) == "ready")
        #expect(ServerFrame.scanOp(Data(GatewayFrame.heartbeatAck())) == "heartbeat_ack")
        // Events, other layouts, escapes and cut frames go to the full decoder.
        #expect(ServerFrame.scanOp(Data(GatewayFrame.event(s: 1, type: .messageCreated, payload: Array("{}".utf8)))) == nil)
        #expect(ServerFrame.scanOp(Data(#"{"op":"event","d":{}}"#.utf8)) == nil)
        #expect(ServerFrame.scanOp(Data(#"{"d":{},"op":"ready"}"#.utf8)) == nil)
        #expect(ServerFrame.scanOp(Data(#"{"op":"re\u0061dy","d":{}}"#.utf8)) == nil)
        #expect(ServerFrame.scanOp(Data(#"{"op":"ready","d":{"#.utf8)) == nil)
        let ready = try ServerFrame(Data(GatewayFrame.ready(bootstrap: Array(#"{"self":{}}"#.utf8))))
        #expect(ready.op == "ready" && ready.s == nil && ready.t == nil)
        #expect(throws: (any Error).self) { try ServerFrame(Data(#"{"op":"ready","d":{"#.utf8)) }
    }
}

@Suite struct FeedMessageTests {
    /// The messages without a payload read back as what was written; an op this build does not
    /// know is an error (the socket logs and skips it), not a crash.
    @Test func headerOnlyMessagesReadBack() throws {
        guard case .heartbeat = try FeedMessage(decoding: FeedMessage.heartbeat()) else {
            Issue.record("heartbeat")
            return
        }
        guard case .position(let seq) = try FeedMessage(decoding: FeedMessage.position(seq: 42)), seq == 42 else {
            Issue.record("position")
            return
        }
        guard case .snapshotEnd(let end) = try FeedMessage(decoding: FeedMessage.snapshotEnd(seq: 7)), end == 7 else {
            Issue.record("snapshot_end")
            return
        }
        #expect(String(decoding: FeedMessage.heartbeat(), as: UTF8.self) == #"{"op":"heartbeat"}"#)
        #expect(throws: (any Error).self) { try FeedMessage(decoding: Array(#"{"op":"later"}"#.utf8)) }
    }
}

/// A command frame is read in one pass; one that cannot be read says why, as `bad_request`.
@Suite struct CommandFrameTests {
    func refusal(_ text: String) -> String? {
        do {
            _ = try GatewayCommand.decode(Array(text.utf8))
            return nil
        } catch {
            return error.code == .badRequest ? error.message : "not bad_request: \(error)"
        }
    }

    @Test func aFrameThatCannotBeReadSaysWhy() throws {
        let notAFrame = #"a frame is a JSON object {"op": ..., "d": {...}}"#
        for text in ["not json", #"{"op":5}"#, #"{"d":{}}"#, "[1]", "", "{\"op\":\"send\""] { #expect(refusal(text) == notAFrame) }
        #expect(refusal(#"{"op":"launch_rockets","d":{}}"#) == "unknown op 'launch_rockets'")
        #expect(refusal(#"{"op":"send","d":{"channel_id":5,"content":"x","nonce":"n"}}"#) == "send: field 'channel_id' has the wrong type")
        #expect(refusal(#"{"op":"typing","d":{}}"#) == "typing: missing field 'channel_id'")
        #expect(refusal(#"{"op":"typing"}"#) == "typing: missing field 'd'")
        #expect(refusal(#"{"op":"typing","d":null}"#) == "typing: field 'd' has the wrong type")
        #expect(refusal(#"{"op":"focus","d":{"channel_id":"abc"}}"#) == "focus: field 'channel_id' is invalid")
        // A heartbeat's payload may be left out, or be anything: its `s` is advisory.
        for text in [#"{"op":"heartbeat"}"#, #"{"op":"heartbeat","d":null}"#, #"{"op":"heartbeat","d":{"s":"x"}}"#] {
            #expect(try GatewayCommand.decode(Array(text.utf8)) == .heartbeat(.init(s: nil)))
        }
        #expect(try GatewayCommand.decode(Array(#"{"d":{"s":7},"op":"heartbeat"}"#.utf8)) == .heartbeat(.init(s: 7)))

        #expect(throws: SwitchboardError.badRequest("unknown feed op 'nope'")) { try FeedCommand.decode(Array(#"{"op":"nope"}"#.utf8)) }
        #expect(throws: SwitchboardError.badRequest("send: missing field 'ref'")) { try FeedCommand.decode(Array(#"{"op":"send","d":{}}"#.utf8)) }
        #expect(try FeedCommand.decode(Array(#"{"op":"heartbeat"}"#.utf8)) == .heartbeat)
    }
}
