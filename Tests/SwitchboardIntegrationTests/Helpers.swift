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


extension FrameSocket where Frame == ServerFrame {
    /// Every frame that arrives within `duration` (ends early if the socket closes).
    func frames(for duration: Duration) async throws -> [ServerFrame] {
        var frames: [ServerFrame] = []
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            do {
                guard let frame = try await next(timeout: deadline - ContinuousClock.now) else { break }
                frames.append(frame)
            } catch is Timeout {
                break
            }
        }
        return frames
    }

    /// Frames until one matches, keeping them all (the match last).
    func frames(until matches: (ServerFrame) -> Bool, timeout: Duration = .seconds(10)) async throws -> [ServerFrame] {
        let (frame, skipped) = try await next(where: matches, timeout: timeout)
        return skipped + [frame]
    }
}

extension ServerFrame {
    func isEvent(_ type: EventType) -> Bool { op == "event" && t == type.rawValue }

    /// Whether the frame's payload names this channel anywhere (for "nothing about C" checks).
    func mentions(_ id: Snowflake) -> Bool { String(decoding: raw, as: UTF8.self).contains("\"\(id)\"") }
}
