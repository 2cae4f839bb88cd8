import Foundation
import SwitchboardClient
import SwitchboardCore

/// Many gateway clients of one server, as the load scenarios need them.
public enum Fleet {
    /// Connects one client per token (at most `parallelism` handshakes at once): `hello`,
    /// `identify` with the focus `focus(i)` gives, `ready`; a client given no focus then sends
    /// `focus {null}` (it looks at nothing, so it gets badges). Returns the sockets and each
    /// one's time to `ready` in ms.
    public static func connect(url: String, tokens: [String], focus: @escaping @Sendable (Int) -> Snowflake?,
                               parallelism: Int = 32, progress: ProgressBar? = nil) async throws -> [(GatewaySocket, Double)] {
        try await withThrowingTaskGroup(of: (Int, GatewaySocket, Double).self) { group in
            var results = [(GatewaySocket, Double)?](repeating: nil, count: tokens.count)
            var next = 0
            func launch() {
                let index = next
                next += 1
                group.addTask {
                    let started = ContinuousClock.now
                    let socket = try await GatewaySocket.connect(url, mailboxCapacity: 4_096)
                    _ = try await socket.expect("hello", timeout: .seconds(120))
                    let chosen = focus(index)
                    try await socket.send(.identify(.init(token: tokens[index], focusChannelID: chosen)))
                    _ = try await socket.expect("ready", timeout: .seconds(300))
                    let elapsed = (ContinuousClock.now - started).milliseconds
                    if chosen == nil { try await socket.send(.focus(.init(channelID: nil))) }
                    return (index, socket, elapsed)
                }
            }
            for _ in 0..<min(parallelism, tokens.count) { launch() }
            while let (index, socket, elapsed) = try await group.next() {
                results[index] = (socket, elapsed)
                progress?.advance()
                if next < tokens.count { launch() }
            }
            return results.compactMap { $0 }
        }
    }

    /// Tokens for `users`, from the admin API.
    public static func tokens(for users: [Snowflake], workspaceID: Snowflake, admin: SwitchboardClient,
                              progress: ProgressBar? = nil) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var tokens = [String](repeating: "", count: users.count)
            for (index, user) in users.enumerated() {
                if index >= 16, let (done, token) = try await group.next() {
                    tokens[done] = token
                    progress?.advance()
                }
                group.addTask { (index, try await admin.issueToken(workspaceID: workspaceID, userID: user)) }
            }
            while let (done, token) = try await group.next() {
                tokens[done] = token
                progress?.advance()
            }
            return tokens
        }
    }
}

/// What `/metrics` says about a server process.
public struct ProcessSample: Codable, Sendable {
    public var cpuSeconds: Double
    public var residentBytes: Double
    /// Resident memory not backed by a file: an edge's RSS without LMDB's mapped pages.
    public var anonymousBytes: Double
    public var openFiles: Double

    public static func read(_ baseURL: String) async throws -> ProcessSample {
        let (_, body) = try await SwitchboardClient(baseURL: baseURL).raw(.GET, "/metrics")
        var values: [String: Double] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return ProcessSample(cpuSeconds: values["process_cpu_seconds_total"] ?? 0,
                             residentBytes: values["process_resident_memory_bytes"] ?? 0,
                             anonymousBytes: values["switchboard_process_resident_anonymous_bytes"] ?? 0,
                             openFiles: values["process_open_fds"] ?? 0)
    }

    /// A counter or gauge of `/metrics` by its full name (with labels, if any).
    public static func metric(_ name: String, at baseURL: String) async throws -> Double {
        let (_, body) = try await SwitchboardClient(baseURL: baseURL).raw(.GET, "/metrics")
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}
