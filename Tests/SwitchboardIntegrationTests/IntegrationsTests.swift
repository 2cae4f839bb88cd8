import Foundation
import SwitchboardAuth
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Outgoing webhooks and slash commands against a real HTTP server the test runs.
@Suite struct IntegrationsTests {
    @Test func anOutgoingWebhookGetsSignedMessagesAndItsAnswerIsPosted() async throws {
        try await TestIntegrationServer.with(["/hook": (200, #"{"text":"build #42 started"}"#)]) { server in
            let secret = TestOrigin.randomSecret()
            try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"], roles: ["alice": .admin])
                try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                    let general = try await ws.client("alice").general()
                    let request = CreateIntegrationRequest(kind: .outgoing, name: "CI", url: server.baseURL + "/hook",
                                                           channelID: general.id, triggerWords: ["!build"])
                    await expectAPIError(403, .forbidden) { _ = try await ws.client("bob").createIntegration(request) }
                    let hook = try await ws.client("alice").via(edge).createIntegration(request)
                    let key = try #require(hook.secret)
                    #expect(try await ws.client("alice").integrations().allSatisfy { $0.secret == nil })

                    let watcher = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("alice").token!, focus: general.id)
                    _ = try await ws.client("bob").via(edge).post("no trigger here", to: general.id)
                    let trigger = try await ws.client("bob").post("!build main", to: general.id).message
                    // The answer comes back as the hook's bot; the bot's own message triggers nothing.
                    var answer: Message?
                    while answer == nil {
                        let message = try await watcher.socket.expectEvent(.messageCreated, timeout: .seconds(15)).payload(Message.self)
                        if message.authorID == hook.botUserID { answer = message }
                    }
                    #expect(answer?.content == "build #42 started")
                    #expect(server.calls.count == 1)
                    let call = try #require(server.calls.first)
                    let payload = try JSON.decode(IntegrationCall.self, from: Data(call.body))
                    #expect(payload.message?.id == trigger.id && payload.userID == ws.user("bob").id && payload.kind == .outgoing)
                    let timestamp = try #require(call.timestamp.flatMap(UInt64.init))
                    #expect(call.signature == IntegrationSignature.sign(body: call.body, timestamp: timestamp, secret: key))
                    #expect(call.signature != IntegrationSignature.sign(body: call.body, timestamp: timestamp, secret: "wrong"))

                    // Deleted: no more calls.
                    try await ws.client("alice").deleteIntegration(hook.id)
                    _ = try await ws.client("bob").post("!build again", to: general.id)
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(server.calls.count == 1)
                    await expectAPIError(404, .notFound) { try await ws.client("alice").deleteIntegration(hook.id) }
                    await watcher.socket.close()
                }
            }
        }
    }

    @Test func slashCommandsAnswerInTheChannelOrToTheCallerOnly() async throws {
        try await TestIntegrationServer.with([
            "/deploy": (200, #"{"response_type":"in_channel","text":"deploying prod"}"#),
            "/whoami": (200, #"{"text":"only you can see this"}"#),
            "/broken": (500, #"{"error":"boom"}"#),
        ]) { server in
            try await TestOrigin.with(configure: { $0.messageRateLimit = 0 }) { origin in
                let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"], roles: ["alice": .owner])
                let alice = ws.client("alice"), bob = ws.client("bob")
                let general = try await alice.general()
                for name in ["/deploy", "/whoami", "/broken"] {
                    _ = try await alice.createIntegration(CreateIntegrationRequest(kind: .command, name: name, url: server.baseURL + name))
                }
                await expectAPIError(409, .conflict) {
                    _ = try await alice.createIntegration(CreateIntegrationRequest(kind: .command, name: "/deploy", url: server.baseURL + "/x"))
                }
                await expectAPIError(400, .badRequest) {
                    _ = try await alice.createIntegration(CreateIntegrationRequest(kind: .command, name: "deploy", url: server.baseURL))
                }
                await expectAPIError(400, .badRequest) {
                    _ = try await alice.createIntegration(CreateIntegrationRequest(kind: .command, name: "/x", url: "ftp://example.com"))
                }

                let deployed = try await bob.run("/deploy", "prod", in: general.id)
                #expect(deployed.responseType == "in_channel" && deployed.message?.content == "deploying prod")
                #expect(try await alice.messages(in: general.id).messages.last?.content == "deploying prod")
                let call = try JSON.decode(IntegrationCall.self, from: Data(server.calls.first { $0.path == "/deploy" }!.body))
                #expect(call.command == "/deploy" && call.text == "prod" && call.userID == ws.user("bob").id)

                let private_ = try await bob.run("/WhoAmI", in: general.id)
                #expect(private_ == SlashCommandResult(responseType: "ephemeral", text: "only you can see this"))
                #expect(try await alice.messages(in: general.id).messages.last?.content == "deploying prod")  // nothing stored

                await expectAPIError(503, .unavailable) { _ = try await bob.run("/broken", in: general.id) }
                await expectAPIError(404, .notFound) { _ = try await bob.run("/nothing", in: general.id) }
                let closed = try await alice.createChannel(name: "closed", kind: .private)
                await expectAPIError(403, .notAMember) { _ = try await bob.run("/deploy", in: closed.id) }
            }
        }
    }
}
