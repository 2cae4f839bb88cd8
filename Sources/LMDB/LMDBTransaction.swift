import CLMDB

/// An open transaction. Valid only inside the `read` / `write` closure that received it;
/// bytes it returns are copies, safe to keep after it ends.
public struct LMDBTransaction: ~Copyable {
    let txn: OpaquePointer

    /// The value under `key`, copied out, or nil.
    public func get(_ db: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        var result: [UInt8]?
        var code: Int32 = 0
        key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var v = MDB_val()
            code = mdb_get(txn, db.dbi, &k, &v)
            if code == 0 { result = Self.copy(v) }
        }
        if code == MDB_NOTFOUND { return nil }
        try LMDBError.check(code, "mdb_get \(db.name)")
        return result
    }

    public func put(_ db: LMDBDatabase, _ key: [UInt8], _ value: [UInt8]) throws(LMDBError) {
        var code: Int32 = 0
        key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                code = mdb_put(txn, db.dbi, &k, &v, 0)
            }
        }
        try LMDBError.check(code, "mdb_put \(db.name)")
    }

    /// Deletes `key`; returns whether it was there.
    @discardableResult
    public func delete(_ db: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> Bool {
        var code: Int32 = 0
        key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            code = mdb_del(txn, db.dbi, &k, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try LMDBError.check(code, "mdb_del \(db.name)")
        return true
    }

    /// Empties a database.
    public func clear(_ db: LMDBDatabase) throws(LMDBError) {
        try LMDBError.check(mdb_drop(txn, db.dbi, 0), "mdb_drop \(db.name)")
    }

    /// Visits entries in key order starting at the first key ≥ `start` (or the first key),
    /// while `visit` returns true. Keys and values are copies.
    public func scan(_ db: LMDBDatabase, from start: [UInt8]? = nil,
                     _ visit: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn, db.dbi, &cursor), "mdb_cursor_open \(db.name)")
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val()
        var v = MDB_val()
        var code: Int32
        if let start {
            code = start.withUnsafeBytes { startBytes in
                k = MDB_val(mv_size: startBytes.count, mv_data: UnsafeMutableRawPointer(mutating: startBytes.baseAddress))
                return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
            }
        } else {
            code = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
        }
        while code == 0 {
            guard try visit(Self.copy(k), Self.copy(v)) else { return }
            code = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
        }
        if code != MDB_NOTFOUND { try LMDBError.check(code, "mdb_cursor_get \(db.name)") }
    }

    /// Entries whose key starts with `prefix`, in key order, at most `limit`.
    public func prefixed(_ db: LMDBDatabase, _ prefix: [UInt8], limit: Int = .max) throws -> [(key: [UInt8], value: [UInt8])] {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        try scan(db, from: prefix) { key, value in
            guard entries.count < limit, key.starts(with: prefix) else { return false }
            entries.append((key, value))
            return true
        }
        return entries
    }

    /// The keys that start with `prefix`, in order, at most `limit` (no value is copied).
    public func prefixedKeys(_ db: LMDBDatabase, _ prefix: [UInt8], limit: Int = .max) throws -> [[UInt8]] {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn, db.dbi, &cursor), "mdb_cursor_open \(db.name)")
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val()
        var v = MDB_val()
        var code = prefix.withUnsafeBytes { bytes in
            k = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
        }
        var keys: [[UInt8]] = []
        while code == 0, keys.count < limit {
            let key = Self.copy(k)
            guard key.starts(with: prefix) else { break }
            keys.append(key)
            code = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
        }
        if code != 0, code != MDB_NOTFOUND { try LMDBError.check(code, "mdb_cursor_get \(db.name)") }
        return keys
    }

    /// Number of entries in a database.
    public func count(_ db: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(txn, db.dbi, &stat), "mdb_stat \(db.name)")
        return stat.ms_entries
    }

    private static func copy(_ value: MDB_val) -> [UInt8] {
        guard value.mv_size > 0, let data = value.mv_data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: value.mv_size))
    }
}

/// Big-endian key encoding: byte order equals numeric order, so cursors walk ids in order.
public enum LMDBKey {
    public static func uint64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    public static func uint64s(_ values: UInt64...) -> [UInt8] {
        values.flatMap(uint64)
    }

    /// The big-endian UInt64 at `offset` (fewer than 8 bytes there read as a shorter number).
    /// Inlinable, so a caller in another module gets it specialized for its collection: the
    /// generic version, called for every key a cursor walks, was ~5 % of an edge's CPU per connect.
    @inlinable
    public static func readUInt64(_ bytes: some Collection<UInt8>, at offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes.dropFirst(offset).prefix(8) { value = value << 8 | UInt64(byte) }
        return value
    }
}
