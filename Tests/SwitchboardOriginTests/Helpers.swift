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

/// Polls `check` until it returns a value or the time is up (asynchronous effects such as
/// notifications). Never used to wait for something the test could await directly.
func eventually<T>(timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
                   _ check: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await check() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met in time", sourceLocation: sourceLocation)
    throw CancellationError()
}
