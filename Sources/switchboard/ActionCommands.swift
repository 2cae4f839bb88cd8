import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardCore

/// The everyday actions beside sending: reactions, edits, deletes, DMs, joining and leaving,
/// read positions, presence, notifications and threads.

struct React: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add (or with --remove take back) a reaction.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Argument(help: "The message's id.") var message: String
    @Argument(help: "Emoji name (thumbsup) or character.") var emoji: String
    @Flag(help: "Remove your reaction instead.") var remove = false

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        try await client.react(emoji, to: try Snowflake.argument(message), in: target.id, present: !remove)
        if options.json { return Output.json(EmptyResponse()) }
        Output.emit("\(remove ? "removed" : "added") :\(emoji): on \(message)")
    }
}

struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change the text of one of your messages.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Argument(help: "The message's id.") var message: String
    @Argument(help: "The new text.") var text: String

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        let edited = try await client.edit(try Snowflake.argument(message), in: target.id, content: text)
        if options.json { return Output.json(MessageResponse(message: edited)) }
        Output.emit("edited \(edited.id)")
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a message (yours, or any as the channel's creator or an admin).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Argument(help: "The message's id.") var message: String

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        try await client.delete(try Snowflake.argument(message), in: target.id)
        if options.json { return Output.json(EmptyResponse()) }
        Output.emit("deleted \(message)")
    }
}

struct DM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dm",
                                                    abstract: "Send a direct message (several handles: a group DM).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Handles (@alice or alice), then the message.") var words: [String]

    func run() async throws {
        let handles = words.prefix { $0.hasPrefix("@") }.map { String($0.dropFirst()) }
        let rest = words.dropFirst(max(handles.count, 1))
        let people = handles.isEmpty ? words.prefix(1).map { $0 } : handles
        guard !people.isEmpty, !rest.isEmpty else { throw ValidationError("usage: switchboard dm @handle [@handle…] message") }
        let client = try await options.client()
        var ids: [Snowflake] = []
        for handle in people {
            guard let user = try await client.searchUsers(handle, limit: 20).first(where: { $0.handle == handle.lowercased() }) else {
                throw ValidationError("nobody has the handle @\(handle)")
            }
            ids.append(user.id)
        }
        let dm = try await client.openDM(with: ids)
        let posted = try await client.post(rest.joined(separator: " "), to: dm.id)
        if options.json { return Output.json(MessageResponse(message: posted.message)) }
        Output.emit("sent \(posted.message.id) to \(dm.name)")
    }
}

struct Join: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Join a public channel (by id).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The channel's id.") var channel: String

    func run() async throws {
        let joined = try await options.client().join(try Snowflake.argument(channel))
        if options.json { return Output.json(ChannelResponse(channel: joined)) }
        Output.emit("joined #\(joined.name)")
    }
}

struct Leave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Leave a channel.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        try await client.leave(target.id)
        if options.json { return Output.json(EmptyResponse()) }
        Output.emit("left #\(target.name)")
    }
}

struct MarkRead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Mark a channel read (up to its latest message, or --message).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Option(help: "Read up to this message (it may be older: that marks later ones unread).") var message: String?

    func run() async throws {
        let client = try await options.client()
        let target = try await client.channel(named: channel)
        guard let upTo = try message.map(Snowflake.argument) ?? target.lastMessageID else {
            if options.json { return Output.json(EmptyResponse()) }
            return Output.emit("#\(target.name) has no messages")
        }
        try await client.markRead(target.id, messageID: upTo)
        if options.json { return Output.json(EmptyResponse()) }
        Output.emit("#\(target.name) read up to \(upTo)")
    }
}

struct Presence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set your presence: active, away or dnd.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "active, away or dnd.") var status: String

    func run() async throws {
        guard let chosen = PresenceStatus(rawValue: status), chosen != .offline else {
            throw ValidationError("presence is active, away or dnd")
        }
        try await options.client().setPresence(chosen)
        if options.json { return Output.json(EmptyResponse()) }
        Output.emit("you are \(chosen.rawValue)")
    }
}

struct Notifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What you were notified of while away.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "How many.") var limit = 50

    func run() async throws {
        let notifications = try await options.client().notifications(limit: limit)
        if options.json { return Output.json(NotificationsResponse(notifications: notifications)) }
        for notification in notifications { Output.emit("\(notification.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(notification.text)") }
        if notifications.isEmpty { Output.emit("no notifications") }
    }
}

struct Threads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The threads you follow, with unread replies.")
    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let client = try await options.client()
        let threads = try await client.threads()
        if options.json { return Output.json(ThreadsResponse(threads: threads)) }
        let handles = try await Output.handles(for: threads.map(\.parent), client: client)
        for thread in threads {
            let unread = thread.unreadReplies == 0 ? "" : "  \(thread.unreadReplies) unread"
            Output.emit(Output.line(thread.parent, handles: handles) + "  (\(thread.parent.replyCount) replies\(unread))")
        }
        if threads.isEmpty { Output.emit("you follow no threads") }
    }
}

extension Snowflake {
    /// An id given on the command line.
    static func argument(_ text: String) throws -> Snowflake {
        guard let id = Snowflake(text) else { throw ValidationError("'\(text)' is not an id") }
        return id
    }
}
