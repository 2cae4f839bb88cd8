import Foundation
import SwitchboardOrigin

/// The stores the contract suite runs against.
public enum StoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// SQLite always; PostgreSQL when `SWITCHBOARD_TEST_DATABASE_URL` names a server (the
    /// test script starts a throw-away one), so a developer without PostgreSQL still runs half.
    public static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The store every `TestOrigin` uses: `SWITCHBOARD_TEST_STORE=postgres` runs the whole suite
    /// on PostgreSQL.
    public static var forOrigins: StoreKind {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_STORE"] == "postgres" && postgresURL != nil ? .postgres : .sqlite
    }

    public var description: String { rawValue }
}

/// A fresh, empty store of one kind: a SQLite file in a temporary directory, or a new schema
/// of the test PostgreSQL database. `reopen()` opens the same data again.
public final class TestStore: Sendable {
    public let kind: StoreKind
    public let store: any Store
    /// The SQLite file's directory, or the PostgreSQL URL naming the schema.
    public let location: String

    public static func open(_ kind: StoreKind) async throws -> TestStore {
        let location: String
        switch kind {
        case .sqlite:
            location = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
        case .postgres:
            guard let url = StoreKind.postgresURL else { throw TestStoreError.noPostgres }
            location = Self.postgresURL(url, schema: "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))
        }
        return TestStore(kind: kind, store: try await openStore(kind, location), location: location)
    }

    private init(kind: StoreKind, store: any Store, location: String) {
        self.kind = kind
        self.store = store
        self.location = location
    }

    /// Another store on the same data (a restart, or a second process sharing the database).
    public func reopen() async throws -> any Store {
        try await Self.openStore(kind, location)
    }

    /// Closes the store and deletes its data.
    public func destroy() async {
        await store.close()
        switch kind {
        case .sqlite: try? FileManager.default.removeItem(atPath: location)
        case .postgres: try? await PostgresStore.dropSchema(url: location)
        }
    }

    private static func openStore(_ kind: StoreKind, _ location: String) async throws -> any Store {
        switch kind {
        case .sqlite: try SQLiteStore(path: location + "/origin.sqlite")
        case .postgres: try await PostgresStore.open(url: location, maxConnections: 4)
        }
    }

    /// `url` with `?schema=` set.
    public static func postgresURL(_ url: String, schema: String) -> String {
        var components = URLComponents(string: url)!
        components.queryItems = [URLQueryItem(name: "schema", value: schema)]
        return components.string!
    }

    enum TestStoreError: Error { case noPostgres }
}
