import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite struct ChannelsAPITests {
    @Test func createJoinLeaveAndMembers() async throws {
        try await withWorkspace(["alice", "bob", "carol", "dave"]) { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob"), carol = ws.client("carol")
            let launch = try await alice.createChannel(name: "#Launch", topic: "go time")
            #expect(launch.name == "launch" && launch.kind == .public && launch.memberCount == 1 && launch.isMember == true)
            await expectAPIError(409, .conflict) { _ = try await bob.createChannel(name: "launch") }
            await expectAPIError(400, .badRequest) { _ = try await bob.createChannel(name: "bad name!") }

            #expect(try await bob.join(launch.id).memberCount == 2)
            #expect(try await bob.join(launch.id).memberCount == 2)  // idempotent
            let privateChannel = try await alice.createChannel(name: "hush", kind: .private)
            await expectAPIError(403, .notAMember) { _ = try await bob.join(privateChannel.id) }
            await expectAPIError(403, .notAMember) { try await bob.addMember(ws.user("carol").id, to: privateChannel.id) }
            try await alice.addMember(ws.user("bob").id, to: privateChannel.id)
            try await bob.addMember(ws.user("carol").id, to: privateChannel.id)  // any member may add
            #expect(try await carol.channel(privateChannel.id).memberCount == 3)

            // Members with a cursor.
            let page1 = try await alice.members(of: privateChannel.id, limit: 2)
            #expect(page1.members.count == 2 && page1.next != nil)
            let page2 = try await alice.members(of: privateChannel.id, after: page1.next, limit: 2)
            #expect(page2.members.count == 1 && page2.next == nil)
            #expect(Set(page1.members + page2.members) == Set(["alice", "bob", "carol"].map { ws.user($0).id }))

            try await carol.leave(privateChannel.id)
            await expectAPIError(403, .notAMember) { _ = try await carol.messages(in: privateChannel.id) }
            await expectAPIError(403, .notAMember) { _ = try await carol.channel(privateChannel.id) }
            await expectAPIError(403, .forbidden) { try await carol.leave(try await carol.general().id) }

            let mine = try await bob.channels().map(\.name).sorted()
            #expect(mine == ["general", "hush", "launch"])
        }
    }

    @Test func dmsAreIdempotent() async throws {
        try await withWorkspace(["alice", "bob", "carol", "dave"]) { _, ws in
            let alice = ws.client("alice"), bob = ws.client("bob")
            let a = ws.user("alice").id, b = ws.user("bob").id, c = ws.user("carol").id
            let dm = try await alice.openDM(with: [b])
            #expect(dm.kind == .dm)
            #expect(Set(dm.memberIDs ?? []) == [a, b])
            #expect(try await bob.openDM(with: [a]).id == dm.id)
            #expect(try await alice.openDM(with: [b, a, b]).id == dm.id)

            let group = try await alice.openDM(with: [b, c])
            #expect(group.kind == .groupDM && group.memberCount == 3)
            #expect(try await bob.openDM(with: [c, a]).id == group.id)
            await expectAPIError(403, .notAMember) { _ = try await ws.client("dave").messages(in: group.id) }
            await expectAPIError(400, .badRequest) { _ = try await alice.openDM(with: [a]) }
            await expectAPIError(404, .notFound) { _ = try await alice.openDM(with: [Snowflake(12345)]) }
            await expectAPIError(403, .forbidden) { try await alice.leave(dm.id) }
            #expect(try await bob.channels().contains { $0.id == group.id && $0.kind == .groupDM })
        }
    }

    @Test func usersProfilesAndSearch() async throws {
        try await withWorkspace(["alice", "bob", "alfred"]) { _, ws in
            let alice = ws.client("alice")
            let me = try await alice.me()
            #expect(me.handle == "alice" && me.title == "Engineer" && me.avatar.image48.hasSuffix("/\(me.id)/48.png"))
            #expect(try await alice.user(ws.user("bob").id).displayName == "Bob")
            let both = try await alice.users(ids: [ws.user("bob").id, Snowflake(1), ws.user("alfred").id])
            #expect(both.map(\.handle) == ["bob", "alfred"])
            #expect(Set(try await alice.searchUsers("al").map(\.handle)) == ["alice", "alfred"])
            #expect(try await alice.searchUsers("teST").count == 3)  // a later word of the real name
            #expect(try await alice.searchUsers("%").isEmpty)

            let updated = try await alice.updateProfile(UpdateProfileRequest(title: "CTO", statusText: "Heads down",
                                                                             statusEmoji: ":headphones:"))
            #expect(updated.title == "CTO" && updated.statusText == "Heads down" && updated.displayName == "Alice")
            #expect(try await ws.client("bob").user(me.id).title == "CTO")
            await expectAPIError(400, .badRequest) { _ = try await alice.updateProfile(UpdateProfileRequest(displayName: "")) }
            try await alice.setPresence(.away)
            await expectAPIError(400, .badRequest) { try await alice.setPresence(.offline) }
            try await alice.typing(in: try await alice.general().id)
        }
    }
}
