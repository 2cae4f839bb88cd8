import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Incoming webhooks through a real origin: admin creates, anyone with the URL posts as the bot.
@Suite struct HookTests {
    @Test func aWebhookPostArrivesAsAMessageFromItsBot() async throws {
        try await withWorkspace(rateLimit: 5) { origin, ws in
            let general = try await ws.client("alice").general()
            let hook = try await origin.admin.createHook(workspaceID: ws.workspace.id, channelID: general.id, name: "CI alerts")
            #expect(hook.channelID == general.id && hook.token.count == 64 && hook.botToken != nil)

            let session = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("alice").token!, focus: general.id)
            let posted = try await origin.anonymous.postToHook(token: hook.token, content: "deploy <@\(ws.user("bob").id)> finished")
            let heard = try await session.socket.expectEvent(.messageCreated)
            let message = try heard.payload(Message.self)
            #expect(message.id == posted.id && message.authorID == hook.botUserID && message.mentions == [ws.user("bob").id])

            // The bot is a user like any other, marked as a bot, with its own token for REST and the gateway.
            let bot = SwitchboardClient(baseURL: origin.baseURL, token: hook.botToken, timeout: .testRequest)
            let me = try await bot.me()
            #expect(me.isBot && me.handle == "ci-alerts-bot" && me.displayName == "CI alerts")
            #expect(try await bot.channels().map(\.id).contains(general.id))
            let botSession = try await GatewaySocket.identify(origin.gatewayURL, token: hook.botToken!)
            await botSession.socket.close()

            // Same validation and rate limit as users: 5 per window, then 429.
            await expectAPIError(400, .badRequest) { try await origin.anonymous.postToHook(token: hook.token, content: "") }
            for i in 0..<4 { try await origin.anonymous.postToHook(token: hook.token, content: "burst \(i)") }
            await expectAPIError(429, .rateLimited) { try await origin.anonymous.postToHook(token: hook.token, content: "one too many") }
        }
    }

    @Test func hooksNeedTheAdminKeyAndAValidTokenAndChannel() async throws {
        try await withWorkspace { origin, ws in
            let general = try await ws.client("alice").general()
            await expectAPIError(401, .unauthorized) {
                _ = try await ws.client("alice").createHook(workspaceID: ws.workspace.id, channelID: general.id, name: "x")
            }
            await expectAPIError(404, .notFound) {
                _ = try await origin.admin.createHook(workspaceID: ws.workspace.id, channelID: Snowflake(42), name: "x")
            }
            let other = try await origin.admin.createWorkspace(name: "Other")
            await expectAPIError(404, .notFound) {   // a channel of another workspace
                _ = try await origin.admin.createHook(workspaceID: other.id, channelID: general.id, name: "x")
            }
            await expectAPIError(404, .notFound) { try await origin.anonymous.postToHook(token: "not-a-hook", content: "hi") }
            // Two hooks with the same name get distinct bots.
            let first = try await origin.admin.createHook(workspaceID: ws.workspace.id, channelID: general.id, name: "Deploys")
            let second = try await origin.admin.createHook(workspaceID: ws.workspace.id, channelID: general.id, name: "Deploys")
            #expect(first.botUserID != second.botUserID && first.token != second.token)
            #expect(try await ws.client("alice").user(second.botUserID).handle == "deploys-bot-2")
        }
    }
}
