import Foundation
import SwitchboardTesting
import Testing

/// The systemd units in deploy/systemd pass `systemd-analyze verify` (pointed at the binaries
/// this build made) without a single warning, and keep the properties operations relies on.
@Suite struct DeployUnitsTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy").standardized

    @Test func systemdUnitsVerify() async throws {
        let analyze = try #require(ChildProcess.which("systemd-analyze"), "systemd-analyze is missing (apt-get install systemd)")
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for unit in ["switchboard-origin.service", "switchboard-edge@.service"] {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
            for required in ["EnvironmentFile=", "LimitNOFILE=", "TimeoutStopSec=", "DynamicUser=yes", "StateDirectory=",
                             "ProtectSystem=strict", "NoNewPrivileges=yes", "--log-format json"] {
                #expect(text.contains(required), "\(unit) lacks \(required)")
            }
            // Secrets come from the EnvironmentFile, never the command line.
            #expect(!text.contains("--token-secret") && !text.contains("--admin-key") && !text.contains("--edge-key"))
            try text.replacingOccurrences(of: "/usr/local/bin/", with: bin + "/")
                .write(toFile: scratch + "/" + unit, atomically: true, encoding: .utf8)
        }
        // The edge's stop timeout outlasts its drain window (10 s by default) and the 2 s wait after it.
        let edge = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/switchboard-edge@.service"), encoding: .utf8)
        let timeout = edge.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") }.flatMap { Int($0.dropFirst(15).dropLast()) }
        #expect((timeout ?? 0) > 12)
        let verify = try ChildProcess(analyze, ["verify", scratch + "/switchboard-origin.service", scratch + "/switchboard-edge@eu-west.service"],
                                      environment: ProcessInfo.processInfo.environment)
        defer { verify.cleanUp() }
        #expect(try await verify.wait() == 0)
        // Unknown keys and bad values are only warnings to systemd: any output is a failure here.
        #expect(verify.errors.isEmpty && verify.output.isEmpty, "\(verify.errors)\(verify.output)")
    }
}
