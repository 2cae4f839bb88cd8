import HTTPTypes
import Hummingbird
import NIOCore
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// Sign-in, sign-out, passwords and invites.
enum AuthRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.post("/api/auth/login") { request, context in
            let body = try await request.json(LoginRequest.self, context: context)
            return try await origin.signIn.login(body, address: origin.clientAddress(request, context))
        }
        router.post("/api/auth/logout") { request, _ in
            try await origin.signIn.logout(try await origin.caller(request))
            return Response(status: .noContent)
        }
        router.patch("/api/users/me/password") { request, context in
            let body = try await request.json(ChangePasswordRequest.self, context: context)
            try await origin.signIn.changePassword(try await origin.caller(request), body)
            return Response(status: .noContent)
        }
        router.post("/api/workspaces/:workspace/invites") { request, context in
            let workspaceID = try context.id("workspace")
            let actor = try await origin.actor(request)
            let body = try await request.json(CreateInviteRequest.self, context: context,
                                          orIfEmpty: CreateInviteRequest())
            let invite = try await origin.signIn.createInvite(actor, workspaceID: workspaceID, body,
                                                              baseURL: origin.publicURL(request, context))
            return EditedResponse(status: .created, response: InviteResponse(invite: invite))
        }
        router.get("/api/auth/invites/:code") { _, context in
            try await origin.signIn.preview(code: try context.parameters.require("code"))
        }
        router.post("/api/auth/invites/:code") { request, context in
            let body = try await request.json(AcceptInviteRequest.self, context: context)
            let response = try await origin.signIn.accept(code: try context.parameters.require("code"), body,
                                                          address: origin.clientAddress(request, context))
            return EditedResponse(status: .created, response: response)
        }
        router.patch("/api/workspaces/:workspace") { request, context in
            let workspaceID = try context.id("workspace")
            let actor = try await origin.actor(request)
            let body = try await request.json(UpdateWorkspaceRequest.self, context: context)
            return WorkspaceResponse(workspace: try await origin.chat.updateWorkspace(actor, workspaceID: workspaceID, body))
        }
    }
}

extension HTTPField.Name {
    static let forwardedFor = Self("X-Forwarded-For")!
    static let forwardedHost = Self("X-Forwarded-Host")!
    static let forwardedProto = Self("X-Forwarded-Proto")!
}

extension Origin {
    /// The client's address: the peer's, or — when the peer is a trusted proxy (an edge, a load
    /// balancer) — the last address its `X-Forwarded-For` names.
    func clientAddress(_ request: Request, _ context: OriginRequestContext) -> String {
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard configuration.signIn.trustedProxies.contains(peer),
              let forwarded = request.headers[.forwardedFor]?.split(separator: ",").last else { return peer }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }

    /// Where people reach the web client: `auth.publicUrl`, else the address this request was
    /// made to (as a trusted proxy forwarded it).
    func publicURL(_ request: Request, _ context: OriginRequestContext) -> String {
        if let url = configuration.signIn.publicURL, !url.isEmpty { return url.hasSuffix("/") ? String(url.dropLast()) : url }
        let trusted = configuration.signIn.trustedProxies.contains(context.channel.remoteAddress?.ipAddress ?? "")
        if trusted, let host = request.headers[.forwardedHost] {
            return (request.headers[.forwardedProto] ?? "https") + "://" + host
        }
        let scheme = transport.certificates == nil ? "http" : "https"
        return scheme + "://" + (request.head.authority ?? "\(configuration.host):\(configuration.port)")
    }
}
