import Foundation
import SwitchboardLocking

/// A one-line progress bar on standard error: `seed [#########.........] 45% 123,456/270,000 rows 12.3 s`.
/// Redrawn at most ten times a second; silent when standard error is not a terminal and `quiet`.
public final class ProgressBar: Sendable {
    private struct State {
        var done = 0
        var lastDrawMs: UInt64 = 0
    }

    let label: String
    let total: Int
    let unit: String
    let quiet: Bool
    private let started = ContinuousClock.now
    private let state = Locked(State())

    public init(_ label: String, total: Int, unit: String = "", quiet: Bool = false) {
        self.label = label
        self.total = max(1, total)
        self.unit = unit
        self.quiet = quiet
    }

    public func advance(by count: Int = 1) {
        let (done, draw) = state.withLock { state -> (Int, Bool) in
            state.done += count
            let nowMs = UInt64(Date().timeIntervalSince1970 * 1_000)
            guard nowMs >= state.lastDrawMs + 100 || state.done >= total else { return (state.done, false) }
            state.lastDrawMs = nowMs
            return (state.done, true)
        }
        if draw { self.draw(done) }
    }

    public func finish() {
        draw(state.withLock { $0.done })
        if !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    public var elapsedSeconds: Double { (ContinuousClock.now - started).seconds }

    private func draw(_ done: Int) {
        guard !quiet else { return }
        let fraction = min(1, Double(done) / Double(total))
        let width = 30, filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(Table.number(done))/\(Table.number(total))\(unit.isEmpty ? "" : " " + unit) "
            + String(format: "%.1f s", elapsedSeconds)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension Duration {
    /// This duration in seconds, as a Double.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    public var milliseconds: Double { seconds * 1_000 }
}
