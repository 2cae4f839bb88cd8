import Foundation

/// A running `switchboard-origin` process and the port it bound. Its store is the SQLite file
/// in `dataDirectory`, or `databaseURL` when given; with `SWITCHBOARD_TEST_STORE=postgres` the
/// schema that belongs to `dataDirectory`.
public final class OriginProcess: DaemonProcess {
    public let process: ChildProcess
    public let port: Int

    /// `https` when started with a certificate.
    public let scheme: String

    public init(dataDirectory: String, adminKey: String, tokenSecret: String, databaseURL: String? = nil,
                workerID: Int = 1, port requested: Int = 0, arguments: [String] = [],
                environment extra: [String: String] = [:]) async throws {
        scheme = arguments.contains("--tls-cert") ? "https" : "http"
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("switchboard-origin")
        var environment = ["SWITCHBOARD_ADMIN_KEY": adminKey, "SWITCHBOARD_TOKEN_SECRET": tokenSecret]
        // Through the environment, so that the password is not on a command line.
        if let url = try databaseURL ?? TestOrigin.postgresURL(for: dataDirectory) { environment["SWITCHBOARD_STORAGE"] = url }
        process = try ChildProcess(binary.path, ["--host", "127.0.0.1", "--port", "\(requested)", "--data-dir", dataDirectory,
                                                 "--rate-limit", "0", "--worker-id", "\(workerID)"] + arguments,
                                   environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(extra) { $1 },
                                   mergeErrors: true)
        port = try await Self.boundPort(of: process, daemon: "origin")
    }

    /// The port a daemon logged once it listened ("… listening … port=N"), within 30 s; the
    /// process is killed if it does not say.
    static func boundPort(of process: ChildProcess, daemon: String) async throws -> Int {
        let deadline = Date().addingTimeInterval(30)
        var seen = ""
        while Date() < deadline {
            seen = process.output
            // `port=N` in text logs, `"port":"N"` in JSON ones.
            if let range = seen.range(of: #"port(=|":")\d+"#, options: .regularExpression), let port = Int(seen[range].drop { !$0.isNumber }) {
                return port
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.signal(SIGKILL)
        throw TestFailure("the \(daemon) did not start: \(seen)")
    }

    public var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Sends a signal (SIGHUP: reload the certificate).
    public func signal(_ number: Int32) {
        process.signal(number)
    }
}

/// A daemon a test started as a process of its own, to stop or to kill.
public protocol DaemonProcess: Sendable {
    var process: ChildProcess { get }
}

extension DaemonProcess {
    /// `kill -9`, and waits for it to be gone.
    public func kill() {
        process.signal(SIGKILL)
        process.waitBlocking()
    }

    /// SIGTERM (the daemon drains and stops), and waits for it.
    public func stop() {
        process.signal(SIGTERM)
        process.waitBlocking()
        process.cleanUp()
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
