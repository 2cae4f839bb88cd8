import SwitchboardCore
import SwitchboardSockets
import SwitchboardTLS

/// An edge's WebSocket to the origin's `/edge/feed`: typed messages in, commands out.
public typealias FeedSocket = FrameSocket<FeedMessage>

extension FrameSocket where Frame == FeedMessage {
    /// How often a feed pings the origin: an origin that stops answering (blackholed, frozen)
    /// is noticed within two periods, and the edge reconnects (or fails over).
    public static var pingPeriod: Duration { .seconds(5) }

    /// Opens an edge feed: `ws(s)://origin/edge/feed?workspace_id=...&after=...`.
    public static func openFeed(originURL: String, edgeKey: String, workspaceID: Snowflake, after: UInt64?,
                                edgeID: String = "edge", region: String = "", publicURL: String = "",
                                tls: ClientTLS = .environment) async throws -> FeedSocket {
        let url = webSocketURL(originURL) + "/edge/feed" + URLQuery.string([
            ("workspace_id", workspaceID.description), ("after", after.map(String.init)), ("edge_id", edgeID),
            ("region", region), ("public_url", publicURL),
        ])
        return try await connect(url, headers: [("X-Edge-Key", edgeKey)], tls: tls, pingEvery: pingPeriod,
                                 parse: { try FeedMessage(decoding: $0) })
    }

    /// Sends a command to the origin.
    public func send(_ command: FeedCommand) async throws {
        try await sendRaw(command.encoded())
    }
}
