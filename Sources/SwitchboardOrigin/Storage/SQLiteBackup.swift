import Foundation
import GRDB

/// Backups of the embedded store, taken while the origin serves, and their restore.
public enum SQLiteBackup {
    public struct Summary: Sendable, CustomStringConvertible {
        public var bytes: Int
        public var workspaces: Int
        public var messages: Int
        public var lastMigration: String

        public var description: String {
            "\(bytes) bytes: \(workspaces) workspace(s), \(messages) message(s), schema \(lastMigration)"
        }
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Copies the database at `source` to `destination` with SQLite's online backup API, in one
    /// step: the copy is one read transaction, so it is the database as of one commit however
    /// many writes the serving origin makes meanwhile (WAL readers do not block writers). The
    /// copy is written beside `destination` and renamed, so a failed backup leaves nothing.
    public static func backup(from source: String, to destination: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: source) else { throw Refused(description: "no database at \(source)") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let live = try DatabaseQueue(path: source, configuration: configuration)
        let temporary = destination + ".partial-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: temporary) }  // gone after the rename; removes a failed copy
        let copy = try DatabaseQueue(path: temporary)
        try live.backup(to: copy)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        let summary = try check(copy)
        try copy.close()
        try live.close()
        if FileManager.default.fileExists(atPath: destination) { try FileManager.default.removeItem(atPath: destination) }
        try FileManager.default.moveItem(atPath: temporary, toPath: destination)
        return summary
    }

    /// Puts the backup at `backup` in place of the database at `target` (the origin must be
    /// stopped: the caller holds its data directory's lock). The backup is checked first — SQLite's
    /// integrity check and Switchboard's migrations — and copied beside the target then renamed;
    /// the old database's WAL files are removed so that they cannot be replayed onto it.
    public static func restore(from backup: String, to target: String, replace: Bool) throws -> Summary {
        guard FileManager.default.fileExists(atPath: backup) else { throw Refused(description: "no backup at \(backup)") }
        if FileManager.default.fileExists(atPath: target), !replace {
            throw Refused(description: "\(target) exists: give --replace to overwrite it")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: backup, configuration: configuration)
        let summary = try check(source)
        try source.close()
        let directory = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        let temporary = target + ".restoring-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try FileManager.default.copyItem(atPath: backup, toPath: temporary)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
            try FileManager.default.removeItem(atPath: target + suffix)
        }
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        try FileManager.default.moveItem(atPath: temporary, toPath: target)
        return summary
    }

    /// A Switchboard database that SQLite finds intact, with what it holds.
    static func check(_ database: DatabaseQueue) throws -> Summary {
        try database.read { db in
            let integrity = try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? ""
            guard integrity == "ok" else { throw Refused(description: "the database is damaged: \(integrity)") }
            let known = Set(SQLiteSchema.migrator().migrations)
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            guard !applied.isEmpty, Set(applied).isSubset(of: known) else {
                throw Refused(description: "not a Switchboard origin database (or one from a newer version)")
            }
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return Summary(bytes: pages * pageSize,
                           workspaces: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM workspaces") ?? 0,
                           messages: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0,
                           lastMigration: applied.last ?? "")
        }
    }
}
