import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardOrigin
import SwitchboardTesting
import Testing
import SwitchboardLocking

/// Passwords, sign-in, sign-out and invites, through a real origin and an edge in front of it.
@Suite struct SignInTests {
    static let password = "correct horse battery staple"

    /// A workspace "Acme" whose users have passwords: olive (owner), adam (admin), mia and bob (members).
    func withAccounts(configure: @escaping (inout OriginConfiguration) -> Void = { _ in },
                      _ body: (TestOrigin, Workspace, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: configure) { origin in
            let workspace = try await origin.admin.createWorkspace(name: "Acme")
            for (handle, role) in [("olive", Role.owner), ("adam", .admin), ("mia", .member), ("bob", .member)] {
                _ = try await origin.admin.createUser(workspaceID: workspace.id, CreateUserRequest(
                    handle: handle, displayName: handle.capitalized, email: "\(handle)@acme.test", role: role,
                    password: Self.password))
            }
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                try await body(origin, workspace, edge)
            }
        }
    }

    @Test func signInByEmailOrHandleAndWorkspaceIdOrNameGivesATokenTheEdgeAccepts() async throws {
        try await withAccounts { origin, workspace, edge in
            for client: SwitchboardClient in [origin.anonymous, edge.anonymous] {
                let byEmail = try await client.login(workspace: "Acme", email: "MIA@acme.test", password: Self.password)
                #expect(byEmail.user.handle == "mia")
                let byHandle = try await client.login(workspace: workspace.id.description, handle: "@mia", password: Self.password)
                #expect(byHandle.user.id == byEmail.user.id && byHandle.token != byEmail.token)
                // The token works at both tiers, REST and gateway.
                #expect(try await origin.anonymous.withToken(byEmail.token).me().handle == "mia")
                #expect(try await edge.anonymous.withToken(byEmail.token).workingSet().me.handle == "mia")
                let session = try await GatewaySocket.identify(edge.gatewayURL, token: byHandle.token)
                await session.socket.close()
            }
        }
    }

    @Test func everyWrongCredentialGetsTheSameAnswerAndNoPasswordIsStoredOrReturned() async throws {
        try await withAccounts { origin, workspace, edge in
            // A user without a password, and a deactivated one.
            _ = try await origin.admin.createUser(workspaceID: workspace.id, CreateUserRequest(
                handle: "nopass", displayName: "No Pass", email: "nopass@acme.test"))
            let bob = try #require(try await origin.admin.login(workspace: "Acme", handle: "bob", password: Self.password).user)
            _ = try await origin.admin.administerUser(workspaceID: workspace.id, userID: bob.id, AdminUserPatchRequest(active: false))
            let attempts: [(String, String?, String?, String)] = [
                ("Acme", "mia@acme.test", nil, "wrong password"),
                ("Acme", "nobody@acme.test", nil, Self.password),
                ("Nowhere", "mia@acme.test", nil, Self.password),
                ("Acme", nil, "nopass", Self.password),
                ("Acme", nil, "nopass", ""),
                ("Acme", nil, "bob", Self.password),
                ("Acme", nil, nil, Self.password),
            ]
            var messages = Set<String>()
            for (ws, email, handle, password) in attempts {
                do {
                    _ = try await edge.anonymous.login(workspace: ws, email: email, handle: handle, password: password)
                    Issue.record("signed in with \(ws) \(email ?? handle ?? "-")")
                } catch let error as APIError {
                    #expect(error.status == 401 && error.code == .unauthorized)
                    messages.insert(error.error.message)
                }
            }
            #expect(messages.count == 1)

            // Only a hash is kept: the password appears in no profile and nowhere in the database.
            let me = try await origin.anonymous.withToken(
                try await origin.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password).token).me()
            #expect(!String(decoding: try JSON.encoder().encode(me), as: UTF8.self).contains(Self.password))
            if origin.origin.configuration.databaseURL == nil {
                // The file and its write-ahead log, where recent writes still are.
                let path = origin.origin.configuration.sqlitePath
                let database = try [path, path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
                    .reduce(into: Data()) { $0 += try Data(contentsOf: URL(fileURLWithPath: $1)) }
                #expect(database.range(of: Data(Self.password.utf8)) == nil)
                #expect(database.range(of: Data("scrypt$".utf8)) != nil)
            }
            // Weak new passwords are refused.
            await expectAPIError(400, .badRequest) {
                _ = try await origin.admin.createUser(workspaceID: workspace.id, CreateUserRequest(
                    handle: "weak", displayName: "Weak", password: "short"))
            }
        }
    }

    @Test func importedUsersMaySignInWithTheirPasswords() async throws {
        try await withAccounts { origin, workspace, edge in
            let now = WallClock.nowMs()
            let ids = SnowflakeGenerator(worker: 900)
            let imported = User(id: ids.next(), workspaceID: workspace.id, handle: "ivy", displayName: "Ivy",
                                email: "ivy@acme.test", avatar: Avatar(base: "https://a.test/ivy"), createdAtMs: now, updatedAtMs: now)
            let other = User(id: ids.next(), workspaceID: workspace.id, handle: "ike", displayName: "Ike",
                             avatar: Avatar(base: "https://a.test/ike"), createdAtMs: now, updatedAtMs: now)
            // A password for a user outside the batch, or a weak one, imports nothing.
            await expectAPIError(400, .badRequest) {
                _ = try await origin.admin.importBatch(workspaceID: workspace.id, ImportBatch(users: [other], passwords: [
                    ImportPassword(userID: imported.id, password: "ivy's passphrase")]))
            }
            await expectAPIError(400, .badRequest) {
                _ = try await origin.admin.importBatch(workspaceID: workspace.id, ImportBatch(users: [other], passwords: [
                    ImportPassword(userID: other.id, password: "short")]))
            }
            #expect(try await origin.origin.store.user(other.id) == nil)
            _ = try await origin.admin.importBatch(workspaceID: workspace.id, ImportBatch(users: [imported, other], passwords: [
                ImportPassword(userID: imported.id, password: "ivy's passphrase")]))
            #expect(try await origin.anonymous.login(workspace: "Acme", email: "ivy@acme.test",
                                                     password: "ivy's passphrase").user.id == imported.id)
            await expectAPIError(401, .unauthorized) {
                _ = try await origin.anonymous.login(workspace: "Acme", handle: "ike", password: "ivy's passphrase")
            }
            _ = edge
        }
    }

    @Test func failedSignInsAreLimitedPerAccountAndPerAddress() async throws {
        try await withAccounts(configure: { $0.signIn.failuresPerAccount = 3; $0.signIn.attemptsPerAddress = 12 }) { origin, _, edge in
            for _ in 0..<3 {
                await expectAPIError(401, .unauthorized) {
                    _ = try await edge.anonymous.login(workspace: "Acme", handle: "mia", password: "guess guess")
                }
            }
            // Locked for a while, even with the right password; other accounts are not.
            await expectAPIError(429, .rateLimited) {
                _ = try await edge.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password)
            }
            _ = try await edge.anonymous.login(workspace: "Acme", handle: "bob", password: Self.password)
            // Guessing across accounts from one address runs into the address's limit (12 attempts a minute).
            var limited = false
            for index in 0..<12 {
                do {
                    _ = try await origin.anonymous.login(workspace: "Acme", handle: "user\(index)", password: "guess guess")
                } catch let error as APIError where error.status == 429 {
                    #expect(error.code == .rateLimited)
                    limited = true
                    break
                } catch let error as APIError {
                    #expect(error.status == 401)
                }
            }
            #expect(limited)
        }
    }

    @Test func signingOutEndsThatTokenOnlyAtTheOriginAtEdgesAndOnOpenSockets() async throws {
        try await withAccounts { origin, workspace, edge in
            let first = try await edge.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password)
            let second = try await edge.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password)
            let atEdge = try await GatewaySocket.identify(edge.gatewayURL, token: first.token)
            let atOrigin = try await GatewaySocket.identify(origin.gatewayURL, token: first.token)
            let other = try await GatewaySocket.identify(edge.gatewayURL, token: second.token)

            try await edge.anonymous.withToken(first.token).logout()
            for (place, socket) in [("edge", atEdge.socket), ("origin", atOrigin.socket)] {
                #expect(try await AdministrationTests.closeCode(of: socket) == GatewayCloseCode.sessionRevoked.rawValue,
                        "at the \(place)")
            }
            await expectAPIError(401, .unauthorized) { _ = try await origin.anonymous.withToken(first.token).me() }
            // The edge refuses it from its own copy (it learnt it from the feed), REST and gateway.
            await expectAPIError(401, .unauthorized) { _ = try await edge.anonymous.withToken(first.token).workingSet() }
            await #expect(throws: (any Error).self) {
                _ = try await GatewaySocket.identify(edge.gatewayURL, token: first.token, timeout: .seconds(5))
            }
            // The other sign-in is untouched.
            #expect(try await edge.anonymous.withToken(second.token).workingSet().me.handle == "mia")
            try await other.socket.send(.heartbeat(.init(s: nil)))
            _ = try await other.socket.expect("heartbeat_ack")
            await other.socket.close()

            // An edge that starts afterwards gets the sign-out in its snapshot.
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: origin.origin.configuration.tokenSecret) { fresh in
                let workingSet = try await fresh.anonymous.withToken(second.token).workingSet()
                #expect(workingSet.me.handle == "mia")
                await expectAPIError(401, .unauthorized) { _ = try await fresh.anonymous.withToken(first.token).workingSet() }
            }
            // And a restarted origin process reads it back (another process sharing the store, too).
            #expect(try await origin.origin.store.revokedSessions(nowMs: WallClock.nowMs()).count == 1)
            _ = workspace
        }
    }

    @Test func changingThePasswordNeedsTheOldOne() async throws {
        try await withAccounts { origin, _, edge in
            let mia = edge.anonymous.withToken(try await edge.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password).token)
            await expectAPIError(401, .unauthorized) { try await mia.changePassword(from: "not it at all", to: "a new passphrase") }
            await expectAPIError(401, .unauthorized) { try await mia.changePassword(from: nil, to: "a new passphrase") }
            await expectAPIError(400, .badRequest) { try await mia.changePassword(from: Self.password, to: "short") }
            try await mia.changePassword(from: Self.password, to: "a new passphrase")
            await expectAPIError(401, .unauthorized) {
                _ = try await origin.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password)
            }
            #expect(try await origin.anonymous.login(workspace: "Acme", handle: "mia", password: "a new passphrase").user.handle == "mia")
        }
    }

    @Test func anInviteSignsUpOnePersonOnce() async throws {
        try await withAccounts { origin, workspace, edge in
            let adam = edge.anonymous.withToken(try await edge.anonymous.login(workspace: "Acme", handle: "adam", password: Self.password).token)
            let mia = edge.anonymous.withToken(try await edge.anonymous.login(workspace: "Acme", handle: "mia", password: Self.password).token)
            // Members may not invite until an admin allows it; the operator always may.
            await expectAPIError(403, .forbidden) { _ = try await mia.createInvite(workspaceID: workspace.id) }
            await expectAPIError(403, .forbidden) {
                _ = try await mia.updateWorkspace(workspace.id, UpdateWorkspaceRequest(membersMayInvite: true))
            }
            #expect(try await adam.updateWorkspace(workspace.id, UpdateWorkspaceRequest(membersMayInvite: true)).membersMayInvite)
            _ = try await mia.createInvite(workspaceID: workspace.id)
            _ = try await origin.admin.createInvite(workspaceID: workspace.id)

            let invite = try await adam.createInvite(workspaceID: workspace.id, expiresInHours: 2)
            #expect(invite.url.hasSuffix("/#invite=\(invite.code)") && invite.url.hasPrefix(edge.baseURL))
            #expect(invite.expiresAtMs > WallClock.nowMs() + 3_500_000)
            #expect(try await edge.anonymous.invitePreview(code: invite.code).workspace.name == "Acme")

            // A taken handle fails the sign-up but leaves the invite usable.
            await expectAPIError(409, .conflict) {
                _ = try await edge.anonymous.acceptInvite(code: invite.code, AcceptInviteRequest(
                    handle: "mia", displayName: "Impostor", password: "another passphrase"))
            }
            // Two people racing for one invite: one account is made.
            async let first = try? edge.anonymous.acceptInvite(code: invite.code, AcceptInviteRequest(
                handle: "nora", displayName: "Nora", password: "nora's passphrase", email: "nora@acme.test"))
            async let second = try? origin.anonymous.acceptInvite(code: invite.code, AcceptInviteRequest(
                handle: "nina", displayName: "Nina", password: "nina's passphrase"))
            let results = await [first, second].compactMap { $0 }
            #expect(results.count == 1)
            let joined = try #require(results.first)
            // Signed in at once, a member of #general, able to sign in again with the password.
            let newcomer = edge.anonymous.withToken(joined.token)
            #expect(try await newcomer.workingSet().me.id == joined.user.id)
            #expect(try await newcomer.channels().contains { $0.name == "general" })
            #expect(try await origin.anonymous.login(workspace: "Acme", handle: joined.user.handle,
                                                     password: "\(joined.user.handle)'s passphrase").user.id == joined.user.id)
            await expectAPIError(404, .notFound) { _ = try await edge.anonymous.invitePreview(code: invite.code) }
            await expectAPIError(404, .notFound) {
                _ = try await edge.anonymous.acceptInvite(code: invite.code, AcceptInviteRequest(
                    handle: "late", displayName: "Late", password: "late passphrase"))
            }
            await expectAPIError(404, .notFound) { _ = try await edge.anonymous.invitePreview(code: "not-a-code") }
        }
    }
}
