import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite struct FullBootstrapTests {
    @Test func containsTheWholeWorkspace() async throws {
        try await withWorkspace(["alice", "bob", "carol", "dave"]) { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let general = try await alice.general()
            let hidden = try await bob.createChannel(name: "bob-private", kind: .private)
            let shared = try await alice.createChannel(name: "shared", kind: .private)
            try await alice.addMember(ws.user("carol").id, to: shared.id)
            let open = try await bob.createChannel(name: "open")
            let dm = try await alice.openDM(with: [ws.user("dave").id])
            for i in 0..<60 { _ = try await bob.post("hello \(i) <@\(ws.user("alice").id)>", to: general.id) }
            _ = try await bob.post("secret", to: hidden.id)
            try await bob.setPresence(.dnd)

            let (bootstrap, bytes) = try await alice.fullBootstrap()
            #expect(bytes > 0)
            #expect(bootstrap.me.id == ws.user("alice").id)
            #expect(bootstrap.workspace.memberCount == 4)
            #expect(bootstrap.users.count == 4)
            #expect(bootstrap.presence[ws.user("bob").id] == .offline)  // chose dnd, but has no connection
            #expect(bootstrap.presence[ws.user("carol").id] == .offline)
            #expect(Set(bootstrap.channels.map(\.name)) == ["general", "shared", "open"])
            let generalEntry = try #require(bootstrap.channels.first { $0.id == general.id })
            #expect(Set(generalEntry.members ?? []) == Set(ws.users.values.map(\.user.id)))
            #expect(generalEntry.unreadCount == 60 && generalEntry.mentionCount == 60)
            #expect(bootstrap.channels.first { $0.id == open.id }?.members == [ws.user("bob").id])
            #expect(bootstrap.channels.first { $0.id == open.id }?.isMember == false)
            #expect(bootstrap.dms.map(\.id) == [dm.id])
            #expect(Set(bootstrap.dms[0].members ?? []) == [ws.user("alice").id, ws.user("dave").id])
            #expect(bootstrap.focusChannelID == general.id)
            #expect(bootstrap.messages.count == 50)
            #expect(bootstrap.messages.last?.content == "hello 59 <@\(ws.user("alice").id)>")

            let focused = try await alice.fullBootstrap(focus: shared.id).bootstrap
            #expect(focused.focusChannelID == shared.id && focused.messages.isEmpty)
            await expectAPIError(403, .notAMember) { _ = try await alice.fullBootstrap(focus: hidden.id) }
        }
    }

    @Test func streamsLargeWorkspacesInPages() async throws {
        // More users and memberships than one page of each, to cross the page boundaries.
        try await TestOrigin.with { origin in
            let admin = origin.admin
            let workspace = try await admin.createWorkspace(name: "Big")
            // Eight at a time (the store commits them in groups): a busy machine still makes
            // them in seconds, not minutes.
            let chat = origin.origin.chat
            let ids = try await withThrowingTaskGroup(of: [Snowflake].self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        var ids: [Snowflake] = []
                        for i in stride(from: lane, to: 2_050, by: 8) {
                            ids.append(try await chat.createUser(
                                workspaceID: workspace.id, CreateUserRequest(handle: "user\(i)", displayName: "User \(i)")).id)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: [Snowflake]()) { $0 += $1 }
            }
            let tokens = [try await origin.origin.tokens.issue(for: .init(userID: ids[0], workspaceID: workspace.id))]
            let client = SwitchboardClient(baseURL: origin.baseURL, token: tokens[0], timeout: .testRequest)
            let (bootstrap, bytes) = try await client.fullBootstrap()
            #expect(bootstrap.users.count == 2_050)
            #expect(Set(bootstrap.users.map(\.id)).count == 2_050)
            #expect(bootstrap.presence.count == 2_050)
            #expect(bootstrap.channels.first?.members?.count == 2_050)
            #expect(bytes > 2_050 * 300)
        }
    }
}
