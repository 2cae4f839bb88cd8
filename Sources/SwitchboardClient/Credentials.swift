import Foundation
import SwitchboardCore

/// Where a command-line client keeps its origin URL and token between runs:
/// `$SWITCHBOARD_CREDENTIALS`, else `~/.config/switchboard/credentials.json`, readable by
/// its owner only.
public struct Credentials: Codable, Sendable, Equatable {
    public var origin: String
    public var token: String

    public init(origin: String, token: String) {
        self.origin = origin
        self.token = token
    }

    public static var defaultPath: String {
        if let path = ProcessInfo.processInfo.environment["SWITCHBOARD_CREDENTIALS"], !path.isEmpty { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.config/switchboard/credentials.json"
    }

    public static func load(from path: String = defaultPath) -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSON.decode(Credentials.self, from: data)
    }

    public func save(to path: String = defaultPath) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSON.encode(self).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

extension SwitchboardClient {
    /// One of the caller's channels by `#name`, `name` or id.
    public func channel(named reference: String) async throws -> Channel {
        let channels = try await channels()
        let name = reference.hasPrefix("#") ? String(reference.dropFirst()) : reference
        if let id = Snowflake(name), let channel = channels.first(where: { $0.id == id }) { return channel }
        if let channel = channels.first(where: { $0.name == name }) { return channel }
        throw APIError(status: 404, error: SwitchboardError.notFound("channel '\(reference)' among yours"))
    }
}
