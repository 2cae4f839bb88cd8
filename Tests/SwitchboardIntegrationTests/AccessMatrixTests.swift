import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Random workspaces — public and private channels, DMs, joins, leaves, removals and
/// deactivations — played on a live origin and edge; for every (user, channel) pair, history,
/// search, channel lists and details, member lists, files, gateway events at both tiers and
/// edge badges must reveal nothing to a non-member (AccessMatrix/). A failing scenario is
/// shrunk to the fewest steps that still fail, and printed with its seed.
///
/// `SWITCHBOARD_ACCESS_SEED=N` replays one seed; `SWITCHBOARD_ACCESS_SCENARIOS=N` sets how many
/// random ones a run tries (default 3).
@Suite struct AccessMatrixTests {
    @Test func nothingReachesANonMember() async throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["SWITCHBOARD_ACCESS_SCENARIOS"].flatMap(Int.init) ?? 3
        let seeds = environment["SWITCHBOARD_ACCESS_SEED"].flatMap(UInt64.init).map { [$0] }
            ?? (0..<count).map { _ in UInt64.random(in: 1..<1_000_000_000) }
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret) { origin in
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret) { edge in
                var pairs = 0
                for seed in seeds {
                    let run = AccessMatrixRun(origin: origin, edge: edge, seed: seed)
                    let steps = AccessScenario.steps(seed: seed)
                    let violations = try await run.violations(steps)
                    var model = AccessModel()
                    for step in steps { _ = model.apply(step) }
                    pairs += AccessModel.userCount * model.channelLabels.count
                    print("access matrix: seed \(seed): \(steps.count) steps, \(model.channelLabels.count) channels, "
                          + "\(model.deactivated.count) deactivated, \(violations.count) violations")
                    guard !violations.isEmpty else { continue }
                    let smallest = try await AccessScenario.shrink(steps) { candidate in
                        try await !AccessMatrixRun(origin: origin, edge: edge, seed: seed).violations(candidate).isEmpty
                    }
                    let again = try await AccessMatrixRun(origin: origin, edge: edge, seed: seed).violations(smallest)
                    Issue.record("""
                        seed \(seed) (SWITCHBOARD_ACCESS_SEED=\(seed) replays it): \(violations.count) violations; \
                        shrunk to \(smallest.count) steps:
                        \(smallest.map { "  \($0)" }.joined(separator: "\n"))
                        \(again.prefix(10).joined(separator: "\n"))
                        """)
                }
                print("access matrix: \(seeds.count) scenarios, \(pairs) (user, channel) pairs checked at origin and edge")
            }
        }
    }
}
