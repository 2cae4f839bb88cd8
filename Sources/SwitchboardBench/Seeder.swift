import Foundation
import SwitchboardClient
import SwitchboardCore

/// What `seed` made, saved for the other scenarios (`--manifest`).
public struct BenchManifest: Codable, Sendable {
    public var originURL: String
    public var workspaceID: Snowflake
    public var generalChannelID: Snowflake
    public var shape: WorkspaceShape
    public var userIDs: [Snowflake]
    public var channels: Int
    public var dms: Int
    public var memberships: Int
    public var messages: Int
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case shape, channels, dms, memberships, messages, seconds
        case originURL = "origin_url"
        case workspaceID = "workspace_id"
        case generalChannelID = "general_channel_id"
        case userIDs = "user_ids"
    }

    public func save(to path: String) throws { try JSON.encode(self).write(to: URL(fileURLWithPath: path)) }
    public static func load(from path: String) throws -> BenchManifest {
        try JSON.decode(BenchManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Builds a synthetic workspace at an origin through the admin bulk import.
public struct Seeder: Sendable {
    public let origin: SwitchboardClient

    public init(origin: SwitchboardClient) { self.origin = origin }

    public func seed(_ shape: WorkspaceShape, name: String? = nil, batchRows: Int = 20_000,
                     quiet: Bool = false) async throws -> BenchManifest {
        let started = ContinuousClock.now
        let workspace = try await origin.createWorkspace(name: name ?? "bench-\(shape.users)-users-seed-\(shape.seed)")
        guard let general = workspace.generalChannelID else { throw BenchError("the origin did not name #general") }
        let synthetic = SyntheticWorkspace(shape: shape, workspaceID: workspace.id, generalID: general,
                                           nowMs: UInt64(Date().timeIntervalSince1970 * 1_000))
        // Timeline messages plus about one reply in eight per message, two per DM.
        let expected = shape.users + shape.channels + synthetic.dmCount + synthetic.membershipCount
            + shape.channels * shape.messagesPerChannel * 5 / 4 + synthetic.dmCount * 2
        let progress = ProgressBar("seed", total: expected, unit: "rows", quiet: quiet)
        var counts = ImportResult(users: 0, channels: 0, memberships: 0, messages: 0)
        try await synthetic.forEachBatch(maxRows: batchRows) { batch in
            let stored = try await origin.importBatch(workspaceID: workspace.id, batch)
            counts.users += stored.users
            counts.channels += stored.channels
            counts.memberships += stored.memberships
            counts.messages += stored.messages
            progress.advance(by: batch.rowCount)
        }
        progress.finish()
        return BenchManifest(originURL: origin.baseURL, workspaceID: workspace.id, generalChannelID: general, shape: shape,
                             userIDs: synthetic.userIDs, channels: shape.channels, dms: synthetic.dmCount,
                             memberships: counts.memberships, messages: counts.messages,
                             seconds: (ContinuousClock.now - started).seconds)
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
