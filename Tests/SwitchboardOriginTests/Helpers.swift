import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Expects the call to fail with this HTTP status and protocol error code.
func expectAPIError(_ status: Int, _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected HTTP \(status) \(code.rawValue), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as APIError {
        #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected an APIError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// Runs `body` against a fresh origin with a workspace of the given users. The message rate
/// limit is off unless a test asks for it.
func withWorkspace(_ handles: [String] = ["alice", "bob", "carol"], rateLimit: Int = 0,
                   _ body: (TestOrigin, TestWorkspace) async throws -> Void) async throws {
    try await TestOrigin.with(configure: { $0.messageRateLimit = rateLimit }) { origin in
        let workspace = try await TestWorkspace.make(on: origin, handles: handles)
        try await body(origin, workspace)
    }
}

extension SwitchboardClient {
    func general() async throws -> Channel {
        try #require(try await channels().first { $0.name == "general" })
    }
}
