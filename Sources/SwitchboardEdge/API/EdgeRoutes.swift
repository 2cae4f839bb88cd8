import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import NIOPosix
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// What the edge answers itself, from LMDB: the working set and the lazy loads. Membership
/// is checked here for every channel-scoped read; anything else under `/api/` is proxied.
enum EdgeRoutes {
    static func add(to router: Router<EdgeRequestContext>, edge: Edge) {
        router.get("/api/bootstrap") { request, _ in
            let focus = try request.queryID("focus")
            let (caller, stored) = try await authorized(request, edge) { caller in
                try edge.store.storedWorkingSet(caller.workspaceID, user: caller.userID, focus: focus)
            }
            guard let workingSet = stored else { throw SwitchboardError.unauthorized }
            edge.metrics.bootstraps.increment()
            return JSONBody(try workingSet.json(preparing: { edge.files.signed($0) }))
        }
        router.get("/api/users/me") { request, _ in
            let caller = try await authorized(request, edge)
            guard let user = try await read(edge, { try edge.store.user(caller.workspaceID, caller.userID) }) else {
                throw SwitchboardError.unauthorized
            }
            return UserResponse(user: user)
        }
        router.get("/api/users/search") { request, _ in
            let caller = try await authorized(request, edge)
            let query = (request.queryString("q") ?? "").trimmingCharacters(in: .whitespaces)
            guard !query.isEmpty else { throw SwitchboardError.badRequest("q must not be empty") }
            let limit = min(max(try request.queryInt("limit") ?? Limits.defaultUserSearchLimit, 1), Limits.maxUserSearchLimit)
            return UsersResponse(users: try await read(edge, { try edge.store.searchUsers(caller.workspaceID, prefix: query, limit: limit) }))
        }
        router.get("/api/users/:id") { request, context in
            let caller = try await authorized(request, edge)
            let id = try context.id("id")
            guard let user = try await read(edge, { try edge.store.user(caller.workspaceID, id) }) else {
                throw SwitchboardError.notFound("user")
            }
            return UserResponse(user: user)
        }
        router.get("/api/users") { request, _ in
            let caller = try await authorized(request, edge)
            let raw = request.queryString("ids") ?? ""
            guard !raw.isEmpty else { throw SwitchboardError.badRequest("ids is required: GET /api/users?ids=1,2,3") }
            let ids = try raw.split(separator: ",", omittingEmptySubsequences: false).map { part in
                guard let id = Snowflake(part) else { throw SwitchboardError.badRequest("'\(part)' is not a valid id") }
                return id
            }
            guard ids.count <= Limits.maxUserIdsPerRequest else {
                throw SwitchboardError.badRequest("at most \(Limits.maxUserIdsPerRequest) ids per request")
            }
            return UsersResponse(users: try await read(edge, { try edge.store.users(caller.workspaceID, ids: ids) }))
        }
        router.get("/api/channels") { request, _ in
            let caller = try await authorized(request, edge)
            return ChannelsResponse(channels: try await read(edge, { try edge.store.channels(caller.workspaceID, of: caller.userID) }))
        }
        router.get("/api/channels/browse") { request, _ in
            let caller = try await authorized(request, edge)
            let channels = try await read(edge, { () -> [SwitchboardCore.Channel] in
                // Guests see only the channels they were invited to.
                if try edge.store.user(caller.workspaceID, caller.userID)?.role == .guest {
                    return try edge.store.channels(caller.workspaceID, of: caller.userID).filter { !$0.kind.isDirect }
                }
                return try edge.store.browsableChannels(caller.workspaceID, viewer: caller.userID)
            })
            return ChannelsResponse(channels: channels)
        }
        router.get("/api/channels/:channel") { request, context in
            let caller = try await authorized(request, edge)
            return ChannelResponse(channel: try await visibleChannel(edge, caller, try context.id("channel")))
        }
        router.get("/api/channels/:channel/members") { request, context in
            let caller = try await authorized(request, edge)
            let channelID = try context.id("channel")
            _ = try await visibleChannel(edge, caller, channelID)
            let limit = min(max(try request.queryInt("limit") ?? Limits.defaultMembersLimit, 1), Limits.maxMembersLimit)
            let after = try request.queryID("after")
            let page = try await read(edge, { try edge.store.members(caller.workspaceID, channel: channelID, after: after, limit: limit + 1) })
            let members = Array(page.prefix(limit))
            return MembersResponse(members: members, next: page.count > limit ? members.last : nil)
        }
        router.get("/api/channels/:channel/messages") { request, context in
            let caller = try await authorized(request, edge)
            let channelID = try context.id("channel")
            let channel = try await visibleChannel(edge, caller, channelID)
            guard channel.isMember == true else { throw SwitchboardError.notAMember }
            return try await history(edge, caller: caller, channelID: channelID, request: request)
        }
        router.get("/healthz") { _, _ in
            Health.liveness(role: "edge", startedAtMs: edge.startedAtMs)
        }
        // Ready: not draining, and the workspaces it warms at start (`workspaces`) have their
        // copies. A feed opened later on first use does not count (its first requests wait for
        // it), nor does a feed that lost the origin (`stale`): every edge loses it at once, a load
        // balancer with no ready backend would serve nobody, and the copies still serve reads.
        let warmed = Set(edge.configuration.workspaces.compactMap { Snowflake($0) })
        router.get("/readyz") { _, _ in
            var reasons: [String] = []
            if edge.gateway.isDraining { reasons.append("draining") }
            let feeds = edge.upstreams.readiness()
            for (workspaceID, state) in feeds.sorted(by: { $0.key < $1.key }) where state == .loading && warmed.contains(workspaceID) {
                reasons.append("workspace \(workspaceID): loading its copy from the origin")
            }
            return Health.readiness(role: "edge", reasons: reasons,
                                    feeds: Dictionary(uniqueKeysWithValues: feeds.map { ("\($0.key)", $0.value.rawValue) }))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: edge.metrics.render() + ProcessMetrics.text())))
        }
    }

    /// Verifies the token here and makes sure the workspace is synced.
    static func authorized(_ request: Request, _ edge: Edge) async throws -> Caller {
        try await authorized(request, edge) { _ in }.caller
    }

    /// The caller once ``Edge/whenReady(_:_:)``, and `read` done in the same trip to LMDB.
    static func authorized<T: Sendable>(_ request: Request, _ edge: Edge,
                                        then read: @escaping @Sendable (Caller) throws -> T) async throws -> (caller: Caller, T) {
        let caller = try await edge.tokens.verify(authorization: request.headers[.authorization])
        let result = try await edge.whenReady(caller) { try read(caller) }
        edge.upstreams.upstream(caller.workspaceID)?.touch()
        return (caller, result)
    }

    /// Public channels of the workspace are visible to everyone in it but guests; others to members only.
    static func visibleChannel(_ edge: Edge, _ caller: Caller, _ id: Snowflake) async throws -> SwitchboardCore.Channel {
        let (channel, role) = try await read(edge, {
            (try edge.store.channel(caller.workspaceID, id, viewer: caller.userID), try edge.store.user(caller.workspaceID, caller.userID)?.role)
        })
        guard let channel else { throw SwitchboardError.notFound("channel") }
        if channel.isMember == true { return channel }
        guard channel.kind == .public, role != .guest else { throw SwitchboardError.notAMember }
        return channel
    }

    /// The latest page from the LMDB cache when it covers the request, else the origin
    /// through the single-flight cache (one origin request for any number of concurrent
    /// identical requests), with `me` answered per viewer.
    static func history(_ edge: Edge, caller: Caller, channelID: Snowflake, request: Request) async throws -> MessagesResponse {
        let before = try request.queryID("before"), after = try request.queryID("after")
        let limitValue = try request.queryInt("limit")
        if let limitValue, limitValue < 1 { throw SwitchboardError.badRequest("limit must be at least 1") }
        let limit = min(limitValue ?? Limits.defaultHistoryLimit, Limits.maxHistoryLimit)
        if before == nil, after == nil {
            let (cached, complete) = try await read(edge, {
                (try edge.store.cachedMessages(caller.workspaceID, channel: channelID, viewer: caller.userID),
                 try edge.store.cacheIsComplete(caller.workspaceID, channel: channelID))
            })
            if cached.count > limit || complete {
                edge.metrics.historyFromCache.increment()
                return MessagesResponse(messages: edge.files.signed(Array(cached.suffix(limit))), hasMore: cached.count > limit)
            }
        }
        let token = TokenAuthority.bearerToken(request.headers[.authorization]) ?? ""
        let key = Edge.HistoryKey(channelID: channelID, before: before, after: after, limit: limit)
        let (page, fetched) = try await edge.history.value(for: key) {
            try await edge.proxy.history(workspaceID: caller.workspaceID, channelID: channelID, token: token, before: before, after: after, limit: limit)
        }
        if fetched { edge.metrics.historyOriginFetches.increment() }
        edge.metrics.historyFromOrigin.increment()
        return MessagesResponse(messages: page.messages.map { EdgeStore.present($0, to: caller.userID) }, hasMore: page.hasMore)
    }

    /// LMDB reads block briefly; they run on NIO's thread pool, never on an event loop.
    static func read<T: Sendable>(_ edge: Edge, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await blocking(work)
    }
}
