import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Runs `body` against a fresh origin with a workspace of the given users. The message rate
/// limit is off unless a test asks for it.
func withWorkspace(_ handles: [String] = ["alice", "bob", "carol"], rateLimit: Int = 0,
                   _ body: (TestOrigin, TestWorkspace) async throws -> Void) async throws {
    // A window far longer than any test: a slow machine must not let a burst slip under the limit.
    try await TestOrigin.with(configure: { $0.messageRateLimit = rateLimit; $0.messageRateWindowMs = 600_000 }) { origin in
        let workspace = try await TestWorkspace.make(on: origin, handles: handles)
        try await body(origin, workspace)
    }
}
