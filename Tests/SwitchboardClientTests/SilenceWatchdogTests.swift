import Foundation
@testable import SwitchboardSockets
import Testing

/// The feed's watchdog: silence is time with nothing heard while the reader was reading.
/// Bounds here are lower bounds (a busy machine only makes the waits longer).
@Suite struct SilenceWatchdogTests {
    @Test func silenceEndsTheWaitOnceTheLimitPassesWithNothingHeard() async throws {
        let watchdog = SilenceWatchdog(limit: .milliseconds(200))
        let started = ContinuousClock.now
        #expect(!watchdog.fired)
        try await watchdog.silence()
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(watchdog.fired)
    }

    @Test func whatIsHeardPushesTheSilenceBack() async throws {
        let watchdog = SilenceWatchdog(limit: .milliseconds(300))
        try await Task.sleep(for: .milliseconds(150))
        watchdog.heard()
        let heard = ContinuousClock.now
        try await watchdog.silence()
        // A full limit from the last thing heard, not from when the watchdog was made.
        #expect(ContinuousClock.now - heard >= .milliseconds(300))
    }

    @Test func aPausedReaderIsNotASilentPeer() async throws {
        let watchdog = SilenceWatchdog(limit: .milliseconds(200))
        watchdog.pause()
        let started = ContinuousClock.now
        let waiting = Task {
            try await watchdog.silence()
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(700))
        let resumed = ContinuousClock.now
        watchdog.resume()
        let ended = try await waiting.value
        // Not during the 700 ms paused, and a full limit after the resume.
        #expect(ended - started >= .milliseconds(700))
        #expect(ended - resumed >= .milliseconds(200))
    }

    @Test func aCancelledWaitThrows() async {
        let watchdog = SilenceWatchdog(limit: .seconds(60))
        let waiting = Task { try await watchdog.silence() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
    }
}
