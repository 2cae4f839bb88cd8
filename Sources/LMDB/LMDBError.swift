import CLMDB

/// An LMDB failure: the return code and LMDB's own text for it.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32
    public let operation: String

    public var description: String {
        "\(operation): \(String(cString: mdb_strerror(code))) (\(code))"
    }

    /// The map is full: raise the environment's map size.
    public var isMapFull: Bool { code == MDB_MAP_FULL }

    static func check(_ code: Int32, _ operation: String) throws(LMDBError) {
        guard code == 0 else { throw LMDBError(code: code, operation: operation) }
    }
}
