import Foundation
import LMDB
import Testing

@Suite struct LMDBTests {
    func withEnvironment(_ body: (LMDBEnvironment, String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmdb-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(try LMDBEnvironment(directory: directory, mapSize: 64 << 20), directory)
    }

    @Test func putGetDeleteAndPersist() throws {
        try withEnvironment { env, directory in
            let db = try env.database("things")
            try env.write { txn in
                try txn.put(db, LMDBKey.uint64(2), Array("two".utf8))
                try txn.put(db, LMDBKey.uint64(1), Array("one".utf8))
            }
            #expect(try env.read { try $0.get(db, LMDBKey.uint64(1)) } == Array("one".utf8))
            #expect(try env.read { try $0.get(db, LMDBKey.uint64(3)) } == nil)
            #expect(try env.write { try $0.delete(db, LMDBKey.uint64(2)) })
            #expect(try !env.write { try $0.delete(db, LMDBKey.uint64(2)) })
            #expect(try env.read { try $0.count(db) } == 1)

            // Reopened, the data is there.
            let again = try LMDBEnvironment(directory: directory + "-copy", mapSize: 1 << 20)
            _ = again
            let reopened = try LMDBEnvironment(directory: directory, mapSize: 64 << 20)
            let db2 = try reopened.database("things")
            #expect(try reopened.read { try $0.get(db2, LMDBKey.uint64(1)) } == Array("one".utf8))
            try? FileManager.default.removeItem(atPath: directory + "-copy")
        }
    }

    @Test func aFailedWriteTransactionLeavesNothing() throws {
        struct Boom: Error {}
        try withEnvironment { env, _ in
            let db = try env.database("t")
            #expect(throws: Boom.self) {
                try env.write { txn in
                    try txn.put(db, [1], [1])
                    throw Boom()
                }
            }
            #expect(try env.read { try $0.get(db, [1]) } == nil)
        }
    }

    @Test func cursorsWalkKeysInNumericOrder() throws {
        try withEnvironment { env, _ in
            let db = try env.database("pairs")
            try env.write { txn in
                for (a, b) in [(2, 1), (1, 300), (1, 2), (3, 1), (1, 1)] as [(UInt64, UInt64)] {
                    try txn.put(db, LMDBKey.uint64s(a, b), [])
                }
            }
            let ones = try env.read { try $0.prefixed(db, LMDBKey.uint64(1)) }
            #expect(ones.map { LMDBKey.readUInt64($0.key, at: 8) } == [1, 2, 300])
            let limited = try env.read { try $0.prefixed(db, LMDBKey.uint64(1), limit: 2) }
            #expect(limited.count == 2)
            var all: [UInt64] = []
            try env.read { txn in
                try txn.scan(db) { key, _ in
                    all.append(LMDBKey.readUInt64(key))
                    return true
                }
            }
            #expect(all == [1, 1, 1, 2, 3])
            try env.write { try $0.clear(db) }
            #expect(try env.read { try $0.count(db) } == 0)
        }
    }

    @Test func aFullMapIsAClearError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmdb-full-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let env = try LMDBEnvironment(directory: directory, mapSize: 1 << 20)
        let db = try env.database("big")
        do {
            try env.write { txn in
                for i in 0..<10_000 { try txn.put(db, LMDBKey.uint64(UInt64(i)), Array(repeating: 7, count: 1_000)) }
            }
            Issue.record("10 MB fit in a 1 MB map")
        } catch let error as LMDBError {
            #expect(error.isMapFull)
        }
    }
}
