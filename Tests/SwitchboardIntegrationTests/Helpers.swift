import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Polls `check` until it returns a value or the time is up (for state that reaches the edge
/// asynchronously through the feed).
func eventually<T>(timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
                   _ check: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try? await check() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met in time", sourceLocation: sourceLocation)
    throw CancellationError()
}

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

/// The same client, pointed at an edge.
extension SwitchboardClient {
    func via(_ edge: TestEdge) -> SwitchboardClient { edge.client(token: token) }

    /// The value of a counter in `/metrics` (0 if absent).
    func metric(_ name: String) async throws -> Double {
        let text = try await metricsText()
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return 0
    }
}

extension SwitchboardClient {
    func general() async throws -> Channel {
        try #require(try await channels().first { $0.name == "general" })
    }
}
