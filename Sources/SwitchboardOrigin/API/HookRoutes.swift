import Hummingbird
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// Incoming webhooks: created by an admin, called by anyone holding the hook's URL.
enum HookRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.post("/api/workspaces/:workspace/hooks") { request, context in
            try origin.requireAdmin(request)
            let body = try await request.json(CreateHookRequest.self, context: context)
            return try await create(body, workspaceID: try context.id("workspace"), origin: origin)
        }
        router.post("/hooks/:token") { request, context in
            let token = context.parameters.get("token") ?? ""
            let body = try await request.json(HookPostRequest.self, context: context)
            let message = try await origin.chat.postViaHook(token: token, body)
            return EditedResponse(status: .created, response: MessageResponse(message: message))
        }
    }

    /// The hook, with its token and its bot's token: shown once.
    static func create(_ body: CreateHookRequest, workspaceID: Snowflake,
                       origin: Origin) async throws -> EditedResponse<HookResponse> {
        let (hook, token) = try await origin.chat.createHook(workspaceID: workspaceID, body)
        let botToken = try await origin.tokens.issue(for: Caller(userID: hook.botUserID, workspaceID: workspaceID))
        return EditedResponse(status: .created, response: HookResponse(hook: Hook(
            id: hook.id, token: token, botUserID: hook.botUserID, channelID: hook.channelID, name: hook.name,
            botToken: botToken)))
    }
}
