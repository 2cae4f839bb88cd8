import Synchronization
import SwitchboardCore

/// The edges currently connected to this origin (`GET /api/edges`): which regions they
/// serve, where clients reach them, and which workspaces they carry.
public final class EdgeDirectory: Sendable {
    private struct Entry {
        var info: EdgeInfo
        var feeds: [Snowflake: Int] = [:]
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

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
            entries[edgeID] = entry.feeds.isEmpty ? nil : entry
        }
    }

    public var edges: [EdgeInfo] {
        entries.withLock { entries in
            entries.values.map { entry in
                var info = entry.info
                info.workspaceIDs = entry.feeds.keys.sorted()
                return info
            }.sorted { $0.id < $1.id }
        }
    }
}
