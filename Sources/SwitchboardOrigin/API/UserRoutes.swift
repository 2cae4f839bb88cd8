import Hummingbird
import SwitchboardCore
import SwitchboardServer

enum UserRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        router.get("/api/users/me") { request, _ in
            UserResponse(user: try await origin.chat.me(try await origin.caller(request)))
        }
        router.patch("/api/users/me") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(UpdateProfileRequest.self, context: context)
            return UserResponse(user: try await origin.chat.updateProfile(caller, body))
        }
        router.get("/api/users/search") { request, _ in
            let caller = try await origin.caller(request)
            let users = try await origin.chat.searchUsers(caller, query: request.queryString("q") ?? "",
                                                          limit: try request.queryInt("limit"))
            return UsersResponse(users: users)
        }
        router.get("/api/users/:id") { request, context in
            let caller = try await origin.caller(request)
            return UserResponse(user: try await origin.chat.user(caller, id: try context.id("id")))
        }
        router.get("/api/users") { request, _ in
            let caller = try await origin.caller(request)
            guard let raw = request.queryString("ids"), !raw.isEmpty else {
                throw SwitchboardError.badRequest("ids is required: GET /api/users?ids=1,2,3")
            }
            let ids = try raw.split(separator: ",", omittingEmptySubsequences: false).map { part in
                guard let id = Snowflake(part.trimmingPrefix(" ")) else { throw SwitchboardError.badRequest("'\(part)' is not a valid id") }
                return id
            }
            return UsersResponse(users: try await origin.chat.users(caller, ids: ids))
        }
        router.get("/api/notifications") { request, _ in
            let caller = try await origin.caller(request)
            return NotificationsResponse(notifications: try await origin.chat.notifications(
                caller, after: try request.queryID("after"), limit: try request.queryInt("limit")))
        }
        router.put("/api/presence") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(SetPresenceRequest.self, context: context)
            try origin.chat.setPresence(caller, body.status)
            return EmptyResponse()
        }
    }
}
