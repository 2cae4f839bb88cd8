import SwitchboardAuth
import SwitchboardCore

/// A small, lively workspace for trying Switchboard out: people with full profiles, public and
/// private channels, a DM, messages with mentions, a thread and reactions.
public enum DemoWorkspace {
    public struct Seeded: Sendable {
        public var workspace: Workspace
        public var user: User
        public var token: String
        public var general: Channel
        public var created: Bool
        /// Every demo person's password for the web client, new at each start (printed, never stored in clear).
        public var password: String
    }

    /// A fresh password for the demo people: the demo is for trying the web client, and a
    /// password fixed in the repository would be a password anyone knows.
    static func resetPasswords(_ origin: Origin, workspaceID: Snowflake) async throws -> String {
        let password = String(Chat.randomToken().prefix(16))
        let hash = try await origin.signIn.hash(password)
        for person in people {
            if let user = try await origin.store.user(workspaceID: workspaceID, handle: person.handle) {
                try await origin.store.setPasswordHash(userID: user.id, hash, nowMs: WallClock.nowMs())
            }
        }
        return password
    }

    static let people: [(handle: String, name: String, title: String, tz: String, status: (String, String))] = [
        ("alice", "Alice Martin", "Engineering Manager", "Europe/Paris", ("Shipping the edge", ":rocket:")),
        ("bob", "Bob Okafor", "Backend Engineer", "Africa/Lagos", ("", "")),
        ("carol", "Carol Nguyen", "Product Designer", "America/Los_Angeles", ("In Figma", ":art:")),
        ("dave", "Dave Schmidt", "Site Reliability Engineer", "Europe/Berlin", ("On call", ":pager:")),
        ("erin", "Erin Walsh", "Product Manager", "America/New_York", ("", "")),
        ("farah", "Farah Haddad", "iOS Engineer", "Asia/Dubai", ("Commuting", ":train:")),
        ("gus", "Gus Lindqvist", "Data Scientist", "Europe/Stockholm", ("", "")),
        ("hana", "Hana Sato", "Support Lead", "Asia/Tokyo", ("Out sick", ":face_with_thermometer:")),
    ]

    /// Seeds the demo workspace unless the store already has one; either way returns it with
    /// a fresh token for `alice`.
    public static func seedIfEmpty(_ origin: Origin) async throws -> Seeded {
        let chat = origin.chat
        if let existing = try await origin.store.workspaces().first,
           let alice = try await origin.store.user(workspaceID: existing.id, handle: "alice") {
            let token = try await origin.tokens.issue(for: Caller(userID: alice.id, workspaceID: existing.id))
            let general = try await chat.channels(Caller(userID: alice.id, workspaceID: existing.id)).first { $0.name == "general" }!
            return Seeded(workspace: existing, user: alice, token: token, general: general, created: false,
                          password: try await resetPasswords(origin, workspaceID: existing.id))
        }
        let workspace = try await chat.createWorkspace(CreateWorkspaceRequest(name: "Switchboard Demo"))
        var callers: [String: Caller] = [:]
        var users: [String: User] = [:]
        for person in people {
            let user = try await chat.createUser(workspaceID: workspace.id, CreateUserRequest(
                handle: person.handle, displayName: person.name.split(separator: " ").first.map(String.init) ?? person.name,
                realName: person.name, title: person.title, email: "\(person.handle)@demo.switchboard.example", tz: person.tz,
                statusText: person.status.0, statusEmoji: person.status.1))
            users[person.handle] = user
            callers[person.handle] = Caller(userID: user.id, workspaceID: workspace.id)
        }
        let alice = callers["alice"]!
        let general = try await chat.channels(alice).first { $0.name == "general" }!
        let engineering = try await chat.createChannel(alice, CreateChannelRequest(name: "engineering", kind: .public,
                                                                                    topic: "Building Switchboard"))
        let random = try await chat.createChannel(callers["carol"]!, CreateChannelRequest(name: "random", kind: .public,
                                                                                          topic: "Non-work banter"))
        let leadership = try await chat.createChannel(alice, CreateChannelRequest(name: "leadership", kind: .private))
        for handle in ["bob", "dave", "farah", "gus"] { _ = try await chat.join(callers[handle]!, channelID: engineering.id) }
        for handle in ["alice", "bob", "erin", "hana"] { _ = try await chat.join(callers[handle]!, channelID: random.id) }
        try await chat.addMember(alice, channelID: leadership.id, userID: users["erin"]!.id)
        let dm = try await chat.openDirect(alice, OpenDMRequest(userIDs: [users["bob"]!.id]))

        func post(_ handle: String, _ channel: Channel, _ content: String, thread: Snowflake? = nil) async throws -> Message {
            // Straight to the store: seeding many lines at once would trip the per-user rate limit.
            let draft = MessageDraft(ids: chat.ids, channelID: channel.id, authorID: users[handle]!.id, content: content,
                                     nonce: nil, threadID: thread, alsoToChannel: false, mentions: Mentions(parsing: content),
                                     nowMs: WallClock.nowMs())
            return try await origin.store.postMessage(draft).message
        }
        let bob = users["bob"]!, carol = users["carol"]!, dave = users["dave"]!
        _ = try await post("erin", general, "Welcome to Switchboard, everyone! :wave:")
        let launch = try await post("alice", general, "The regional edges go live next week. <@\(dave.id)> can you own the rollout?")
        _ = try await post("dave", general, "On it. Canary in eu-west first.", thread: launch.id)
        _ = try await post("bob", general, "I'll watch the fan-out latency dashboards.", thread: launch.id)
        try await chat.setReaction(callers["carol"]!, channelID: general.id, messageID: launch.id, emoji: "rocket", present: true)
        try await chat.setReaction(callers["bob"]!, channelID: general.id, messageID: launch.id, emoji: "rocket", present: true)
        _ = try await post("hana", general, "@here support rota for the launch is in the doc.")
        _ = try await post("bob", engineering, "Working set bootstrap is down to a few kB for the demo user.")
        _ = try await post("farah", engineering, "<@\(bob.id)> nice! Does the iOS client need changes?")
        _ = try await post("bob", engineering, "Only the new `ready` payload. <@\(carol.id)> has the sidebar mocks.")
        _ = try await post("carol", random, "Who's up for lunch? :taco:")
        _ = try await post("erin", leadership, "Q3 planning doc is ready for review.")
        _ = try await post("bob", dm, "Got a minute to pair on the LMDB schema?")
        let token = try await origin.tokens.issue(for: alice)
        return Seeded(workspace: workspace, user: users["alice"]!, token: token, general: general, created: true,
                      password: try await resetPasswords(origin, workspaceID: workspace.id))
    }
}
