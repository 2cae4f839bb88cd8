import SwitchboardCore

/// The origin processes an edge talks to (several may share one PostgreSQL database), and
/// which of them serves a workspace.
///
/// A workspace's feed, its proxied requests and its history fetches all go to one process, so
/// that the per-process state there (gateway sessions, presence, typing, rate limits) sees the
/// whole workspace. The choice is rendezvous hashing: every edge computes the same process for
/// a workspace without coordination, and adding or removing a process moves only the
/// workspaces that it gains or loses.
public struct OriginDirectory: Sendable {
    public let urls: [String]

    public init(urls: [String]) {
        precondition(!urls.isEmpty, "at least one origin URL")
        self.urls = urls
    }

    /// The process serving `workspaceID`; the first one for requests without a workspace
    /// (sign-in, webhooks), which any process answers alike.
    public func url(for workspaceID: Snowflake?) -> String {
        guard let workspaceID, urls.count > 1 else { return urls[0] }
        return urls.max { Self.weight($0, workspaceID) < Self.weight($1, workspaceID) }!
    }

    /// The first of `candidates` in the workspace's order (nil if none is one of `urls`): where
    /// a workspace goes when its first choice is down. Removing a process moves only its own
    /// workspaces, each to the process next in that workspace's order.
    public func url(for workspaceID: Snowflake?, among candidates: Set<String>) -> String? {
        let eligible = urls.filter(candidates.contains)
        guard let workspaceID, eligible.count > 1 else { return eligible.first }
        return eligible.max { Self.weight($0, workspaceID) < Self.weight($1, workspaceID) }
    }

    /// FNV-1a of "url|workspace": stable across processes and runs (Swift's `Hasher` is seeded
    /// per process, so it cannot be used here), then mixed so that near inputs spread.
    static func weight(_ url: String, _ workspaceID: Snowflake) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(url)|\(workspaceID.rawValue)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        var mixer = SplitMix(state: hash)
        return mixer.next()
    }

    private struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }
}
