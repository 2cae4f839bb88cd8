/// A small, fast, seedable generator (SplitMix64): the same `--seed` makes the same workspace
/// on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one part of the workspace, independent of the order parts are made in.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed &+ stream &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    /// `count` distinct values of `0..<range` (Floyd's algorithm), in no particular order.
    public mutating func sample(_ count: Int, from range: Int) -> [Int] {
        let count = min(count, range)
        var chosen = Set<Int>(minimumCapacity: count)
        var result: [Int] = []
        result.reserveCapacity(count)
        for j in (range - count)..<range {
            let t = Int.random(in: 0...j, using: &self)
            let pick = chosen.contains(t) ? j : t
            chosen.insert(pick)
            result.append(pick)
        }
        return result
    }
}
