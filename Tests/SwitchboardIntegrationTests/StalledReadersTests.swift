import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// A thousand clients on one edge stop reading (their sockets stay open, the kernel holds a
/// few KB for each) while a channel they all look at is busy. Each is dropped with 4001 once
/// its outbound queue is full; the edge's memory stays under the ceiling the queues allow;
/// readers that keep up hear every message, in order, and are never dropped.
@Suite struct StalledReadersTests {
    static let stalled = 1_000
    /// The edge's outbound queue per session for this test (the default is 8 MiB).
    static let queueBytes = 256 << 10

    @Test func aThousandStalledReadersAreDroppedAndTheRestKeepUp() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 100_000 }) { origin in
            let handles = ["alice", "watcher"] + (0..<50).map { "idle\($0)" }
            let ws = try await TestWorkspace.make(on: origin, handles: handles)
            let directory = origin.dataDirectory + "/stalled-edge"
            // A real edge process, so that its memory is its own; no heartbeats are due from anyone here.
            let edge = try await EdgeProcess(originURL: origin.baseURL, tokenSecret: secret, dataDirectory: directory, arguments: [
                "--gateway-outbound-queue-bytes", String(Self.queueBytes), "--gateway-heartbeat-interval-ms", "600000"])
            defer { edge.stop() }
            let edgeClient = SwitchboardClient(baseURL: edge.baseURL, timeout: .testRequest)
            let general = try await ws.client("alice").general()

            // Readers that keep up, and the latency of the channel before anyone stalls.
            let watchers = try await (0..<5).asyncMap { _ in
                try await GatewaySocket.identify(SwitchboardClient.webSocketURL(edge.baseURL) + "/gateway",
                                                 token: ws.client("watcher").token!, focus: general.id, mailboxCapacity: 4_096)
            }
            let big = String(repeating: "x", count: 3_900)
            var sent: [(id: Snowflake, at: ContinuousClock.Instant)] = []
            var heard = Array(repeating: 0, count: watchers.count)
            var latencies: [Duration] = [], baseline: [Duration] = []
            func post(_ count: Int, into times: inout [Duration]) async throws {
                for _ in 0..<count {
                    let message = try await ws.client("alice").post(big, to: general.id).message
                    sent.append((message.id, ContinuousClock.now))
                }
                for (index, watcher) in watchers.enumerated() {
                    while heard[index] < sent.count {
                        let message = try await watcher.socket.expectEvent(.messageCreated, timeout: .seconds(60)).payload(Message.self)
                        #expect(message.id == sent[heard[index]].id, "watcher \(index) heard \(message.id) out of order")
                        times.append(ContinuousClock.now - sent[heard[index]].at)
                        heard[index] += 1
                    }
                }
            }
            try await post(10, into: &baseline)

            // The stalled readers: 20 sessions for each of 50 users, looking at #general.
            let startRSS = try Self.residentBytes(of: edge.process.pid)
            let readers = try await (0..<Self.stalled).chunked(by: 50).asyncFlatMap { chunk in
                try await chunk.concurrentMap { index in
                    try await StalledReader.open(port: edge.port, token: ws.client("idle\(index % 50)").token!, focus: general.id.description)
                }
            }
            var peakRSS = try Self.residentBytes(of: edge.process.pid)
            let connectedRSS = peakRSS

            // Busy: bursts of 10 messages until every stalled reader is dropped (or far more than
            // a queue holds has been sent).
            var dropped = 0.0
            while dropped < Double(Self.stalled), sent.count < 400 {
                try await post(10, into: &latencies)
                peakRSS = max(peakRSS, try Self.residentBytes(of: edge.process.pid))
                dropped = try await edgeClient.metric("switchboard_edge_slow_consumers_total")
            }
            #expect(dropped == Double(Self.stalled), "\(dropped) of \(Self.stalled) stalled readers dropped after \(sent.count) messages")

            // Every stalled reader was told why: 4001.
            let codes = try await readers.chunked(by: 100).asyncFlatMap { chunk in try await chunk.concurrentMap { try await $0.drainToClose() } }
            let slow = codes.filter { $0 == GatewayCloseCode.slowConsumer.rawValue }.count
            #expect(slow == Self.stalled, "close codes: \(Dictionary(grouping: codes, by: { $0.map(String.init) ?? "none" }).mapValues(\.count))")

            // The watchers heard everything, in order (checked as it came), and are still connected.
            #expect(heard.allSatisfy { $0 == sent.count })
            var after: [Duration] = []
            try await post(10, into: &after)
            for watcher in watchers { await watcher.socket.close() }

            // Memory: what the edge held for the stalled sessions, against the bound their queues set.
            let growth = peakRSS - startRSS
            let ceiling = Self.stalled * Self.queueBytes
            print("""
                stalled readers: \(Self.stalled) dropped with 4001 after \(sent.count) messages of 3.9 KB; \
                edge RSS \(startRSS >> 20) MiB before, \(connectedRSS >> 20) MiB connected, peak \(peakRSS >> 20) MiB \
                (growth \(growth >> 20) MiB, ceiling \(ceiling >> 20) MiB); watcher latency p50/p99 \
                \(Self.percentile(baseline, 0.5))/\(Self.percentile(baseline, 0.99)) before, \
                \(Self.percentile(latencies, 0.5))/\(Self.percentile(latencies, 0.99)) with the stalled readers, \
                \(Self.percentile(after, 0.5))/\(Self.percentile(after, 0.99)) once they were dropped
                """)
            #expect(growth < ceiling, "the edge grew by \(growth >> 20) MiB, over the \(ceiling >> 20) MiB its queues allow")
        }
    }

    static func residentBytes(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1_024
    }

    static func percentile(_ values: [Duration], _ p: Double) -> String {
        guard !values.isEmpty else { return "-" }
        let sorted = values.sorted()
        let ms = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] / .milliseconds(1)
        return String(format: "%.1f ms", ms)
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }

    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results += try await transform(element) }
        return results
    }

    func concurrentMap<T: Sendable>(_ transform: @escaping @Sendable (Element) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (index, element) in enumerated() { group.addTask { (index, try await transform(element)) } }
            var results: [(Int, T)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

extension Collection {
    func chunked(by size: Int) -> [SubSequence] {
        stride(from: 0, to: count, by: size).map { offset in
            let start = index(startIndex, offsetBy: offset)
            return self[start..<index(start, offsetBy: Swift.min(size, count - offset))]
        }
    }
}
