import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// What the edge passes to the origin, taken apart by requests a fuzzer sent (schemathesis,
/// scripts/api-contract.sh): an answer that comes before the client has sent its whole body,
/// and methods the API has no use for.
@Suite struct EdgeProxyTests {
    /// The origin refuses a bad upload URL (403) before the body is in. The edge's forwarding
    /// task could still be reading the client's body when the edge answered and Hummingbird
    /// read the same stream to skip the rest: the edge trapped (crashed) on the second reader.
    @Test func anEarlyAnswerToAStreamedUploadLeavesTheEdgeServing() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret) { origin in
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-proxy-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                let small = directory.appendingPathComponent("small"), large = directory.appendingPathComponent("large")
                try Data(pngBytes(width: 1, height: 1)).write(to: small)
                try Data(count: 4 << 20).write(to: large)

                // Every request on one keep-alive connection: a reader left behind by one breaks the next.
                for (file, count) in [(small, 40), (large, 8)] {
                    let url = edge.baseURL + "/api/attachments/uploads/0?exp=&sig="
                    let run = try await ExternalTool.run("curl", ["-sS", "--max-time", "60", "-X", "PUT",
                        "-H", "Content-Type: application/octet-stream", "--data-binary", "@\(file.path)",
                        "-w", "%{http_code}\n"] + Array(repeating: ["-o", "/dev/null", url], count: count).flatMap { $0 })
                    let statuses = run.output.split(separator: "\n")
                    #expect(run.status == 0, "curl: \(run.errors)")
                    #expect(statuses.count == count && statuses.allSatisfy { $0 == "403" }, "\(statuses)")
                }
                let health = try await ExternalTool.curl(edge.baseURL + "/healthz", caFile: nil)
                #expect(health.line.hasSuffix(" 200"))
            }
        }
    }

    /// TRACE and the like are no endpoint of the API: 404 with an error body, as at the origin
    /// (the edge's HTTP client refused to send a TRACE with a body, and the edge answered 500).
    @Test func methodsTheAPIDoesNotUseAreNotFoundAtBothTiers() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret) { origin in
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                for base in [origin.baseURL, edge.baseURL] {
                    for method in ["TRACE", "PROPFIND", "LINK"] {
                        let answer = try await ExternalTool.curl(base + "/api/workspaces", caFile: nil,
                                                                 ["-X", method, "-H", "Content-Type: application/json", "-d", #"{"name":""}"#])
                        #expect(answer.line.hasSuffix(" 404"), "\(method) \(base): \(answer.line) \(answer.body)")
                        #expect(answer.body.contains(#""code":"not_found""#), "\(method) \(base): \(answer.body)")
                    }
                }
            }
        }
    }
}
