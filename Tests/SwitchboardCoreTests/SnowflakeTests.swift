import Foundation
import SwitchboardLocking
import Testing
@testable import SwitchboardCore

@Suite struct SnowflakeTests {
    @Test func partsRoundTrip() {
        let ms = Snowflake.epochMs + 123_456_789
        let id = Snowflake(timestampMs: ms, worker: 513, sequence: 4095)
        #expect(id.timestampMs == ms)
        #expect(id.worker == 513)
        #expect(id.sequence == 4095)
    }

    @Test func encodesAsDecimalString() throws {
        let id = Snowflake(250_429_999_318_831_105)
        let data = try JSON.encode(["id": id])
        #expect(String(decoding: data, as: UTF8.self) == #"{"id":"250429999318831105"}"#)
        #expect(try JSON.decode([String: Snowflake].self, from: data)["id"] == id)
    }

    @Test(arguments: ["", "abc", "-1", "1.5", " 12", "123456789012345678901", "18446744073709551616"])
    func rejectsInvalidStrings(_ text: String) {
        #expect(Snowflake(text) == nil)
    }

    @Test func numbersAreNotIds() {
        #expect(throws: DecodingError.self) { try JSON.decode([String: Snowflake].self, from: Data(#"{"id":12}"#.utf8)) }
    }

    @Test func strictlyIncreasingWhenTheClockStepsBack() {
        let now = Locked<UInt64>(Snowflake.epochMs + 10_000)
        let generator = SnowflakeGenerator(worker: 7) { now.withLock { $0 } }
        var last = generator.next()
        for step in 0..<20_000 {
            if step == 5_000 { now.withLock { $0 -= 5_000 } }  // NTP steps the clock back 5 s
            if step % 1_000 == 0 { now.withLock { $0 += 1 } }
            let id = generator.next()
            #expect(id > last)
            #expect(id.worker == 7)
            last = id
        }
    }

    @Test func sequenceOverflowBorrowsTheNextMillisecond() {
        let generator = SnowflakeGenerator(worker: 1) { Snowflake.epochMs + 42 }
        let ids = (0..<5_000).map { _ in generator.next() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.last!.timestampMs == Snowflake.epochMs + 43)
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
    }
}
