import Foundation
import SwitchboardClient
import SwitchboardAuth
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing

/// Every kind of bad input gets the right status and code, writes nothing, and the server
/// goes on serving.
@Suite struct BadInputTests {
    func expectRaw(_ client: SwitchboardClient, _ method: HTTPMethodName, _ path: String, body: Data?,
                   status: Int, code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await client.raw(.init(rawValue: method.rawValue), path, body: body)
        #expect(response.status == status, "\(String(decoding: response.body, as: UTF8.self))", sourceLocation: sourceLocation)
        let decoded = try JSON.decode(ErrorBody.self, from: response.body)
        #expect(decoded.error.code == code.rawValue, sourceLocation: sourceLocation)
        #expect(!decoded.error.message.isEmpty, sourceLocation: sourceLocation)
    }

    enum HTTPMethodName: String { case GET, POST, PATCH, PUT, DELETE }

    @Test func malformedBodiesAndWrongTypes() async throws {
        try await withWorkspace { origin, ws in
            let alice = ws.client("alice")
            let general = try await alice.general()
            let path = "/api/channels/\(general.id)/messages"
            try await expectRaw(alice, .POST, path, body: Data("{\"content\": ".utf8), status: 400, code: .badRequest)
            try await expectRaw(alice, .POST, path, body: Data("[]".utf8), status: 400, code: .badRequest)
            try await expectRaw(alice, .POST, path, body: Data(#"{"content": 42}"#.utf8), status: 400, code: .badRequest)
            try await expectRaw(alice, .POST, path, body: Data(#"{"content": "x", "thread_id": 12}"#.utf8), status: 400, code: .badRequest)
            try await expectRaw(alice, .POST, path, body: Data(#"{"nonce": "x"}"#.utf8), status: 400, code: .badRequest)
            try await expectRaw(alice, .POST, path, body: Data([0x7B, 0x22, 0x63, 0x6F, 0x6E, 0x74, 0x65, 0x6E, 0x74, 0x22, 0x3A,
                                                                0x22, 0xFF, 0xFE, 0x22, 0x7D]), status: 400, code: .badRequest)
            let long = try JSON.encode(PostMessageRequest(content: String(repeating: "é", count: 4_001)))
            try await expectRaw(alice, .POST, path, body: long, status: 400, code: .badRequest)
            let huge = Data(("{\"content\":\"" + String(repeating: "a", count: 1_100_000) + "\"}").utf8)
            try await expectRaw(alice, .POST, path, body: huge, status: 413, code: .payloadTooLarge)
            // Unknown fields are ignored; a message at exactly the limit is fine.
            let ok = try await alice.raw(.POST, path, body: Data(#"{"content": "fine", "colour": [1, 2]}"#.utf8))
            #expect(ok.status == 201)
            _ = try await alice.post(String(repeating: "é", count: 4_000), to: general.id)
            #expect(try await alice.messages(in: general.id).messages.count == 2)
            #expect(try await origin.anonymous.health().status == "ok")
        }
    }

    @Test func invalidUnknownAndForeignIds() async throws {
        try await TestOrigin.with { origin in
            let acme = try await TestWorkspace.make(on: origin, name: "Acme", handles: ["alice"])
            let globex = try await TestWorkspace.make(on: origin, name: "Globex", handles: ["hank"])
            let alice = acme.client("alice"), hank = globex.client("hank")
            let acmeGeneral = try await alice.general()
            _ = try await alice.post("acme only", to: acmeGeneral.id)

            try await expectRaw(alice, .GET, "/api/channels/not-a-number/messages", body: nil, status: 400, code: .badRequest)
            try await expectRaw(alice, .GET, "/api/channels/\(acmeGeneral.id)/messages?before=abc", body: nil, status: 400, code: .badRequest)
            try await expectRaw(alice, .GET, "/api/channels/\(acmeGeneral.id)/messages?limit=0", body: nil, status: 400, code: .badRequest)
            try await expectRaw(alice, .GET, "/api/users?ids=1,x", body: nil, status: 400, code: .badRequest)
            await expectAPIError(404, .notFound) { _ = try await alice.channel(Snowflake(123_456)) }
            await expectAPIError(404, .notFound) { _ = try await alice.messages(in: Snowflake(123_456)) }
            // Another workspace's channel and user do not exist for you.
            await expectAPIError(404, .notFound) { _ = try await hank.channel(acmeGeneral.id) }
            await expectAPIError(404, .notFound) { _ = try await hank.messages(in: acmeGeneral.id) }
            await expectAPIError(404, .notFound) { _ = try await hank.post("intrusion", to: acmeGeneral.id) }
            await expectAPIError(404, .notFound) { _ = try await hank.user(acme.user("alice").id) }
            #expect(try await hank.users(ids: [acme.user("alice").id]).isEmpty)
            await expectAPIError(404, .notFound) { try await hank.addMember(acme.user("alice").id, to: try await hank.general().id) }
            #expect(try await hank.search("acme").isEmpty)
            await expectAPIError(404, .notFound) { _ = try await origin.admin.issueToken(workspaceID: globex.workspace.id, userID: acme.user("alice").id) }
            try await expectRaw(alice, .GET, "/api/no/such/thing", body: nil, status: 404, code: .notFound)
            #expect(try await alice.messages(in: acmeGeneral.id).messages.map(\.content) == ["acme only"])
        }
    }

    @Test func authentication() async throws {
        try await withWorkspace { origin, ws in
            let anonymous = origin.anonymous
            await expectAPIError(401, .unauthorized) { _ = try await anonymous.me() }
            await expectAPIError(401, .unauthorized) { _ = try await anonymous.withToken("garbage").me() }
            let realToken = try #require(ws.client("alice").token)
            await expectAPIError(401, .unauthorized) { _ = try await anonymous.withToken(realToken + "x").me() }
            let forged = try await TokenAuthority(secret: TestOrigin.randomSecret(), tokenLifetimeSeconds: 3600)
                .issue(for: Caller(userID: ws.user("alice").id, workspaceID: ws.workspace.id))
            await expectAPIError(401, .unauthorized) { _ = try await anonymous.withToken(forged).me() }
            let expired = try await TokenAuthority(secret: origin.origin.configuration.tokenSecret, tokenLifetimeSeconds: -60)
                .issue(for: Caller(userID: ws.user("alice").id, workspaceID: ws.workspace.id))
            await expectAPIError(401, .unauthorized) { _ = try await anonymous.withToken(expired).me() }

            // Admin calls need the admin key, and only it.
            await expectAPIError(401, .unauthorized) { _ = try await anonymous.createWorkspace(name: "Nope") }
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("alice").createWorkspace(name: "Nope") }
            var wrongKey = origin.admin
            wrongKey.adminKey = "wrong"
            await expectAPIError(401, .unauthorized) { _ = try await wrongKey.createWorkspace(name: "Nope") }
            await expectAPIError(409, .conflict) {
                _ = try await origin.admin.createUser(workspaceID: ws.workspace.id, CreateUserRequest(handle: "ALICE", displayName: "Dup"))
            }
            await expectAPIError(404, .notFound) {
                _ = try await origin.admin.createUser(workspaceID: Snowflake(77), CreateUserRequest(handle: "x", displayName: "X"))
            }
            let token = try await origin.admin.issueToken(workspaceID: ws.workspace.id, userID: ws.user("bob").id)
            #expect(try await anonymous.withToken(token).me().handle == "bob")
        }
    }

    @Test func failedWritesLeaveNothingBehind() async throws {
        try await withWorkspace { origin, ws in
            let alice = ws.client("alice")
            let general = try await alice.general()
            await expectAPIError(404, .notFound) {
                _ = try await alice.post("orphan reply", to: general.id, nonce: "orphan", threadID: Snowflake(5))
            }
            // The failed send recorded neither a message nor its nonce: the retry is a new message.
            #expect(try await alice.messages(in: general.id).messages.isEmpty)
            #expect(try await alice.search("orphan").isEmpty)
            #expect(try await alice.post("orphan fixed", to: general.id, nonce: "orphan").created)
            #expect(try await origin.origin.store.channel(general.id, viewer: ws.user("bob").id)?.unreadCount == 1)
        }
    }
}
