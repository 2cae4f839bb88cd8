import SwitchboardLocking
import SwitchboardCore

/// The edges currently connected to this origin (`GET /api/edges`): which regions they
/// serve, where clients reach them, and which workspaces they carry.
public final class EdgeDirectory: Sendable {
    private struct Entry {
        var info: EdgeInfo
        var feeds: [Snowflake: Int] = [:]
        /// Last registration heartbeat (ms); an edge is listed while it heartbeats or has feeds.
        var lastSeenMs: UInt64 = 0
    }

    private let entries = Locked<[String: Entry]>([:])
    /// An edge that neither heartbeats nor holds a feed for this long is no longer listed (ms).
    let registrationTTLms: UInt64
    private let now: @Sendable () -> UInt64

    public init(registrationTTLms: UInt64 = 30_000, now: @escaping @Sendable () -> UInt64 = { WallClock.nowMs() }) {
        self.registrationTTLms = registrationTTLms
        self.now = now
    }

    /// An edge announced itself (it repeats this every few seconds).
    func register(edgeID: String, region: String, publicURL: String) {
        let nowMs = now()
        entries.withLock { entries in
            var entry = entries[edgeID] ?? Entry(info: EdgeInfo(id: edgeID, region: region, publicURL: publicURL,
                                                                 workspaceIDs: [], connectedAtMs: nowMs))
            entry.info.region = region
            entry.info.publicURL = publicURL
            entry.lastSeenMs = nowMs
            entries[edgeID] = entry
        }
    }

    func feedOpened(edgeID: String, region: String, publicURL: String, workspaceID: Snowflake, nowMs: UInt64) {
        entries.withLock { entries in
            var entry = entries[edgeID] ?? Entry(info: EdgeInfo(id: edgeID, region: region, publicURL: publicURL,
                                                                 workspaceIDs: [], connectedAtMs: nowMs))
            entry.info.region = region
            entry.info.publicURL = publicURL
            entry.feeds[workspaceID, default: 0] += 1
            entries[edgeID] = entry
        }
    }

    func feedClosed(edgeID: String, workspaceID: Snowflake) {
        entries.withLock { entries in
            guard var entry = entries[edgeID] else { return }
            entry.feeds[workspaceID, default: 0] -= 1
            if entry.feeds[workspaceID, default: 0] <= 0 { entry.feeds[workspaceID] = nil }
            entries[edgeID] = entry
        }
    }

    public var edges: [EdgeInfo] {
        let nowMs = now()
        return entries.withLock { entries in
            entries = entries.filter { !$0.value.feeds.isEmpty || $0.value.lastSeenMs + registrationTTLms > nowMs }
            return entries.values.map { entry in
                var info = entry.info
                info.workspaceIDs = entry.feeds.keys.sorted()
                return info
            }.sorted { $0.id < $1.id }
        }
    }
}
