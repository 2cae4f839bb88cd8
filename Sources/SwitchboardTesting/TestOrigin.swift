import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SwitchboardClient
import SwitchboardCore
import SwitchboardServer
import SwitchboardOrigin
import SwitchboardTLS

/// A real origin listening on an ephemeral loopback port, with its own temporary data
/// directory, for tests and benchmarks.
public struct TestOrigin: Sendable {
    public let origin: Origin
    public let port: Int
    public let dataDirectory: String
    /// How this test's clients verify the origin over TLS.
    public let tls: ClientTLS
    public static let adminKey = "test-admin-key-0123456789"
    public static let edgeKey = "test-edge-key-0123456789"

    public var baseURL: String { "\(origin.transport.scheme)://127.0.0.1:\(port)" }
    public var gatewayURL: String { SwitchboardClient.webSocketURL(baseURL) + "/gateway" }

    /// A client carrying the admin key.
    public var admin: SwitchboardClient { SwitchboardClient(baseURL: baseURL, adminKey: Self.adminKey, tls: tls, timeout: .testRequest) }

    /// A client without credentials.
    public var anonymous: SwitchboardClient { SwitchboardClient(baseURL: baseURL, tls: tls, timeout: .testRequest) }

    /// Runs `body` against a fresh origin, then shuts it down gracefully and deletes its data.
    /// Throws if the shutdown itself fails.
    /// Pass `dataDirectory` (kept afterwards), `port` and `tokenSecret` to restart an origin on
    /// the same data and address. `tls` is how its clients verify it once `configure` gives it a certificate.
    public static func with<T: Sendable>(
        dataDirectory: String? = nil, port: Int = 0, tokenSecret: String = randomSecret(), tls: ClientTLS = .environment,
        configure: (inout OriginConfiguration) -> Void = { _ in },
        _ body: (TestOrigin) async throws -> T
    ) async throws -> T {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-test-\(UUID().uuidString)").path
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var configuration = OriginConfiguration(host: "127.0.0.1", port: port, dataDirectory: directory,
                                                adminKey: adminKey, tokenSecret: tokenSecret)
        configuration.edgeKey = edgeKey
        // Cheap password hashes: tests sign in often; the format and checks are the same.
        configuration.signIn.passwordCostLog2 = 10
        let ownSchema = try postgresURL(for: directory)
        configuration.databaseURL = ownSchema
        defer {
            if dataDirectory == nil, let ownSchema { Task { try? await PostgresStore.dropSchema(url: ownSchema) } }
        }
        configure(&configuration)
        let origin = try await Origin(configuration: configuration)
        var logger = Logger(label: "test-origin")
        logger.logLevel = .warning
        return try await withTestServer(name: "origin", logger: logger, build: { onRunning in
            buildOrigin(origin, logger: logger, onServerRunning: onRunning)
        }) { port in
            try await body(TestOrigin(origin: origin, port: port, dataDirectory: directory, tls: tls))
        }
    }

    /// With `SWITCHBOARD_TEST_STORE=postgres`, the schema of the test database that holds this
    /// data directory's origin (named in a file there, so that a restart finds the same data).
    public static func postgresURL(for directory: String) throws -> String? {
        guard StoreKind.forOrigins == .postgres, let url = StoreKind.postgresURL else { return nil }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/postgres-schema"
        if let schema = try? String(contentsOfFile: file, encoding: .utf8) {
            return TestStore.postgresURL(url, schema: schema)
        }
        let schema = "o_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try schema.write(toFile: file, atomically: true, encoding: .utf8)
        return TestStore.postgresURL(url, schema: schema)
    }

    /// 48 random alphanumerics: HS256 needs at least 32 bytes.
    public static func randomSecret() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<48).map { _ in alphabet.randomElement()! })
    }
}

/// A workspace with named users, made through the admin API.
public struct TestWorkspace: Sendable {
    public let workspace: Workspace
    public let users: [String: (user: User, client: SwitchboardClient)]

    public func client(_ handle: String) -> SwitchboardClient { users[handle]!.client }
    public func user(_ handle: String) -> User { users[handle]!.user }

    /// Creates a workspace and one user per handle (each joins #general).
    public static func make(on origin: TestOrigin, name: String = "Acme", handles: [String],
                            roles: [String: Role] = [:]) async throws -> TestWorkspace {
        let admin = origin.admin
        let workspace = try await admin.createWorkspace(name: name)
        var users: [String: (User, SwitchboardClient)] = [:]
        for handle in handles {
            let created = try await admin.createUser(
                workspaceID: workspace.id,
                CreateUserRequest(handle: handle, displayName: handle.capitalized, realName: "\(handle.capitalized) Tester",
                                  title: "Engineer", email: "\(handle)@example.com", tz: "Europe/Paris", role: roles[handle]))
            users[handle] = (created.user, SwitchboardClient(baseURL: origin.baseURL, token: created.token, tls: origin.tls, timeout: .testRequest))
        }
        return TestWorkspace(workspace: workspace, users: users)
    }
}
