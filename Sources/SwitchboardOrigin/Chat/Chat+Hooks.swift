import Crypto
import Foundation
import SwitchboardAuth
import SwitchboardCore

/// Incoming webhooks: a hook is bound to a channel and posts as its own bot user.
extension Chat {
    /// Creates the hook's bot user (a member of the channel) and the hook. The token is
    /// returned once; only its SHA-256 is kept.
    public func createHook(workspaceID: Snowflake, _ request: CreateHookRequest) async throws -> (hook: StoredHook, token: String) {
        let name = try Validation.text(request.name, field: "name", max: Limits.maxWorkspaceNameLength, allowEmpty: false)
        guard let channel = try await store.channel(request.channelID, viewer: Snowflake(0)), channel.workspaceID == workspaceID,
              !channel.kind.isDirect else {
            throw SwitchboardError.notFound("channel")
        }
        let bot = try await createBotUser(workspaceID: workspaceID, name: name)
        _ = try await committing(workspaceID) { try await store.addMember(channelID: channel.id, userID: bot.id, nowMs: now()) }
        let token = Self.randomToken()
        let hook = StoredHook(id: ids.next(), workspaceID: workspaceID, channelID: channel.id, botUserID: bot.id, name: name,
                              tokenHash: Self.tokenHash(token), createdAtMs: now())
        try await store.insertHook(hook)
        return (hook, token)
    }

    /// Posts `content` to the hook's channel as its bot, with the validation and rate limit of
    /// any post. An unknown token is `not_found` (as if there were no such URL).
    public func postViaHook(token: String, _ request: HookPostRequest) async throws -> Message {
        guard token.utf8.count <= 128, let hook = try await store.hook(tokenHash: Self.tokenHash(token)) else {
            throw SwitchboardError.notFound("hook")
        }
        guard let content = request.message else { throw SwitchboardError.badRequest("content is required") }
        let bot = Caller(userID: hook.botUserID, workspaceID: hook.workspaceID)
        return try await postMessage(bot, channelID: hook.channelID, PostMessageRequest(content: content)).message
    }

    /// A bot user whose handle derives from the hook's name ("CI alerts" → `ci-alerts-bot`),
    /// numbered when taken.
    func createBotUser(workspaceID: Snowflake, name: String, title: String = "Incoming webhook") async throws -> User {
        let slug = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
            .split(separator: "-").joined(separator: "-")
        let base = String((slug.isEmpty ? "hook" : slug).prefix(Limits.maxHandleLength - 8)) + "-bot"
        for attempt in 1...20 {
            let handle = attempt == 1 ? base : "\(base)-\(attempt)"
            do {
                return try await createUser(workspaceID: workspaceID, CreateUserRequest(
                    handle: handle, displayName: name, title: title, isBot: true))
            } catch let error as SwitchboardError where error.code == .conflict {
                continue
            }
        }
        throw SwitchboardError.conflict("no free handle for a bot named '\(name)'")
    }

    /// 32 random bytes, hex: the hook's secret.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
