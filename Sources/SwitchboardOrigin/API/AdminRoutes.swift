import Hummingbird
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// Workspaces, users, tokens and bulk import: admin key only.
enum AdminRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.post("/api/workspaces") { request, context in
            try origin.requireAdmin(request)
            let body = try await request.json(CreateWorkspaceRequest.self, context: context)
            let workspace = try await origin.chat.createWorkspace(body)
            return EditedResponse(status: .created, response: WorkspaceResponse(workspace: workspace))
        }
        router.post("/api/workspaces/:workspace/users") { request, context in
            try origin.requireAdmin(request)
            let workspaceID = try context.id("workspace")
            let body = try await request.json(CreateUserRequest.self, context: context)
            var passwordHash: String?
            if let password = body.password { passwordHash = try await origin.signIn.hash(password) }
            let user = try await origin.chat.createUser(workspaceID: workspaceID, body, passwordHash: passwordHash)
            let token = try await origin.tokens.issue(for: Caller(userID: user.id, workspaceID: workspaceID))
            return EditedResponse(status: .created, response: CreatedUserResponse(user: user, token: token))
        }
        router.post("/api/workspaces/:workspace/tokens") { request, context in
            try origin.requireAdmin(request)
            let workspaceID = try context.id("workspace")
            let body = try await request.json(CreateTokenRequest.self, context: context)
            guard let user = try await origin.store.user(body.userID), user.workspaceID == workspaceID, !user.deleted else {
                throw SwitchboardError.notFound("user")
            }
            return TokenResponse(token: try await origin.tokens.issue(for: Caller(userID: user.id, workspaceID: workspaceID)))
        }
        router.post("/api/workspaces/:workspace/import") { request, context in
            try origin.requireAdmin(request)
            let workspaceID = try context.id("workspace")
            // Batches are large on purpose; 64 MiB at most.
            let batch = try await request.json(ImportBatch.self, context: context, limit: 64 << 20)
            guard batch.rowCount <= 200_000 else { throw SwitchboardError.badRequest("at most 200,000 rows per import") }
            // Hashed (and checked) before anything is stored, so a bad password imports nothing.
            let passwords = try await origin.signIn.hashes(for: batch.passwords ?? [], of: batch.users)
            let result = try await origin.store.importBatch(batch, workspaceID: workspaceID)
            for (userID, hash) in passwords {
                try await origin.store.setPasswordHash(userID: userID, hash, nowMs: WallClock.nowMs())
            }
            return result
        }
    }
}
