import Foundation

/// A running `switchboard-edge` process (for tests that kill one), on LMDB in `dataDirectory`.
public final class EdgeProcess: DaemonProcess {
    public let process: ChildProcess
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(originURL: String, tokenSecret: String, dataDirectory: String, region: String = "test",
                arguments: [String] = []) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard-edge")
        // Secrets through the environment, as in production.
        let environment = ["SWITCHBOARD_EDGE_KEY": TestOrigin.edgeKey, "SWITCHBOARD_TOKEN_SECRET": tokenSecret]
        process = try ChildProcess(binary.path, ["--host", "127.0.0.1", "--port", "0", "--origin", originURL, "--data-dir", dataDirectory,
                                                 "--region", region, "--edge-id", "edge-\(region)", "--drain-window-ms", "100"] + arguments,
                                   environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, mergeErrors: true)
        port = try await OriginProcess.boundPort(of: process, daemon: "edge")
    }
}
