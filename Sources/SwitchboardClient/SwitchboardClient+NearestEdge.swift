import Foundation
import NIOCore
import SwitchboardCore
import SwitchboardTLS

extension SwitchboardClient {
    /// An edge and how long a round trip to it took.
    public struct EdgeRanking: Sendable, Equatable, Codable {
        public var url: String
        /// Best of the samples, milliseconds.
        public var roundTripMs: Double
    }

    /// Measures each candidate's round trip (the best of `samples` `GET /readyz`: a draining or loading edge is not a candidate) and returns
    /// them fastest first; candidates that do not answer in time are left out.
    public static func rankEdges(_ urls: [String], samples: Int = 3, timeout: TimeAmount = .seconds(1),
                                 tls: ClientTLS = .environment) async -> [EdgeRanking] {
        await withTaskGroup(of: EdgeRanking?.self) { group in
            for url in urls {
                group.addTask {
                    let probe = SwitchboardClient(baseURL: url, tls: tls, timeout: timeout)
                    var best: Double?
                    for _ in 0..<max(1, samples) {
                        let started = ContinuousClock.now
                        guard let status = try? await probe.raw(.GET, "/readyz").status, status == 200 else { return nil }
                        let elapsed = ContinuousClock.now - started
                        let ms = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
                        best = min(best ?? ms, ms)
                    }
                    return best.map { EdgeRanking(url: url, roundTripMs: $0) }
                }
            }
            var rankings: [EdgeRanking] = []
            for await ranking in group { if let ranking { rankings.append(ranking) } }
            return rankings.sorted { $0.roundTripMs < $1.roundTripMs }
        }
    }

    /// The edges the origin lists (`GET /api/edges`), fastest first from here.
    public func rankedEdges(samples: Int = 3, timeout: TimeAmount = .seconds(1)) async throws -> [EdgeRanking] {
        await Self.rankEdges(try await edges().map(\.publicURL), samples: samples, timeout: timeout, tls: tls)
    }

    /// The nearest answering edge: the fastest of `urls`, or of the origin's edges when `urls`
    /// is empty; nil when none answers.
    public func nearestEdge(among urls: [String] = [], timeout: TimeAmount = .seconds(1)) async throws -> String? {
        let ranked = urls.isEmpty ? try await rankedEdges(timeout: timeout) : await Self.rankEdges(urls, timeout: timeout, tls: tls)
        return ranked.first?.url
    }
}
