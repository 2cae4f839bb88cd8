import CLMDB
import Foundation

/// An LMDB environment: one memory-mapped file holding named databases. Knows nothing about
/// what is stored in it.
///
/// LMDB allows one write transaction at a time and any number of readers. Transactions here
/// are synchronous and must not span an `await`; open them off the event loops.
public final class LMDBEnvironment: @unchecked Sendable {
    // Safe to share: an MDB_env is thread-safe with MDB_NOTLS, and every transaction is
    // confined to the call that opened it.
    let env: OpaquePointer

    /// Opens (creating) the environment in `directory`.
    /// - Parameters:
    ///   - mapSize: the largest the data may grow, bytes.
    ///   - maxReaders: concurrent read transactions allowed.
    ///   - maxDatabases: named databases allowed.
    ///   - durable: fsync on every commit; false trades the last commits on an OS crash for speed.
    public init(directory: String, mapSize: Int, maxReaders: UInt32 = 126, maxDatabases: UInt32 = 16,
                durable: Bool = true) throws(LMDBError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LMDBError(code: EACCES, operation: "create \(directory)")
        }
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do throws(LMDBError) {
            try LMDBError.check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            try LMDBError.check(mdb_env_set_maxreaders(env, maxReaders), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_set_maxdbs(env, MDB_dbi(maxDatabases)), "mdb_env_set_maxdbs")
            var flags = UInt32(MDB_NOTLS)
            if !durable { flags |= UInt32(MDB_NOSYNC) }
            try LMDBError.check(mdb_env_open(env, directory, flags, 0o640), "mdb_env_open \(directory)")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.env = env
    }

    deinit {
        mdb_env_close(env)
    }

    /// Opens (creating) a named database.
    public func database(_ name: String) throws -> LMDBDatabase {
        try write { txn in
            var dbi: MDB_dbi = 0
            try LMDBError.check(mdb_dbi_open(txn.txn, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open \(name)")
            return LMDBDatabase(dbi: dbi, name: name)
        }
    }

    /// Runs `body` in a read-only transaction (a consistent snapshot).
    public func read<T>(_ body: (borrowing LMDBTransaction) throws -> T) throws -> T {
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin(read)")
        defer { mdb_txn_abort(txn) }
        return try body(LMDBTransaction(txn: txn!))
    }

    /// Runs `body` in the write transaction and commits it; aborts if `body` throws.
    public func write<T>(_ body: (borrowing LMDBTransaction) throws -> T) throws -> T {
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(env, nil, 0, &txn), "mdb_txn_begin(write)")
        let result: T
        do {
            result = try body(LMDBTransaction(txn: txn!))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit")
        return result
    }

    /// Flushes to disk (for environments opened with `durable: false`).
    public func sync() throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(env, 1), "mdb_env_sync")
    }
}

/// A named database inside an environment.
public struct LMDBDatabase: Sendable {
    let dbi: MDB_dbi
    public let name: String
}
