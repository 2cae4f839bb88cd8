import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardCore

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign in and save the token for later commands.",
        discussion: """
            With --workspace and --email (or --handle), asks for the password (on the terminal, \
            without echo; or one line on standard input) and signs in. With --token, checks that \
            token instead.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "The workspace, by name or id.") var workspace: String?
    @Option(help: "Your email address in the workspace.") var email: String?
    @Option(help: "Your handle (instead of --email).") var handle: String?

    func validate() throws {
        if workspace != nil, email == nil, handle == nil { throw ValidationError("--workspace needs --email or --handle") }
    }

    func run() async throws {
        let token: String
        if let workspace {
            let password = try PasswordPrompt.read("Password for \(email ?? handle ?? "") in \(workspace): ")
            token = try await SwitchboardClient(baseURL: options.originURL)
                .login(workspace: workspace, email: email, handle: handle, password: password).token
        } else {
            token = try options.userToken()
        }
        let me = try await SwitchboardClient(baseURL: options.originURL, token: token).me()
        try Credentials(origin: options.originURL, token: token).save()
        if options.json { Output.json(UserResponse(user: me)) } else {
            Output.emit("logged in as @\(me.handle) (\(me.displayName)) at \(options.originURL); saved to \(Credentials.defaultPath)")
        }
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End this sign-in (its token is refused everywhere) and forget it.")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await SwitchboardClient(baseURL: options.originURL, token: try options.userToken()).logout()
        if FileManager.default.fileExists(atPath: Credentials.defaultPath) {
            try FileManager.default.removeItem(atPath: Credentials.defaultPath)
        }
        Output.emit("signed out")
    }
}

struct Channels: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Your channels and DMs, with unread and mention counts.")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let channels = try await options.client().channels()
        if options.json { return Output.json(ChannelsResponse(channels: channels)) }
        for channel in channels {
            let name = channel.kind.isDirect ? channel.name : "#\(channel.name)"
            let unread = channel.unreadCount ?? 0, mentions = channel.mentionCount ?? 0
            let counts = unread == 0 ? "" : "  \(unread) unread" + (mentions == 0 ? "" : ", \(mentions) mentions")
            Output.emit("\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(channel.kind.rawValue)\(counts)")
        }
    }
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Post a message.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Argument(help: "The message (mention people as <@USER_ID>).") var text: String
    @Option(help: "Reply in this message's thread.") var thread: String?

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        let posted = try await client.post(text, to: target.id, threadID: thread.flatMap { Snowflake($0) })
        if options.json { return Output.json(MessageResponse(message: posted.message)) }
        Output.emit("sent \(posted.message.id) to #\(target.name)")
    }
}

struct Upload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Share a file in a channel (streamed, not read into memory).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The file to share.") var file: String
    @Option(help: "Channel: #name, name or id.") var channel: String
    @Option(help: "Text to post with the file.") var message = ""
    @Option(help: "Media type (default: from the file's extension).") var type: String?

    func run() async throws {
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        let uploaded = try await client.upload(fileAt: file, contentType: type ?? Self.mediaType(of: file))
        let posted = try await client.post(message, to: target.id, attachmentIDs: [uploaded.id])
        if options.json { return Output.json(MessageResponse(message: posted.message)) }
        Output.emit("shared \(uploaded.name) (\(uploaded.size) bytes) in #\(target.name) as message \(posted.message.id)")
    }

    /// The media type a file's extension suggests; the server checks images' bytes.
    static func mediaType(of path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "pdf": "application/pdf"
        case "txt", "log", "md": "text/plain"
        case "csv": "text/csv"
        case "json": "application/json"
        case "zip": "application/zip"
        case "gz", "tgz": "application/gzip"
        case "mp3": "audio/mpeg"
        case "ogg": "audio/ogg"
        case "mp4": "video/mp4"
        case "webm": "video/webm"
        default: "application/octet-stream"
        }
    }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A channel's latest messages.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Option(help: "How many (at most 100).") var limit = 20
    @Option(help: "Messages older than this id.") var before: String?

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        let page = try await client.messages(in: target.id, before: before.flatMap { Snowflake($0) }, limit: limit)
        if options.json { return Output.json(page) }
        let handles = try await Output.handles(for: page.messages, client: client)
        for message in page.messages { Output.emit(Output.line(message, handles: handles)) }
    }
}

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Search the messages of your channels.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Words to find.") var query: String
    @Option(help: "Only this channel (#name, name or id).") var channel: String?
    @Option(help: "How many results.") var limit = 20

    func run() async throws {
        let client = try await options.client()
        let scope = try await channel.asyncMap { try await client.channel(named: $0) }
        let results = try await client.search(query, channelID: scope?.id, limit: limit)
        if options.json { return Output.json(MessagesResponse(messages: results)) }
        let names = Dictionary(try await client.channels().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let handles = try await Output.handles(for: results, client: client)
        for message in results { Output.emit(Output.line(message, handles: handles, channel: names[message.channelID])) }
        if results.isEmpty { Output.emit("no messages match '\(query)'") }
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Find people by handle or name.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Beginning of a handle or name.") var query: String
    @Option(help: "How many.") var limit = 20

    func run() async throws {
        let users = try await options.client().searchUsers(query, limit: limit)
        if options.json { return Output.json(UsersResponse(users: users)) }
        for user in users {
            let status = [user.statusEmoji, user.statusText].filter { !$0.isEmpty }.joined(separator: " ")
            Output.emit("@\(user.handle.padding(toLength: 16, withPad: " ", startingAt: 0)) \(user.displayName) — \(user.title)"
                  + (status.isEmpty ? "" : "  [\(status)]"))
        }
    }
}

struct Edges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The edges the origin knows, nearest first.")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let origin = SwitchboardClient(baseURL: options.originURL, token: try options.userToken())
        let edges = try await origin.edges()
        let ranked = await SwitchboardClient.rankEdges(edges.map(\.publicURL))
        if options.json { return Output.json(EdgesResponse(edges: edges)) }
        for ranking in ranked {
            let region = edges.first { $0.publicURL == ranking.url }?.region ?? "?"
            Output.emit("\(region.padding(toLength: 12, withPad: " ", startingAt: 0)) \(ranking.url)  \(String(format: "%.1f", ranking.roundTripMs)) ms")
        }
        let silent = edges.filter { edge in !ranked.contains { $0.url == edge.publicURL } }
        for edge in silent { Output.emit("\(edge.region.padding(toLength: 12, withPad: " ", startingAt: 0)) \(edge.publicURL)  not answering") }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
