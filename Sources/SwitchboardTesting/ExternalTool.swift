import Foundation

/// Runs an independent program (curl, openssl, bash) for tests that check the servers against
/// clients that are not ours. Output goes through files, so a chatty tool cannot block on a pipe.
public enum ExternalTool {
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// Runs `name` (looked up on PATH) with `arguments`, at most `timeout`; `input` goes to its stdin.
    public static func run(_ name: String, _ arguments: [String], input: String? = nil,
                           timeout: Duration = .seconds(60)) async throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                   errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// `curl` with the CA, silent but showing errors: returns "HTTP_VERSION STATUS" and the body.
    public static func curl(_ url: String, caFile: String?, _ extra: [String] = []) async throws -> (line: String, body: String, run: Run) {
        let marker = "\n@@curl@@"
        var arguments = ["-sS", "--max-time", "20", "-w", marker + "%{http_version} %{http_code}"]
        if let caFile { arguments += ["--cacert", caFile] }
        let run = try await self.run("curl", arguments + extra + [url])
        guard let range = run.output.range(of: marker, options: .backwards) else { return ("", run.output, run) }
        return (String(run.output[range.upperBound...]), String(run.output[..<range.lowerBound]), run)
    }

    /// The serial number (lowercase hex, no leading zeros) of the certificate a new TLS
    /// connection to `port` is served, as openssl sees it.
    public static func servedCertificateSerial(port: Int) async throws -> String {
        let chain = try await run("bash", ["-c",
            "openssl s_client -connect 127.0.0.1:\(port) </dev/null 2>/dev/null | openssl x509 -noout -serial"])
        return chain.output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
            .lowercased().drop(while: { $0 == "0" }).description
    }
}
