import Foundation
import Synchronization
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// The `switchboard` command-line client as a real process against an origin and an edge.
@Suite struct CLITests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `switchboard` with `arguments`, its credentials in `home`.
    static func switchboard(_ arguments: [String], home: String, input: String? = nil,
                            timeout: Duration = .seconds(60)) async throws -> Run {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("switchboard").path
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_CREDENTIALS"] = home + "/credentials.json"
        for key in ["SWITCHBOARD_ORIGIN", "SWITCHBOARD_TOKEN", "SWITCHBOARD_EDGE", "SWITCHBOARD_CA_FILE"] { environment[key] = nil }
        let child = try ChildProcess(executable, arguments, environment: environment, input: input)
        defer { child.cleanUp() }
        let status = try await child.wait(timeout: timeout)
        return Run(status: status, output: child.output, errors: child.errors)
    }

    @Test func signsInWithAPasswordReadFromStandardInputAndSignsOut() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await TestOrigin.with { origin in
            let workspace = try await origin.admin.createWorkspace(name: "Terminal")
            _ = try await origin.admin.createUser(workspaceID: workspace.id, CreateUserRequest(
                handle: "tess", displayName: "Tess", email: "tess@terminal.test", password: "tess's passphrase"))
            let wrong = try await Self.switchboard(["login", "--origin", origin.baseURL, "--workspace", "Terminal",
                                                    "--email", "tess@terminal.test"], home: home, input: "not it\n")
            #expect(wrong.status != 0 && wrong.errors.contains("wrong workspace, email or password"), "\(wrong.errors)")
            let login = try await Self.switchboard(["login", "--origin", origin.baseURL, "--workspace", "Terminal",
                                                    "--email", "tess@terminal.test"], home: home, input: "tess's passphrase\n")
            #expect(login.status == 0 && login.output.contains("logged in as @tess"), "\(login.errors)")
            let saved = try #require(Credentials.load(from: home + "/credentials.json"))
            #expect(try await origin.anonymous.withToken(saved.token).me().handle == "tess")

            let logout = try await Self.switchboard(["logout"], home: home)
            #expect(logout.status == 0, "\(logout.errors)")
            #expect(!FileManager.default.fileExists(atPath: home + "/credentials.json"))
            await expectAPIError(401, .unauthorized) { _ = try await origin.anonymous.withToken(saved.token).me() }
        }
    }

    @Test func everyCommandWorksAgainstTheOriginAndTheNearestEdge() async throws {
        let secret = TestOrigin.randomSecret()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                // Login checks the token and keeps it (owner-only file).
                let login = try await Self.switchboard(["login", "--origin", origin.baseURL, "--token", ws.client("alice").token!],
                                                       home: home)
                #expect(login.status == 0, "\(login.errors)")
                #expect(login.output.contains("logged in as @alice"))
                let mode = try FileManager.default.attributesOfItem(atPath: home + "/credentials.json")[.posixPermissions] as? Int
                #expect(mode == 0o600)

                let sent = try await Self.switchboard(["send", "#general", "hello from the terminal", "--edge", edge.baseURL], home: home)
                #expect(sent.status == 0 && sent.output.hasPrefix("sent "), "\(sent.errors)")
                _ = try await ws.client("bob").post("hi <@\(ws.user("alice").id)>", to: try await ws.client("bob").general().id)

                let channels = try await Self.switchboard(["channels", "--json"], home: home)
                let listed = try JSON.decode(ChannelsResponse.self, from: Data(channels.output.utf8)).channels
                #expect(listed.map(\.name) == ["general"])
                #expect(listed.first?.unreadCount == 1 && listed.first?.mentionCount == 1)

                let history = try await Self.switchboard(["history", "general", "--edge", edge.baseURL], home: home)
                let lines = history.output.split(separator: "\n")
                #expect(lines.count == 2)
                #expect(lines.first?.hasSuffix("@alice: hello from the terminal") == true)
                #expect(lines.last?.hasSuffix("@bob: hi @alice") == true)

                let search = try await Self.switchboard(["search", "terminal"], home: home)
                #expect(search.output.contains("#general @alice: hello from the terminal"))
                // Upload: the file streams through the edge, the message carries it, a member downloads it.
                let file = home + "/report.csv"
                try Data("day,messages\nmonday,1200\n".utf8).write(to: URL(fileURLWithPath: file))
                let shared = try await Self.switchboard(["upload", file, "--channel", "#general", "--message", "numbers",
                                                         "--edge", edge.baseURL, "--json"], home: home)
                #expect(shared.status == 0, "\(shared.errors)")
                let posted = try JSON.decode(MessageResponse.self, from: Data(shared.output.utf8)).message
                let attachment = try #require(posted.attachments.first)
                #expect(attachment.name == "report.csv" && attachment.contentType == "text/csv" && posted.content == "numbers")
                #expect(try await ws.client("bob").download(attachment.url).bytes == Array("day,messages\nmonday,1200\n".utf8))

                let users = try await Self.switchboard(["users", "bo", "--json"], home: home)
                #expect(try JSON.decode(UsersResponse.self, from: Data(users.output.utf8)).users.map(\.handle) == ["bob"])

                // A live tail through the nearest edge the origin lists: the working set first,
                // then what is posted while it runs.
                let general = try await ws.client("bob").general()
                // The edge registers its bound port with the origin; the CLI ranks what the origin lists.
                _ = try await eventually { try await ws.client("alice").edges().first { $0.publicURL == edge.baseURL } }
                let tail = Task { try await Self.switchboard(["tail", "#general", "--edge", "auto", "--count", "5"], home: home) }
                _ = try await eventually { try await edge.anonymous.metric("switchboard_edge_gateway_identifies_total") >= 1 ? true : nil }
                _ = try await ws.client("bob").post("live <@\(ws.user("alice").id)>", to: general.id)
                _ = try await ws.client("bob").post("and again", to: general.id)
                let tailed = try await tail.value
                #expect(tailed.status == 0, "\(tailed.errors)")
                #expect(tailed.errors.contains("connected to \(edge.baseURL)"))
                let shown = tailed.output.split(separator: "\n")
                #expect(shown.count == 5)   // three in the working set (one with a file), two live
                #expect(shown.last?.hasSuffix("@bob: and again") == true)
                #expect(shown.dropLast().last?.hasSuffix("@bob: live @alice") == true)

                let refused = try await Self.switchboard(["history", "#nowhere"], home: home)
                #expect(refused.status != 0 && refused.errors.contains("not found"))
            }
        }
    }

    @Test func everydayActionsFromTheTerminal() async throws {
        let secret = TestOrigin.randomSecret()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                func run(_ arguments: [String]) async throws -> Run {
                    let result = try await Self.switchboard(arguments + ["--edge", edge.baseURL], home: home)
                    #expect(result.status == 0, "\(arguments): \(result.errors)")
                    return result
                }
                _ = try await Self.switchboard(["login", "--origin", origin.baseURL, "--token", ws.client("alice").token!], home: home)
                let general = try await ws.client("bob").general()
                let posted = try await ws.client("bob").post("react to this", to: general.id).message
                let mine = try await ws.client("alice").post("typo here", to: general.id).message

                _ = try await run(["react", "#general", "\(posted.id)", "tada"])
                #expect(try await ws.client("bob").messages(in: general.id).messages.first { $0.id == posted.id }?.reactions.map(\.emoji) == ["tada"])
                _ = try await run(["react", "#general", "\(posted.id)", "tada", "--remove"])
                _ = try await run(["edit", "#general", "\(mine.id)", "fixed here"])
                let edited = try await ws.client("bob").messages(in: general.id).messages.first { $0.id == mine.id }
                #expect(edited?.content == "fixed here" && edited?.editedAtMs != nil)
                _ = try await run(["delete", "#general", "\(mine.id)"])
                #expect(!(try await ws.client("bob").messages(in: general.id).messages.contains { $0.id == mine.id }))

                let dm = try await run(["dm", "@bob", "psst,", "a", "secret"])
                #expect(dm.output.hasPrefix("sent "))
                let dmChannel = try await ws.client("bob").channels().first { $0.kind == .dm }
                #expect(try await ws.client("bob").messages(in: dmChannel!.id).messages.last?.content == "psst, a secret")

                let room = try await ws.client("bob").createChannel(name: "room")
                _ = try await run(["join", "\(room.id)"])
                #expect(try await ws.client("alice").channel(room.id).isMember == true)
                _ = try await ws.client("bob").post("in the room", to: room.id)
                _ = try await eventually { try await ws.client("alice").channel(room.id).unreadCount == 1 ? true : nil }
                _ = try await run(["read", "#room"])
                #expect(try await ws.client("alice").channel(room.id).unreadCount == 0)
                _ = try await run(["leave", "#room"])
                #expect(try await ws.client("alice").channel(room.id).isMember == false)

                _ = try await run(["presence", "away"])
                let notified = try await ws.client("bob").post("<@\(ws.user("alice").id)> ping", to: general.id).message
                _ = try await eventually { try await ws.client("alice").notifications().first?.messageID == notified.id ? true : nil }
                let notifications = try await run(["notifications"])
                #expect(notifications.output.contains("mention") && notifications.output.contains("#general"))
                let threads = try await run(["threads", "--json"])
                #expect(try JSON.decode(ThreadsResponse.self, from: Data(threads.output.utf8)).threads.isEmpty)

                // Bad input: a clear message and a failing status.
                let badID = try await Self.switchboard(["edit", "#general", "not-an-id", "x"], home: home)
                #expect(badID.status != 0 && badID.errors.contains("not an id"))
                let badPresence = try await Self.switchboard(["presence", "sleepy"], home: home)
                #expect(badPresence.status != 0 && badPresence.errors.contains("active, away or dnd"))
                let nobody = try await Self.switchboard(["dm", "@nobody", "hi"], home: home)
                #expect(nobody.status != 0 && nobody.errors.contains("@nobody"))
            }
        }
    }
}
