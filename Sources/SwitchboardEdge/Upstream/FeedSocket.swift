import SwitchboardCore
import SwitchboardSockets
import SwitchboardTLS

/// An edge's WebSocket to the origin's `/edge/feed`: typed messages in, commands out.
public typealias FeedSocket = FrameSocket<FeedMessage>

extension FrameSocket where Frame == FeedMessage {
    /// How long a feed may stay silent before the edge closes it and reconnects (or fails
    /// over): the origin sends a heartbeat every few seconds (`feed.heartbeatMs`, 4 s by
    /// default), and any byte counts, so a blackholed or frozen origin is noticed this long
    /// after its last byte, while one busy streaming a long snapshot is not.
    public static var defaultSilenceLimit: Duration { .seconds(10) }

    /// Opens an edge feed: `ws(s)://origin/edge/feed?workspace_id=...&after=...`.
    public static func openFeed(originURL: String, edgeKey: String, workspaceID: Snowflake, after: UInt64?,
                                edgeID: String = "edge", region: String = "", publicURL: String = "",
                                tls: ClientTLS = .environment, silenceLimit: Duration = defaultSilenceLimit) async throws -> FeedSocket {
        let url = webSocketURL(originURL) + "/edge/feed" + URLQuery.string([
            ("workspace_id", workspaceID.description), ("after", after.map(String.init)), ("edge_id", edgeID),
            ("region", region), ("public_url", publicURL),
        ])
        return try await connect(url, headers: [("X-Edge-Key", edgeKey)], tls: tls, silenceLimit: silenceLimit, parse: { bytes in
            let message = try FeedMessage(decoding: bytes)
            // Heartbeats only keep the silence watchdog quiet, which counts bytes: nothing to hand on.
            if case .heartbeat = message { return nil }
            return message
        })
    }

    /// Sends a command to the origin.
    public func send(_ command: FeedCommand) async throws {
        try await sendRaw(command.encoded())
    }
}
