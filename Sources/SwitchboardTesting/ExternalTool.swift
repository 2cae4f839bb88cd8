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
        guard let executable = ChildProcess.which(name) else { throw ChildProcessError(description: "\(name) is not on PATH") }
        let child = try ChildProcess(executable, arguments, environment: ProcessInfo.processInfo.environment, input: input)
        defer { child.cleanUp() }
        let status = try await child.wait(timeout: timeout)
        return Run(status: status, output: child.output, errors: child.errors)
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
