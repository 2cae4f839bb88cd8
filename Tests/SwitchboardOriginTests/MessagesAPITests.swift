import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite struct MessagesAPITests {
    @Test func paging250MessagesBothWaysGivesEachOnceInOrder() async throws {
        try await withWorkspace { _, ws in
            let alice = ws.client("alice")
            let general = try await alice.general()
            var posted: [Snowflake] = []
            for i in 0..<250 { posted.append(try await alice.post("message \(i)", to: general.id).message.id) }

            // Backwards from the newest with `before`.
            var seen: [Snowflake] = []
            var page = try await alice.messages(in: general.id, limit: 40)
            seen = page.messages.map(\.id)
            while page.hasMore == true {
                page = try await alice.messages(in: general.id, before: seen.first!, limit: 40)
                #expect(page.messages.map(\.id) == page.messages.map(\.id).sorted())
                seen = page.messages.map(\.id) + seen
            }
            #expect(seen == posted)

            // Forwards from the oldest with `after`.
            var forward: [Snowflake] = []
            page = try await alice.messages(in: general.id, after: Snowflake(0), limit: 33)
            forward = page.messages.map(\.id)
            while page.hasMore == true {
                page = try await alice.messages(in: general.id, after: forward.last!, limit: 33)
                forward += page.messages.map(\.id)
            }
            #expect(forward == posted)
            #expect(try await alice.messages(in: general.id, limit: 500).messages.count == 100)
        }
    }

    @Test func editAndDelete() async throws {
        try await withWorkspace { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let channel = try await bob.createChannel(name: "ops")
            _ = try await alice.join(channel.id)
            let message = try await alice.post("first draft", to: channel.id).message

            let edited = try await alice.edit(message.id, in: channel.id, content: "final <@\(ws.user("bob").id)>")
            #expect(edited.content == "final <@\(ws.user("bob").id)>")
            #expect(edited.editedAtMs != nil)
            #expect(edited.mentions == [ws.user("bob").id])
            await expectAPIError(403, .forbidden) { _ = try await bob.edit(message.id, in: channel.id, content: "hijack") }
            await expectAPIError(400, .badRequest) { _ = try await alice.edit(message.id, in: channel.id, content: " ") }

            // Neither author nor creator: refused. The channel's creator (bob) may delete.
            let carolMessage = try await alice.post("to be removed", to: channel.id).message
            _ = try await ws.client("carol").join(channel.id)
            await expectAPIError(403, .forbidden) { try await ws.client("carol").delete(carolMessage.id, in: channel.id) }
            try await bob.delete(carolMessage.id, in: channel.id)
            try await alice.delete(message.id, in: channel.id)
            #expect(try await alice.messages(in: channel.id).messages.isEmpty)
            #expect(try await alice.search("draft").isEmpty)
            #expect(try await alice.channel(channel.id).lastMessageID == nil)
            await expectAPIError(404, .notFound) { try await alice.delete(message.id, in: channel.id) }
        }
    }

    @Test func threadsCountReplies() async throws {
        try await withWorkspace { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let general = try await alice.general()
            let parent = try await alice.post("Launch thread", to: general.id).message
            let r1 = try await bob.post("reply one", to: general.id, threadID: parent.id).message
            let r2 = try await alice.post("reply two, also to channel", to: general.id, threadID: parent.id, alsoToChannel: true).message
            _ = try await bob.post("reply three", to: general.id, threadID: parent.id)

            let timeline = try await alice.messages(in: general.id).messages
            #expect(timeline.map(\.id) == [parent.id, r2.id])
            #expect(timeline[0].replyCount == 3)
            let replies = try await alice.replies(to: parent.id, in: general.id, limit: 2)
            #expect(replies.messages.map(\.id) == [r1.id, r2.id])
            #expect(replies.hasMore == true)
            let rest = try await alice.replies(to: parent.id, in: general.id, after: r2.id)
            #expect(rest.messages.count == 1 && rest.hasMore == false)

            try await bob.delete(r1.id, in: general.id)
            #expect(try await alice.messages(in: general.id).messages[0].replyCount == 2)
            // Replies to a reply are refused; a thread in another channel is not found.
            await expectAPIError(400, .badRequest) { _ = try await bob.post("nested", to: general.id, threadID: r2.id) }
            let other = try await alice.createChannel(name: "elsewhere")
            await expectAPIError(404, .notFound) { _ = try await alice.post("x", to: other.id, threadID: parent.id) }
        }
    }

    @Test func reactionsCountAndMe() async throws {
        try await withWorkspace { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob"), carol = ws.client("carol")
            let general = try await alice.general()
            let message = try await alice.post("ship it?", to: general.id).message
            try await bob.react("rocket", to: message.id, in: general.id)
            try await bob.react("rocket", to: message.id, in: general.id)  // idempotent
            try await carol.react("rocket", to: message.id, in: general.id)
            try await carol.react("🎉", to: message.id, in: general.id)

            let seenByBob = try await bob.messages(in: general.id).messages[0].reactions
            #expect(seenByBob == [Reaction(emoji: "rocket", count: 2, me: true), Reaction(emoji: "🎉", count: 1, me: false)])
            let seenByAlice = try await alice.messages(in: general.id).messages[0].reactions
            #expect(seenByAlice.allSatisfy { !$0.me })

            try await bob.react("rocket", to: message.id, in: general.id, present: false)
            try await bob.react("rocket", to: message.id, in: general.id, present: false)
            #expect(try await bob.messages(in: general.id).messages[0].reactions[0] == Reaction(emoji: "rocket", count: 1, me: false))
            await expectAPIError(400, .badRequest) { try await bob.react("no spaces", to: message.id, in: general.id) }
            await expectAPIError(404, .notFound) { try await bob.react("x", to: Snowflake(42), in: general.id) }
        }
    }

    @Test func readMarkersMoveUnreadAndMentionCounts() async throws {
        try await withWorkspace { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let general = try await alice.general()
            let bobID = ws.user("bob").id
            let m1 = try await alice.post("hello", to: general.id).message
            let m2 = try await alice.post("<@\(bobID)> can you look?", to: general.id).message
            _ = try await alice.post("@channel standup in 5", to: general.id)
            let m4 = try await alice.post("thanks", to: general.id).message
            _ = try await alice.post("thread reply, not counted", to: general.id, threadID: m1.id)

            var seen = try await bob.general()
            #expect(seen.unreadCount == 4)
            #expect(seen.mentionCount == 2)
            #expect(try await alice.general().unreadCount == 0)  // your own messages are read

            try await bob.markRead(general.id, messageID: m2.id)
            seen = try await bob.general()
            #expect(seen.unreadCount == 2)
            #expect(seen.mentionCount == 1)
            #expect(seen.lastReadID == m2.id)
            try await bob.markRead(general.id, messageID: m4.id)
            seen = try await bob.general()
            #expect(seen.unreadCount == 0 && seen.mentionCount == 0)
            await expectAPIError(404, .notFound) { try await bob.markRead(general.id, messageID: Snowflake(99)) }
        }
    }

    @Test func nonceReplayReturnsTheFirstMessage() async throws {
        try await withWorkspace(rateLimit: 5) { _, ws in
            let alice = ws.client("alice")
            let general = try await alice.general()
            let first = try await alice.post("only once", to: general.id, nonce: "n-1")
            #expect(first.created)
            let again = try await alice.post("only once (retried)", to: general.id, nonce: "n-1")
            #expect(!again.created)
            #expect(again.message.id == first.message.id)
            #expect(again.message.content == "only once")
            // Another user's identical nonce is theirs alone.
            #expect(try await ws.client("bob").post("mine", to: general.id, nonce: "n-1").created)
            // Replays are answered even at the rate limit: they store nothing.
            for i in 0..<4 { _ = try await alice.post("fill \(i)", to: general.id) }
            #expect(try await alice.post("again", to: general.id, nonce: "n-1").message.id == first.message.id)
            #expect(try await alice.messages(in: general.id).messages.filter { $0.authorID == ws.user("alice").id }.count == 5)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withWorkspace(rateLimit: 5) { origin, ws in
            let alice = ws.client("alice")
            let general = try await alice.general()
            for i in 0..<5 { _ = try await alice.post("burst \(i)", to: general.id) }
            do {
                _ = try await alice.post("one too many", to: general.id)
                Issue.record("the sixth message in the window was accepted")
            } catch let error as APIError {
                #expect(error.status == 429)
                #expect(error.code == .rateLimited)
                #expect((error.error.retryAfterMs ?? 0) > 0 && (error.error.retryAfterMs ?? 0) <= 600_000)
            }
            // Per channel: another channel is not limited; another user is not limited.
            let other = try await alice.createChannel(name: "other")
            _ = try await alice.post("fine here", to: other.id)
            _ = try await ws.client("bob").post("fine for bob", to: general.id)
            #expect(try await alice.messages(in: general.id).messages.count == 6)
            #expect(try await origin.anonymous.metricsText().contains("switchboard_rate_limited_total 1"))
        }
    }

    @Test func searchIsScopedByMembership() async throws {
        try await withWorkspace { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let secret = try await alice.createChannel(name: "secret-plans", kind: .private)
            _ = try await alice.post("the zebra launch is on friday", to: secret.id)
            let general = try await alice.general()
            _ = try await alice.post("public zebra crossing", to: general.id)
            let dm = try await alice.openDM(with: [ws.user("carol").id])
            _ = try await alice.post("zebra gossip", to: dm.id)

            #expect(try await alice.search("zebra").count == 3)
            let bobSees = try await bob.search("zeb")
            #expect(bobSees.map(\.content) == ["public zebra crossing"])
            #expect(try await ws.client("carol").search("zebra").count == 2)
            await expectAPIError(403, .notAMember) { _ = try await bob.search("zebra", channelID: secret.id) }
            #expect(try await alice.search("zebra", from: ws.user("bob").id).isEmpty)
            // FTS syntax in the input is taken as text, never as a query.
            #expect(try await alice.search("\"zebra*").count == 3)
            _ = try await alice.search("NEAR( OR \"unbalanced")
        }
    }
}
