import SwitchboardLocking
@testable import SwitchboardEdge
import Testing

final class Counter: Sendable {
    let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Suite struct SingleFlightTests {
    @Test func concurrentCallsShareOneFetch() async throws {
        let flight = SingleFlight<String, Int>(ttlMs: 0, now: { 0 })
        let fetches = Counter()
        let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await flight.value(for: "page") {
                        fetches.increment()
                        try await Task.sleep(for: .milliseconds(100))
                        return 42
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(fetches.value == 1)
        #expect(results.allSatisfy { $0.0 == 42 })
        #expect(results.filter(\.1).count == 1)
    }

    @Test func recentValuesAreReusedUntilTheyExpire() async throws {
        let clock = Locked<UInt64>(0)
        let flight = SingleFlight<String, Int>(ttlMs: 1_000, now: { clock.withLock { $0 } })
        #expect(try await flight.value(for: "k") { 1 } == (1, true))
        #expect(try await flight.value(for: "k") { 2 } == (1, false))
        clock.withLock { $0 = 1_001 }
        #expect(try await flight.value(for: "k") { 3 } == (3, true))
    }

    @Test func failuresAreNotCached() async throws {
        struct Boom: Error {}
        let flight = SingleFlight<String, Int>(ttlMs: 1_000, now: { 0 })
        await #expect(throws: Boom.self) { _ = try await flight.value(for: "k") { throw Boom() } }
        #expect(try await flight.value(for: "k") { 7 } == (7, true))
    }
}
