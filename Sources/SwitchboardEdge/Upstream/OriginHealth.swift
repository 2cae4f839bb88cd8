/// Which origin processes count as up, from the answers to this edge's probes, without
/// sockets or clocks. A process goes down after `failuresToDown` failed probes in a row and
/// comes back after `successesToUp` good ones in a row: one lost probe does not move
/// workspaces, and a process that flaps while restarting is not handed them back too early.
struct OriginHealth: Sendable, Equatable {
    static let failuresToDown = 2
    static let successesToUp = 3

    private struct Streak: Sendable, Equatable {
        var up = true
        var failures = 0
        var successes = 0
    }

    private var streaks: [String: Streak]

    /// Every process starts up: until a probe says otherwise, the directory's first choice stands.
    init(urls: [String]) {
        streaks = Dictionary(urls.map { ($0, Streak()) }, uniquingKeysWith: { first, _ in first })
    }

    /// Records one probe's answer; true if the process changed between up and down.
    mutating func record(_ url: String, healthy: Bool) -> Bool {
        guard var streak = streaks[url] else { return false }
        let wasUp = streak.up
        if healthy {
            streak.failures = 0
            streak.successes += 1
            if !streak.up && streak.successes >= Self.successesToUp { streak.up = true }
        } else {
            streak.successes = 0
            streak.failures += 1
            if streak.up && streak.failures >= Self.failuresToDown { streak.up = false }
        }
        streaks[url] = streak
        return streak.up != wasUp
    }

    func isUp(_ url: String) -> Bool { streaks[url]?.up ?? false }

    var up: Set<String> { Set(streaks.filter { $0.value.up }.keys) }
}
