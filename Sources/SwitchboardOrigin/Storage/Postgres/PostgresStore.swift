import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import SwitchboardCore

/// The origin's store on PostgreSQL, for deployments that outgrow one machine's disk and
/// writer, and for several origin processes sharing one database.
///
/// A `PostgresClient` pool runs in a task the store owns (``close()`` ends it). The event log
/// is appended in the transaction of each change by `sb_append_event`, which also `NOTIFY`s
/// the other processes (``watchCommits(_:)``). Posts are grouped like in ``SQLiteStore``: one
/// statement (`sb_post_messages`) and one transaction per group.
public final class PostgresStore: Store {
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>
    let messageWrites: GroupCommit<MessageDraft, (message: Message, created: Bool)>

    /// Connects to `url` (`postgres://user:password@host:port/database[?schema=name][&sslmode=…]`), creates
    /// the schema when one is named (tests use one each), runs the migrations, and returns a
    /// ready store.
    public static func open(url: String, maxConnections: Int = 16,
                            logger: Logger = Logger(label: "switchboard.postgres")) async throws -> PostgresStore {
        let settings = try PostgresConnectionSettings(url: url)
        if let schema = settings.schema {
            // The schema must exist before a connection can have it on its search path.
            try await withDatabaseClient(settings, logger: logger) { client in
                try await client.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: PostgresConnectionSettings.quoted(schema))")
            }
        }
        let store = PostgresStore(settings: settings, maxConnections: maxConnections, logger: logger)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private init(settings: PostgresConnectionSettings, maxConnections: Int, logger: Logger) {
        var configuration = PostgresClient.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                         password: settings.password, database: settings.database,
                                                         tls: settings.tls)
        configuration.options.maximumConnections = maxConnections
        if let schema = settings.schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // Started immediately: the pool counts as running before anyone can lease from it.
        runTask = Task.immediate { await client.run() }
        messageWrites = GroupCommit(prepare: { $0.takeID() }) { drafts in try await Self.commitPosts(drafts, client: client, logger: logger) }
    }

    /// Drops the schema the URL names, with everything in it (test clean-up).
    public static func dropSchema(url: String, logger: Logger = Logger(label: "switchboard.postgres")) async throws {
        let settings = try PostgresConnectionSettings(url: url)
        guard let schema = settings.schema else { return }
        try await withDatabaseClient(settings, logger: logger) { client in
            try await client.query("DROP SCHEMA IF EXISTS \(unescaped: PostgresConnectionSettings.quoted(schema)) CASCADE")
        }
    }

    /// Runs `body` with a one-connection client to the database itself (no schema).
    private static func withDatabaseClient(_ settings: PostgresConnectionSettings, logger: Logger,
                                           _ body: (PostgresClient) async throws -> Void) async throws {
        let store = PostgresStore(settings: settings.withoutSchema, maxConnections: 1, logger: logger)
        do {
            try await body(store.client)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Stops the pool; queries after this fail.
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// Runs the migrations not yet applied, under an advisory lock so that origin processes
    /// starting together apply each one once.
    private func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(current_schema()))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at_ms bigint NOT NULL)
                """, logger: logger)
            let applied = Set(try await connection.query("SELECT name FROM schema_migrations", logger: logger)
                .collect().map { try $0.decode(String.self) })
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations VALUES (\(migration.name), \(Int64(WallClock.nowMs())))",
                                           logger: logger)
            }
        }
    }

    /// Calls `onCommit` with the workspace of every event committed by any process sharing the
    /// database, and with `nil` after (re)connecting, when notifications may have been missed.
    /// Returns when the calling task is cancelled.
    public func watchCommits(_ onCommit: @escaping @Sendable (Snowflake?) -> Void) async {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: "switchboard_events") { notifications in
                        onCommit(nil)
                        backoff = .milliseconds(250)
                        for try await notification in notifications {
                            if let id = Snowflake(notification.payload) { onCommit(id) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for commits failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(10))
        }
    }

    public func checkHealth() async throws {
        _ = try await rows("SELECT COUNT(*) FROM schema_migrations")
    }

    public func purgeNonces(olderThanMs cutoff: UInt64) async throws {
        try await client.query("DELETE FROM nonces WHERE created_at_ms < \(cutoff.db)", logger: logger)
    }

    // MARK: Helpers

    /// All rows of a query, random-access.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// Runs `body` in one transaction on one pooled connection.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw Self.storeError(error)
            }
        }
    }

    /// Maps PostgreSQL's errors to the protocol's where they have a meaning there, and the rest
    /// to an error that says what the server said (PSQLError's own description hides it).
    static func storeError(_ error: any Error) -> any Error {
        let serverError = (error as? PSQLError) ?? ((error as? PostgresTransactionError)?.closureError as? PSQLError)
        guard let serverError, let code = serverError.serverInfo?[.sqlState] else { return error }
        switch code {
        case "23505": return SwitchboardError.conflict("already exists")  // unique_violation
        case "P0002": return SwitchboardError.notFound("workspace")        // no_data_found, from sb_append_event
        default: return PostgresStoreError(sqlState: code, message: serverError.serverInfo?[.message] ?? "")
        }
    }
}

/// An error PostgreSQL reported, for logs.
struct PostgresStoreError: Error, CustomStringConvertible {
    let sqlState: String
    let message: String
    var description: String { "PostgreSQL error \(sqlState): \(message)" }
}

extension PostgresConnection {
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func row(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRandomAccessRow? {
        try await rows(query, logger: logger).first
    }

    /// Appends one event inside the current transaction; returns its sequence number.
    @discardableResult
    func appendEvent(workspaceID: Snowflake, type: EventType, channelID: Snowflake? = nil, userID: Snowflake? = nil,
                     payload: some Encodable, nowMs: UInt64, logger: Logger) async throws -> UInt64 {
        let body = try JSON.encodeCompact(payload)
        let row = try await self.row("""
            SELECT sb_append_event(\(workspaceID), \(type.rawValue), \(channelID), \(userID), \(nowMs.db), \(body))
            """, logger: logger)
        return UInt64(try row?[0].decode(Int64.self) ?? 0)
    }
}

extension PostgresRandomAccessRow {
    func id(_ column: String) throws -> Snowflake { try self[column].decode(Snowflake.self) }
    func optionalID(_ column: String) throws -> Snowflake? { try self[column].decode(Snowflake?.self) }
    func ms(_ column: String) throws -> UInt64 { UInt64(Swift.max(0, try self[column].decode(Int64.self))) }
    func optionalMs(_ column: String) throws -> UInt64? { try self[column].decode(Int64?.self).map { UInt64(Swift.max(0, $0)) } }
    func string(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalString(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func int(_ column: String) throws -> Int { try self[column].decode(Int.self) }
    func bool(_ column: String) throws -> Bool { try self[column].decode(Bool.self) }
}

extension Snowflake: PostgresEncodable, PostgresDecodable, PostgresNonThrowingEncodable,
    PostgresArrayEncodable, PostgresArrayDecodable {
    public static var psqlType: PostgresDataType { .int8 }
    public static var psqlFormat: PostgresFormat { .binary }
    public static var psqlArrayType: PostgresDataType { .int8Array }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer,
                                                         context: PostgresEncodingContext<JSONEncoder>) {
        int64.encode(into: &byteBuffer, context: context)
    }

    public init<JSONDecoder: PostgresJSONDecoder>(from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
                                                  context: PostgresDecodingContext<JSONDecoder>) throws {
        self.init(int64: try Int64(from: &buffer, type: type, format: format, context: context))
    }
}

/// The parts of a `postgres://` URL the store uses.
struct PostgresConnectionSettings: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var schema: String?
    /// `sslmode` as libpq spells it: `disable`, `prefer` (the default: TLS when the server
    /// offers it), `require`, `verify-ca`, `verify-full`.
    var tls: PostgresClient.Configuration.TLS

    init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
              let host = components.host, !host.isEmpty else {
            throw SwitchboardError.badRequest("the database URL must look like postgres://user:password@host:port/database")
        }
        self.host = host
        port = components.port ?? 5432
        user = components.user ?? "postgres"
        password = components.password
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? nil : path
        schema = components.queryItems?.first(where: { $0.name == "schema" })?.value
        // As libpq: prefer and require encrypt without checking the certificate, verify-ca
        // checks it against the system's roots, verify-full also checks the host name.
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        var caOnly = TLSConfiguration.makeClientConfiguration()
        caOnly.certificateVerification = .noHostnameVerification
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(unverified)
        case "require": tls = .require(unverified)
        case "verify-ca": tls = .require(caOnly)
        case "verify-full": tls = .require(.makeClientConfiguration())
        case let mode:
            throw SwitchboardError.badRequest("sslmode \(mode) is not one of disable, prefer, require, verify-ca, verify-full")
        }
        if let schema, !schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw SwitchboardError.badRequest("a schema name has only letters, digits and _")
        }
    }

    var withoutSchema: PostgresConnectionSettings {
        var copy = self
        copy.schema = nil
        return copy
    }

    static func quoted(_ identifier: String) -> String { "\"\(identifier)\"" }
}
