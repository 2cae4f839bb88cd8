import Hummingbird
import SwitchboardBuildInfo
import SwitchboardCore
import SwitchboardLocking

/// `/healthz` (liveness: the process and its event loops answer) and `/readyz` (readiness:
/// send it traffic), shared by origin and edge; each says what it checks.
public enum Health {
    public static func liveness(role: String, startedAtMs: UInt64) -> HealthResponse {
        HealthResponse(status: "ok", role: role, version: BuildInfo.description, uptimeMs: WallClock.nowMs() - startedAtMs)
    }

    /// 200 when there is no reason not to be ready, else 503 with the reasons.
    public static func readiness(role: String, reasons: [String], feeds: [String: String]? = nil) -> EditedResponse<ReadinessResponse> {
        let body = ReadinessResponse(role: role, version: BuildInfo.description, reasons: reasons, feeds: feeds)
        return EditedResponse(status: body.isReady ? .ok : .serviceUnavailable, response: body)
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `check`, giving up after `limit` even if the check itself cannot be interrupted (a
    /// database that stopped answering), so a probe always gets an answer.
    public static func within(_ limit: Duration, _ what: String, _ check: @escaping @Sendable () async throws -> Void) async throws {
        let settled = Locked(false)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            @Sendable func settle(_ result: Result<Void, any Error>) {
                let first = settled.withLock { done -> Bool in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            Task {
                do {
                    try await check()
                    settle(.success(()))
                } catch {
                    settle(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                settle(.failure(TimedOut(description: "\(what) did not answer within \(limit)")))
            }
        }
    }
}
