import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

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

