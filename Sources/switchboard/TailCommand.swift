import ArgumentParser
import Foundation
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore

/// `switchboard tail #channel`: the channel live, with focus — its messages as they arrive,
/// who is typing in it, and badges for your other channels. Follows the edge's `reconnect`
/// to the next nearest edge without missing a message.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follow a channel live (Ctrl-C to stop).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Channel: #name, name or id.") var channel: String
    @Option(help: "Stop after this many messages (default: never).") var count: Int?

    func run() async throws {
        let token = try options.userToken()
        let first = try await options.client()
        let target = try await first.channel(named: channel)
        let names = Dictionary(try await first.channels().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let options = self.options
        let session = LiveSession(token: token, focus: target.id) { try await options.baseURL() }
        let printer = Printer(json: options.json, channelNames: names) { ids in
            (try? await first.users(ids: ids)) ?? []
        }
        let limit = count
        let task = Task {
            await session.run { update in
                await printer.show(update)
                if let limit, printer.messagesShown >= limit { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        await task.value
    }
}

/// Prints a live session's updates, learning handles from the profiles the edge pushes.
final class Printer: Sendable {
    let json: Bool
    let channelNames: [Snowflake: String]
    /// Profiles by id, for handles the session was not sent.
    let lookUp: @Sendable ([Snowflake]) async -> [User]
    private let state = Locked<(handles: [Snowflake: String], messages: Int)>(([:], 0))

    init(json: Bool, channelNames: [Snowflake: String], lookUp: @escaping @Sendable ([Snowflake]) async -> [User]) {
        self.json = json
        self.channelNames = channelNames
        self.lookUp = lookUp
    }

    var messagesShown: Int { state.withLock { $0.messages } }

    func show(_ update: LiveSession.Update) async {
        switch update {
        case .connected(let baseURL, let ready):
            if let ready, let workingSet = try? ready.payload(ReadyPayload<WorkingSet>.self).bootstrap {
                learn(workingSet.users.map { ($0.id, $0.handle) })
            }
            status("connected to \(baseURL)")
        case .message(let message):
            state.withLock { $0.messages += 1 }
            if json { return Output.json(message) }
            await learnHandles(for: message)
            Output.emit(Output.line(message, handles: state.withLock { $0.handles }))
        case .event(let frame):
            if json { return Output.emit(String(decoding: frame.raw, as: UTF8.self)) }
            show(frame)
        case .reconnecting(let reason):
            status("reconnecting (\(reason))")
        }
    }

    private func show(_ frame: ServerFrame) {
        switch frame.eventType {
        case .userUpdated?:
            if let user = try? frame.payload(User.self) { learn([(user.id, user.handle)]) }
        case .typingStarted?:
            if let typing = try? frame.payload(TypingStarted.self) {
                status("@\(state.withLock { $0.handles[typing.userID] } ?? typing.userID.description) is typing…")
            }
        case .unreadUpdated?:
            if let badge = try? frame.payload(ReadState.self), badge.unreadCount > 0 {
                let name = channelNames[badge.channelID].map { "#\($0)" } ?? badge.channelID.description
                status("\(name): \(badge.unreadCount) unread" + (badge.mentionCount > 0 ? ", \(badge.mentionCount) mentions" : ""))
            }
        default:
            return
        }
    }

    /// Authors and mentioned users the edge did not push (the origin pushes none) are looked up.
    private func learnHandles(for message: Message) async {
        let known = state.withLock { $0.handles }
        let missing = ([message.authorID] + message.mentions).filter { known[$0] == nil }
        guard !missing.isEmpty else { return }
        learn(await lookUp(missing).map { ($0.id, $0.handle) })
    }

    private func learn(_ handles: [(Snowflake, String)]) {
        state.withLock { state in
            for (id, handle) in handles { state.handles[id] = handle }
        }
    }

    private func status(_ text: String) {
        if json { return }
        FileHandle.standardError.write(Data("· \(text)\n".utf8))
    }
}
