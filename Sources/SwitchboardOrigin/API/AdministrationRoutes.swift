import Hummingbird
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// People, channels and hooks managed by owners and admins (their token), and by the
/// operator (the admin key) where a workspace has no owner yet.
enum AdministrationRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        let chat = origin.chat
        router.post("/api/users/:id/deactivate") { request, context in
            let userID = try context.id("id")
            switch try await origin.actor(request) {
            case .operatorKey:
                return UserResponse(user: try await chat.administer(userID: userID, UserAdministration(
                    deleted: true, sessionsValidFromMs: WallClock.nowMs())))
            case .member(let caller):
                return UserResponse(user: try await chat.setActive(caller, userID: userID, active: false))
            }
        }
        router.post("/api/users/:id/reactivate") { request, context in
            let userID = try context.id("id")
            switch try await origin.actor(request) {
            case .operatorKey: return UserResponse(user: try await chat.administer(userID: userID, UserAdministration(deleted: false)))
            case .member(let caller): return UserResponse(user: try await chat.setActive(caller, userID: userID, active: true))
            }
        }
        router.post("/api/users/:id/sessions/revoke") { request, context in
            let caller = try await origin.caller(request)
            return UserResponse(user: try await chat.revokeTokens(caller, userID: try context.id("id")))
        }
        router.put("/api/users/:id/role") { request, context in
            let actor = try await origin.actor(request)
            let body = try await request.json(SetRoleRequest.self, context: context)
            switch actor {
            case .operatorKey: return UserResponse(user: try await chat.administer(userID: try context.id("id"), UserAdministration(role: body.role)))
            case .member(let caller): return UserResponse(user: try await chat.setRole(caller, userID: try context.id("id"), role: body.role))
            }
        }
        router.patch("/api/workspaces/:workspace/users/:id") { request, context in
            try origin.requireAdmin(request)
            let body = try await request.json(AdminUserPatchRequest.self, context: context)
            let deactivating = body.active == false
            let change = UserAdministration(role: body.role, deleted: body.active.map { !$0 },
                                            sessionsValidFromMs: deactivating ? WallClock.nowMs() : nil)
            return UserResponse(user: try await chat.administer(workspaceID: try context.id("workspace"),
                                                                userID: try context.id("id"), change))
        }

        router.patch("/api/channels/:channel") { request, context in
            let actor = try await origin.actor(request)
            let body = try await request.json(UpdateChannelRequest.self, context: context)
            return ChannelResponse(channel: try await chat.updateChannel(actor, channelID: try context.id("channel"), body))
        }
        router.post("/api/channels/:channel/archive") { request, context in
            let actor = try await origin.actor(request)
            return ChannelResponse(channel: try await chat.setArchived(actor, channelID: try context.id("channel"), archived: true))
        }
        router.post("/api/channels/:channel/unarchive") { request, context in
            let actor = try await origin.actor(request)
            return ChannelResponse(channel: try await chat.setArchived(actor, channelID: try context.id("channel"), archived: false))
        }
        router.delete("/api/channels/:channel/members/:user") { request, context in
            let actor = try await origin.actor(request)
            try await chat.removeMember(actor, channelID: try context.id("channel"), userID: try context.id("user"))
            return EmptyResponse()
        }

        router.post("/api/hooks") { request, context in
            let caller = try await origin.caller(request)
            _ = try await chat.requireAdmin(caller, to: "create hooks")
            let body = try await request.json(CreateHookRequest.self, context: context)
            return try await HookRoutes.create(body, workspaceID: caller.workspaceID, origin: origin)
        }
        router.get("/api/hooks") { request, _ in
            HooksResponse(hooks: try await chat.hooks(try await origin.caller(request)).map(HookInfo.init))
        }
        router.delete("/api/hooks/:id") { request, context in
            switch try await origin.actor(request) {
            case .operatorKey:
                try await chat.revokeHook(workspaceID: nil, hookID: try context.id("id"))
            case .member(let caller):
                _ = try await chat.requireAdmin(caller, to: "revoke hooks")
                try await chat.revokeHook(workspaceID: caller.workspaceID, hookID: try context.id("id"))
            }
            return EmptyResponse()
        }
        router.post("/api/integrations") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(CreateIntegrationRequest.self, context: context)
            return EditedResponse(status: .created, response: IntegrationResponse(integration: try await chat.createIntegration(caller, body)))
        }
        router.get("/api/integrations") { request, _ in
            IntegrationsResponse(integrations: try await chat.integrations(try await origin.caller(request)))
        }
        router.delete("/api/integrations/:id") { request, context in
            let caller = try await origin.caller(request)
            try await chat.deleteIntegration(caller, id: try context.id("id"))
            return EmptyResponse()
        }
        router.post("/api/channels/:channel/commands") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(SlashCommandRequest.self, context: context)
            return try await chat.runCommand(caller, channelID: try context.id("channel"), body)
        }
        router.delete("/api/workspaces/:workspace/hooks/:id") { request, context in
            try origin.requireAdmin(request)
            try await chat.revokeHook(workspaceID: try context.id("workspace"), hookID: try context.id("id"))
            return EmptyResponse()
        }
    }
}
