import Hummingbird
import SwitchboardCore
import SwitchboardServer

enum ChannelRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        let chat = origin.chat
        router.post("/api/channels") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(CreateChannelRequest.self, context: context)
            return EditedResponse(status: .created, response: ChannelResponse(channel: try await chat.createChannel(caller, body)))
        }
        router.post("/api/dms") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(OpenDMRequest.self, context: context)
            return ChannelResponse(channel: try await chat.openDirect(caller, body))
        }
        router.get("/api/channels") { request, _ in
            ChannelsResponse(channels: try await chat.channels(try await origin.caller(request)))
        }
        router.get("/api/channels/browse") { request, _ in
            ChannelsResponse(channels: try await chat.browsableChannels(try await origin.caller(request)))
        }
        router.get("/api/channels/:channel") { request, context in
            let caller = try await origin.caller(request)
            return ChannelResponse(channel: try await chat.channel(caller, id: try context.id("channel")))
        }
        router.post("/api/channels/:channel/join") { request, context in
            let caller = try await origin.caller(request)
            return ChannelResponse(channel: try await chat.join(caller, channelID: try context.id("channel")))
        }
        router.post("/api/channels/:channel/leave") { request, context in
            let caller = try await origin.caller(request)
            try await chat.leave(caller, channelID: try context.id("channel"))
            return EmptyResponse()
        }
        router.post("/api/channels/:channel/members") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(AddMemberRequest.self, context: context)
            try await chat.addMember(caller, channelID: try context.id("channel"), userID: body.userID)
            return EmptyResponse()
        }
        router.get("/api/channels/:channel/receipts") { request, context in
            let caller = try await origin.caller(request)
            return ReadReceiptsResponse(receipts: try await chat.readReceipts(caller, channelID: try context.id("channel")))
        }
        router.put("/api/channels/:channel/preferences") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(ChannelPreferencesRequest.self, context: context)
            return ChannelResponse(channel: try await chat.setPreferences(caller, channelID: try context.id("channel"), body))
        }
        router.get("/api/channels/:channel/members") { request, context in
            let caller = try await origin.caller(request)
            return try await chat.members(caller, channelID: try context.id("channel"), after: try request.queryID("after"),
                                          limit: try request.queryInt("limit"))
        }
        router.post("/api/channels/:channel/typing") { request, context in
            let caller = try await origin.caller(request)
            let channelID = try context.id("channel")
            try await chat.typing(caller, channelID: channelID)
            let nowMs = WallClock.nowMs()
            if origin.restTyping.withLock({ $0.allow(UserInChannel(user: caller.userID, channel: channelID), nowMs: nowMs) }) {
                origin.sessions.startTyping(userID: caller.userID, channelID: channelID, workspaceID: caller.workspaceID, nowMs: nowMs)
            }
            return Response(status: .noContent)
        }
        router.post("/api/channels/:channel/read") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(MarkReadRequest.self, context: context)
            try await chat.markRead(caller, channelID: try context.id("channel"), messageID: body.messageID)
            return EmptyResponse()
        }
    }
}
