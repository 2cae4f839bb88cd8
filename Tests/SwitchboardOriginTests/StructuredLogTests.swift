import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `--log-format json`: every line of both daemons parses as a JSON object, and a request
/// proxied by the edge carries one id (`X-Request-Id`, taken from the client or made at the
/// edge) into the edge's log, the origin's log and the answer.
@Suite struct StructuredLogTests {
    @Test func aProxiedRequestsIdIsInTheEdgesAndTheOriginsJSONLog() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let secret = TestOrigin.randomSecret(), edgeKey = "log-test-edge-key"
        let origin = try await OriginProcess(dataDirectory: directory + "/origin", adminKey: "log-admin", tokenSecret: secret,
                                             arguments: ["--log-format", "json"], environment: ["SWITCHBOARD_EDGE_KEY": edgeKey])
        defer { origin.stop() }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard-edge")
        let edge = try ChildProcess(binary.path, ["--port", "0", "--origin", origin.baseURL, "--data-dir", directory + "/edge",
                                                  "--log-format", "json"],
                                    environment: ProcessInfo.processInfo.environment.merging([
                                        "SWITCHBOARD_TOKEN_SECRET": secret, "SWITCHBOARD_EDGE_KEY": edgeKey]) { $1 })
        defer {
            edge.signal(SIGKILL)
            edge.waitBlocking()
            edge.cleanUp()
        }
        let edgePort = try await eventually(timeout: .seconds(30)) { () -> Int? in
            Self.lines(edge.errors).first { $0["message"] as? String == "edge listening" }.flatMap { ($0["port"] as? String).flatMap(Int.init) }
        }
        let client = SwitchboardClient(baseURL: "http://127.0.0.1:\(edgePort)", timeout: .testRequest)
        let login = #"{"workspace":"nowhere","email":"nobody@example.com","password":"not-the-password"}"#
        // The client's own id is kept; without one, the edge makes one.
        let named = try await client.raw(.POST, "/api/auth/login", body: Data(login.utf8),
                                         headers: [("Content-Type", "application/json"), ("X-Request-Id", "trace-4f1c9a")])
        #expect(named.status == 401)
        let unnamed = try await client.raw(.POST, "/api/auth/login", body: Data(login.utf8), headers: [("Content-Type", "application/json")])
        #expect(unnamed.status == 401)
        let made = try await eventually { () -> String? in
            Self.lines(edge.errors).compactMap { line -> String? in
                guard line["message"] as? String == "request", let id = line["request_id"] as? String, id != "trace-4f1c9a" else { return nil }
                return id
            }.first
        }
        for id in ["trace-4f1c9a", made] {
            _ = try await eventually { () -> Bool? in
                let atEdge = Self.lines(edge.errors).contains { $0["request_id"] as? String == id && $0["path"] as? String == "/api/auth/login" }
                let atOrigin = Self.lines(origin.process.output).contains {
                    $0["request_id"] as? String == id && $0["path"] as? String == "/api/auth/login" && $0["status"] as? String == "401"
                }
                return atEdge && atOrigin ? true : nil
            }
        }
        // Every line of both logs is one JSON object with a time, a level and a message.
        for log in [edge.errors, origin.process.output] {
            let text = log.split(separator: "\n")
            #expect(!text.isEmpty)
            for line in text {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["time"] is String && object?["level"] is String && object?["message"] is String, "not a JSON log line: \(line)")
            }
        }
    }

    static func lines(_ log: String) -> [[String: Any]] {
        log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}
