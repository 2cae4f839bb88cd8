import Foundation
import SwitchboardAuth
import SwitchboardCore

/// Outgoing webhooks and slash commands, managed by owners and admins.
extension Chat {
    public func createIntegration(_ caller: Caller, _ request: CreateIntegrationRequest) async throws -> Integration {
        _ = try await requireAdmin(caller, to: "manage integrations")
        guard let url = URL(string: request.url), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
              request.url.utf8.count <= 2048 else {
            throw SwitchboardError.badRequest("url must be an http or https URL")
        }
        var name = request.name.trimmingCharacters(in: .whitespaces)
        var channelID: Snowflake?
        var words: [String] = []
        switch request.kind {
        case .command:
            name = name.lowercased()
            guard name.hasPrefix("/"), (2...33).contains(name.count),
                  name.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw SwitchboardError.badRequest("a command is / and 1-32 of a-z, 0-9, '-' or '_'")
            }
        case .outgoing:
            name = try Validation.text(name, field: "name", max: Limits.maxWorkspaceNameLength, allowEmpty: false)
            guard let id = request.channelID else { throw SwitchboardError.badRequest("an outgoing webhook needs channel_id") }
            let channel = try await visibleChannel(caller, id)
            guard !channel.kind.isDirect else { throw SwitchboardError.badRequest("DMs have no outgoing webhooks") }
            channelID = channel.id
            words = try (request.triggerWords ?? []).map { try Validation.text($0, field: "trigger_words", max: 30, allowEmpty: false) }
            guard words.count <= 10 else { throw SwitchboardError.badRequest("at most 10 trigger words") }
        }
        let bot = try await createBotUser(workspaceID: caller.workspaceID, name: name.hasPrefix("/") ? String(name.dropFirst()) : name,
                                          title: request.kind == .command ? "Slash command" : "Outgoing webhook")
        if let channelID {
            _ = try await committing(caller.workspaceID) { try await store.addMember(channelID: channelID, userID: bot.id, nowMs: now()) }
        }
        let integration = Integration(id: ids.next(), kind: request.kind, name: name, channelID: channelID, url: request.url,
                                      triggerWords: words, botUserID: bot.id, createdAtMs: now(), secret: Self.randomToken())
        try await store.insertIntegration(integration, workspaceID: caller.workspaceID)
        integrations?.forget(caller.workspaceID)
        return integration
    }

    /// Without their secrets.
    public func integrations(_ caller: Caller) async throws -> [Integration] {
        _ = try await requireAdmin(caller, to: "manage integrations")
        return try await store.integrations(workspaceID: caller.workspaceID, kind: nil).map { integration in
            var shown = integration
            shown.secret = nil
            return shown
        }
    }

    public func deleteIntegration(_ caller: Caller, id: Snowflake) async throws {
        _ = try await requireAdmin(caller, to: "manage integrations")
        guard try await store.deleteIntegration(id: id, workspaceID: caller.workspaceID) else {
            throw SwitchboardError.notFound("integration")
        }
        integrations?.forget(caller.workspaceID)
    }

    /// Runs `/command text` in a channel: the command's server answers; `in_channel` answers are
    /// posted as its bot (which joins the channel if needed), anything else is for the caller only.
    public func runCommand(_ caller: Caller, channelID: Snowflake, _ request: SlashCommandRequest) async throws -> SlashCommandResult {
        guard let integrations else { throw SwitchboardError(.unavailable, "integrations are not running") }
        let channel = try await writableChannel(caller, channelID)
        guard channel.isMember == true else { throw SwitchboardError.notAMember }
        let text = try Validation.text(request.text, field: "text", max: Limits.maxContentCharacters)
        let name = request.command.lowercased()
        guard let command = try await store.integrations(workspaceID: caller.workspaceID, kind: .command)
            .first(where: { $0.name == name }) else {
            throw SwitchboardError.notFound("command \(request.command)")
        }
        let answer = try await integrations.call(command, IntegrationCall(
            kind: .command, workspaceID: caller.workspaceID, channelID: channelID, userID: caller.userID,
            command: command.name, text: text))
        guard let answer, let reply = answer.text else { return SlashCommandResult(responseType: "ephemeral", text: "") }
        guard answer.responseType == "in_channel" else { return SlashCommandResult(responseType: "ephemeral", text: reply) }
        if !(try await store.isMember(channelID: channelID, userID: command.botUserID)) {
            _ = try await committing(caller.workspaceID) {
                try await store.addMember(channelID: channelID, userID: command.botUserID, nowMs: now())
            }
        }
        let bot = Caller(userID: command.botUserID, workspaceID: caller.workspaceID)
        let posted = try await postMessage(bot, channelID: channelID, PostMessageRequest(content: reply)).message
        return SlashCommandResult(responseType: "in_channel", text: reply, message: posted)
    }
}
