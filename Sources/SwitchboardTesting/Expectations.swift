#if canImport(Testing)
import Foundation
import SwitchboardClient
import SwitchboardCore
import Testing

/// Expects the call to fail with this HTTP status and protocol error code.
public func expectAPIError(_ status: Int, _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation,
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

/// Polls `check` until it returns a value or the time is up, for effects that arrive
/// asynchronously (notifications, state reaching an edge through its feed). A check that
/// throws is tried again; the last error is reported if time runs out. Never used to wait
/// for something a test could await directly. The default time is generous on purpose: a
/// condition met is returned at once, and on a loaded two-core CI machine 15 s was not enough
/// for 100 posts through two edges and haproxy.
public func eventually<T>(timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
                          _ check: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await check() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met in time\(lastError.map { "; last error: \($0)" } ?? "")", sourceLocation: sourceLocation)
    throw CancellationError()
}

extension SwitchboardClient {
    /// The caller's `#general`.
    public func general() async throws -> Channel {
        try #require(try await channels().first { $0.name == "general" })
    }
}
#endif
