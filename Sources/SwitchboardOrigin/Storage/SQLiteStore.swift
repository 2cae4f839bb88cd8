import Foundation
import GRDB
import SwitchboardCore

/// The embedded store: one SQLite file in WAL mode behind a GRDB `DatabasePool` (one writer,
/// concurrent readers). GRDB runs every access on its own queues, never on an event loop.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    /// Message posts, committed in groups.
    let messageWrites: GroupCommit<MessageDraft, (message: Message, created: Bool)>

    /// Opens (creating if needed) `path` and runs the migrations before returning.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // NORMAL is durable across process crashes in WAL mode; only an OS crash or power
            // loss may lose the last transactions.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteSchema.migrator().migrate(pool)
        self.pool = pool
        messageWrites = GroupCommit(prepare: { $0.takeID() }) { drafts in try await Self.commitPosts(drafts, pool: pool) }
    }

    public func checkHealth() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") }
    }

    /// Deletes nonces older than the de-duplication window (called periodically).
    public func purgeNonces(olderThanMs cutoff: UInt64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM nonces WHERE created_at_ms < ?", arguments: [Int64(cutoff)])
        }
    }
}

extension Database {
    /// Runs a cached prepared statement: the hot paths reuse their statements.
    func fetchRows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func fetchRow(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func run(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension Snowflake: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { int64.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Snowflake? {
        Int64.fromDatabaseValue(dbValue).map(Snowflake.init(int64:))
    }
}

extension UInt64 {
    var db: Int64 { Int64(clamping: self) }
}

extension Row {
    func id(_ column: String) -> Snowflake { Snowflake(int64: self[column]) }
    func optionalID(_ column: String) -> Snowflake? { (self[column] as Int64?).map(Snowflake.init(int64:)) }
    func ms(_ column: String) -> UInt64 {
        let value: Int64 = self[column]
        return value < 0 ? 0 : UInt64(value)
    }
}
