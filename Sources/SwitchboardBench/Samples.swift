import CompressNIO
import NIOCore

/// Measured values and their percentiles (nearest rank).
public struct Samples: Sendable {
    public private(set) var values: [Double] = []

    public init() {}

    public mutating func add(_ value: Double) { values.append(value) }

    public func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    public var median: Double { percentile(50) }
    public var count: Int { values.count }
}

/// The gzipped size of `bytes` (default level), as a client with `Accept-Encoding: gzip` would receive it.
public func gzippedSize(_ bytes: [UInt8]) -> Int {
    var buffer = ByteBuffer(bytes: bytes)
    return (try? buffer.compress(with: .gzip()).readableBytes) ?? 0
}
