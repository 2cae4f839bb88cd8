import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Roles, the admin lifecycle and `@handle` mentions, through a real origin and an edge.
/// olive is the owner, adam an admin, mia and bob members, gus a guest.
@Suite struct AdministrationTests {
    static let roles: [String: Role] = ["olive": .owner, "adam": .admin, "gus": .guest]

    func withWorkspace(_ body: (TestOrigin, TestWorkspace, TestEdge) async throws -> Void) async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: {
            $0.messageRateLimit = 0
            $0.broadcastMentionsAdminOnlyAbove = 3
        }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["olive", "adam", "mia", "bob", "gus"], roles: Self.roles)
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                try await body(origin, ws, edge)
            }
        }
    }

    @Test func rolesDecideWhoModeratesManagesAndBroadcasts() async throws {
        try await withWorkspace { origin, ws, edge in
            let general = try await ws.client("mia").general()
            #expect(try await ws.client("olive").me().role == .owner)
            #expect(try await ws.client("mia").via(edge).me().role == .member)

            // Deleting others' messages: admins yes, members no (the author always).
            let bobs = try await ws.client("bob").post("a message of bob's", to: general.id).message
            await expectAPIError(403, .forbidden) { try await ws.client("mia").delete(bobs.id, in: general.id) }
            try await ws.client("adam").via(edge).delete(bobs.id, in: general.id)
            #expect(!(try await ws.client("bob").messages(in: general.id).messages.contains { $0.id == bobs.id }))

            // @channel in a channel above the limit (5 members > 3): admins only; a small channel is anyone's.
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").post("@channel lunch?", to: general.id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").via(edge).post("@everyone hi", to: general.id) }
            #expect(try await ws.client("adam").post("@channel all hands at 3", to: general.id).message.mentionsChannel)
            let small = try await ws.client("mia").createChannel(name: "small")
            #expect(try await ws.client("mia").post("@here anyone?", to: small.id).message.mentionsHere)

            // Roles: admins manage members and guests, owners everyone; a workspace keeps an owner.
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").setRole(.admin, of: ws.user("bob").id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("adam").setRole(.admin, of: ws.user("mia").id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("adam").setRole(.member, of: ws.user("olive").id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("olive").setRole(.admin, of: ws.user("olive").id) }
            #expect(try await ws.client("adam").setRole(.guest, of: ws.user("bob").id).role == .guest)
            #expect(try await ws.client("olive").setRole(.admin, of: ws.user("mia").id).role == .admin)
            // The change reaches the edge through the feed.
            _ = try await eventually { try await ws.client("mia").via(edge).me().role == .admin ? true : nil }
            let (badRole, _) = try await ws.client("olive").raw(.PUT, "/api/users/\(ws.user("bob").id)/role",
                                                                body: Data(#"{"role":"emperor"}"#.utf8))
            #expect(badRole == 400)
            #expect(try await ws.client("bob").me().role == .guest)
            _ = origin
        }
    }

    @Test func guestsSeeOnlyTheChannelsTheyAreInvitedTo() async throws {
        try await withWorkspace { _, ws, edge in
            let open = try await ws.client("mia").createChannel(name: "open")
            for client in [ws.client("gus"), ws.client("gus").via(edge)] {
                await expectAPIError(403, .forbidden) { _ = try await client.join(open.id) }
                await expectAPIError(403, .notAMember) { _ = try await client.channel(open.id) }
                await expectAPIError(403, .forbidden) { _ = try await client.createChannel(name: "guest-room") }
            }
            // Invited, the guest takes part like anyone.
            try await ws.client("mia").addMember(ws.user("gus").id, to: open.id)
            _ = try await ws.client("gus").post("thanks for having me", to: open.id)
            let seen = try await eventually {
                try await ws.client("gus").via(edge).channel(open.id).isMember == true ? true : nil
            }
            #expect(seen)
            // A member (not a guest) may still browse and join.
            #expect(try await ws.client("bob").via(edge).channel(open.id).isMember == false)
        }
    }

    @Test func theChannelBrowserListsPublicChannelsAndOnesOwnPrivateOnesGuestsOnlyTheirs() async throws {
        try await withWorkspace { _, ws, edge in
            let open = try await ws.client("mia").createChannel(name: "open")
            let secret = try await ws.client("mia").createChannel(name: "secret", kind: .private)
            _ = try await ws.client("mia").openDM(with: [ws.user("bob").id])
            let expected: [(String, Set<String>, Set<String>)] = [
                ("mia", ["general", "open", "secret"], ["general", "open", "secret"]),
                ("bob", ["general", "open"], ["general"]),
                ("gus", ["general"], ["general"]),
            ]
            for (handle, listed, joined) in expected {
                for client in [ws.client(handle), ws.client(handle).via(edge)] {
                    let channels = try await eventually {
                        let channels = try await client.browseChannels()
                        return Set(channels.map(\.name)) == listed ? channels : nil
                    }
                    #expect(Set(channels.filter { $0.isMember == true }.map(\.name)) == joined, "\(handle)")
                    #expect(!channels.contains { $0.kind.isDirect }, "\(handle)")
                }
            }
            _ = (open, secret)
        }
    }

    @Test func aDeactivatedUsersSessionsCloseAndTheirTokensAreRefusedAtOriginAndEdge() async throws {
        try await withWorkspace { origin, ws, edge in
            let bob = ws.user("bob")
            let bobsToken = ws.client("bob").token!
            let atEdge = try await GatewaySocket.identify(edge.gatewayURL, token: bobsToken)
            let atOrigin = try await GatewaySocket.identify(origin.gatewayURL, token: bobsToken)
            let watcher = try await GatewaySocket.identify(origin.gatewayURL, token: ws.client("mia").token!)

            // Members can't; an admin can, but not themselves nor an owner.
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").deactivate(bob.id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("adam").deactivate(ws.user("adam").id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("adam").deactivate(ws.user("olive").id) }
            await expectAPIError(404, .notFound) { _ = try await ws.client("adam").deactivate(Snowflake(12345)) }
            #expect(try await ws.client("bob").me().deleted == false)
            #expect(try await ws.client("adam").via(edge).deactivate(bob.id).deleted)

            // Their open sockets close at once, at the edge and at the origin, with 4101.
            for (place, socket) in [("edge", atEdge.socket), ("origin", atOrigin.socket)] {
                #expect(try await Self.closeCode(of: socket) == GatewayCloseCode.sessionRevoked.rawValue, "at the \(place)")
            }
            // Others hear of it.
            let update = try await watcher.socket.expectEvent(.userUpdated).payload(User.self)
            #expect(update.id == bob.id && update.deleted)

            // The token is refused everywhere: REST at both, identify and resume at both.
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("bob").me() }
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("bob").via(edge).workingSet() }
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("bob").via(edge).me() }
            for url in [edge.gatewayURL, origin.gatewayURL] {
                await #expect(throws: (any Error).self) { _ = try await GatewaySocket.identify(url, token: bobsToken, timeout: .seconds(5)) }
                await #expect(throws: (any Error).self) {
                    _ = try await GatewaySocket.resume(url, token: bobsToken, sessionID: atEdge.hello.sessionID, s: 0, timeout: .seconds(5))
                }
            }
            // A send an edge relays for them is refused too.
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("bob").via(edge).post("still here?", to: try await ws.client("mia").general().id) }

            // Reactivated: the old token stays refused (deactivation revoked it); a new one works at the edge.
            #expect(try await ws.client("adam").reactivate(bob.id).deleted == false)
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("bob").me() }
            let fresh = try await origin.admin.issueToken(workspaceID: bob.workspaceID, userID: bob.id)
            let again = try await eventually {
                try? await GatewaySocket.identify(edge.gatewayURL, token: fresh, timeout: .seconds(5))
            }
            #expect(try again.ready.payload(ReadyPayload<WorkingSet>.self).bootstrap.me.id == bob.id)
            await again.socket.close()
            await watcher.socket.close()
        }
    }

    @Test func revokingSessionsSignsOutEverywhereButNewTokensWork() async throws {
        try await withWorkspace { origin, ws, edge in
            let mia = ws.user("mia")
            let session = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("mia").token!)
            // Only oneself, or an admin over a member.
            await expectAPIError(403, .forbidden) { _ = try await ws.client("bob").revokeSessions(of: mia.id) }
            try await ws.client("mia").via(edge).revokeSessions(of: mia.id)
            #expect(try await Self.closeCode(of: session.socket) == GatewayCloseCode.sessionRevoked.rawValue)
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("mia").me() }
            let fresh = try await origin.admin.issueToken(workspaceID: mia.workspaceID, userID: mia.id)
            #expect(try await SwitchboardClient(baseURL: origin.baseURL, token: fresh, timeout: .testRequest).me().id == mia.id)
            _ = try await eventually { try? await edge.client(token: fresh).me() }
        }
    }

    @Test func channelsAreRenamedArchivedAndMembersRemovedWithEventsThroughTheEdge() async throws {
        try await withWorkspace { _, ws, edge in
            let project = try await ws.client("mia").createChannel(name: "project")
            _ = try await ws.client("bob").join(project.id)
            let bobAtEdge = try await GatewaySocket.identify(edge.gatewayURL, token: ws.client("bob").token!, focus: project.id)

            // Any member sets the topic and purpose; renaming is the creator's or an admin's.
            let retopiced = try await ws.client("bob").via(edge).updateChannel(project.id, UpdateChannelRequest(
                topic: "Ship v2", purpose: "Everything about the v2 launch"))
            #expect(retopiced.topic == "Ship v2" && retopiced.purpose == "Everything about the v2 launch")
            await expectAPIError(403, .forbidden) { _ = try await ws.client("bob").updateChannel(project.id, UpdateChannelRequest(name: "mine")) }
            await expectAPIError(400, .badRequest) { _ = try await ws.client("mia").updateChannel(project.id, UpdateChannelRequest(name: "Bad Name!")) }
            await expectAPIError(409, .conflict) { _ = try await ws.client("mia").updateChannel(project.id, UpdateChannelRequest(name: "general")) }
            #expect(try await ws.client("mia").updateChannel(project.id, UpdateChannelRequest(name: "launch")).name == "launch")
            var updates: [Channel] = []
            while updates.last?.name != "launch" {
                updates.append(try await bobAtEdge.socket.expectEvent(.channelUpdated).payload(Channel.self))
            }
            #expect(updates.first?.topic == "Ship v2")
            _ = try await eventually { try await ws.client("bob").via(edge).channel(project.id).name == "launch" ? true : nil }

            // Archived: members can't archive, admins can; nobody posts, reacts or joins; unarchived, talk goes on.
            let first = try await ws.client("mia").post("before the freeze", to: project.id).message
            await expectAPIError(403, .forbidden) { _ = try await ws.client("bob").archive(project.id) }
            #expect(try await ws.client("adam").archive(project.id).archived)
            #expect(try await bobAtEdge.socket.expectEvent(.channelUpdated).payload(Channel.self).archived)
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").post("frozen?", to: project.id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("bob").via(edge).post("frozen?", to: project.id) }
            await expectAPIError(403, .forbidden) { try await ws.client("bob").react("ice", to: first.id, in: project.id) }
            await expectAPIError(403, .forbidden) { _ = try await ws.client("olive").join(project.id) }
            try await bobAtEdge.socket.send(.send(.init(channelID: project.id, content: "via the gateway", nonce: "frozen-1")))
            let refused = try await bobAtEdge.socket.expect("error").payload(GatewayFrame.ErrorPayload.self)
            #expect(refused.code == ErrorCode.forbidden.rawValue && refused.nonce == "frozen-1")
            #expect(try await ws.client("bob").messages(in: project.id).messages.map(\.content) == ["before the freeze"])
            #expect(try await ws.client("adam").archive(project.id, false).archived == false)
            _ = try await ws.client("bob").post("back to work", to: project.id)

            // Removed by the creator: bob hears his own member.left, then nothing more of the channel.
            await expectAPIError(403, .forbidden) { try await ws.client("bob").removeMember(ws.user("mia").id, from: project.id) }
            await expectAPIError(404, .notFound) { try await ws.client("mia").removeMember(ws.user("gus").id, from: project.id) }
            try await ws.client("mia").via(edge).removeMember(ws.user("bob").id, from: project.id)
            let left = try await bobAtEdge.socket.expectEvent(.memberLeft).payload(MembershipChange.self)
            #expect(left.userID == ws.user("bob").id && left.channelID == project.id)
            _ = try await ws.client("mia").post("bob can't see this", to: project.id)
            let later = try await bobAtEdge.socket.frames(for: .milliseconds(500))
            #expect(!later.contains { $0.mentions(project.id) })
            await expectAPIError(403, .notAMember) { _ = try await ws.client("bob").messages(in: project.id) }
            await bobAtEdge.socket.close()
        }
    }

    @Test func adminsManageHooksAndARevokedHookStopsPosting() async throws {
        try await withWorkspace { _, ws, edge in
            let general = try await ws.client("mia").general()
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").createHook(channelID: general.id, name: "CI") }
            let hook = try await ws.client("adam").via(edge).createHook(channelID: general.id, name: "CI")
            _ = try await ws.client("mia").postToHook(token: hook.token, content: "build green")
            #expect(try await ws.client("adam").hooks().map(\.name) == ["CI"])
            await expectAPIError(403, .forbidden) { _ = try await ws.client("mia").hooks() }
            await expectAPIError(403, .forbidden) { try await ws.client("mia").revokeHook(hook.id) }
            try await ws.client("adam").revokeHook(hook.id)
            await expectAPIError(404, .notFound) { _ = try await ws.client("mia").postToHook(token: hook.token, content: "build red") }
            await expectAPIError(404, .notFound) { try await ws.client("adam").revokeHook(hook.id) }
            #expect(try await ws.client("adam").hooks().isEmpty)
            // What it posted stays.
            #expect(try await ws.client("mia").messages(in: general.id).messages.contains { $0.content == "build green" })
        }
    }

    @Test func handlesTypedInAMessageAreStoredAsMentions() async throws {
        try await withWorkspace { _, ws, edge in
            let general = try await ws.client("mia").general()
            let bob = ws.user("bob"), gus = ws.user("gus")
            let posted = try await ws.client("mia").via(edge).post("@Bob and @gus: see alice@example.com, ask @nobody", to: general.id).message
            #expect(posted.content == "<@\(bob.id)> and <@\(gus.id)>: see alice@example.com, ask @nobody")
            #expect(posted.mentions == [bob.id, gus.id])
            let edited = try await ws.client("mia").edit(posted.id, in: general.id, content: "only @bob now")
            #expect(edited.content == "only <@\(bob.id)> now" && edited.mentions == [bob.id])
            // Mentioned, bob gets a mention badge.
            let channel = try await eventually {
                let channel = try await ws.client("bob").channel(general.id)
                return (channel.mentionCount ?? 0) >= 1 ? channel : nil
            }
            #expect(channel.mentionCount == 1)
        }
    }

    @Test func theOperatorsAdminKeyDoesWhatAnOwnerMay() async throws {
        try await withWorkspace { origin, ws, _ in
            let operatorKey = origin.admin
            let bob = ws.user("bob")
            #expect(try await operatorKey.deactivate(bob.id).deleted)
            await expectAPIError(401, .unauthorized) { _ = try await ws.client("bob").me() }
            #expect(try await operatorKey.reactivate(bob.id).deleted == false)
            #expect(try await operatorKey.setRole(.admin, of: bob.id).role == .admin)
            let room = try await ws.client("mia").createChannel(name: "room")
            _ = try await ws.client("olive").join(room.id)
            #expect(try await operatorKey.updateChannel(room.id, UpdateChannelRequest(name: "renamed", topic: "by the operator")).name == "renamed")
            #expect(try await operatorKey.archive(room.id).archived)
            #expect(try await operatorKey.archive(room.id, false).archived == false)
            try await operatorKey.removeMember(ws.user("olive").id, from: room.id)
            #expect(try await ws.client("olive").channel(room.id).isMember == false)
            let hook = try await ws.client("adam").createHook(channelID: room.id, name: "Ops")
            try await operatorKey.revokeHook(hook.id)
            await expectAPIError(404, .notFound) { _ = try await ws.client("mia").postToHook(token: hook.token, content: "x") }
            // A wrong key is refused, not taken for a user.
            let forged = SwitchboardClient(baseURL: origin.baseURL, adminKey: "wrong-key-0123456789", timeout: .testRequest)
            await expectAPIError(401, .unauthorized) { _ = try await forged.deactivate(ws.user("mia").id) }
            #expect(try await ws.client("mia").me().deleted == false)
        }
    }

    /// Reads until the socket closes; its close code.
    static func closeCode(of socket: GatewaySocket, timeout: Duration = .seconds(10)) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard try await socket.next(timeout: deadline - ContinuousClock.now) != nil else { return socket.closeCode }
        }
        return nil
    }
}
