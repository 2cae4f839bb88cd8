import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// `switchboard-origin backup` copies a live SQLite store while messages stream in, and
/// `restore` puts it back: an origin started on the restored data serves the workspace as it
/// was when the backup began (every message acknowledged before, none half-written).
@Suite struct BackupTests {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("switchboard-origin").path
    }

    @Test(.enabled(if: StoreKind.forOrigins != .postgres, "SQLite backups; PostgreSQL's are pg_dump's"))
    func aBackupTakenWhileServingRestoresTheWorkspace() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let live = root + "/live", restored = root + "/restored", file = root + "/origin-backup.sqlite"
        let adminKey = "backup-admin-key", secret = TestOrigin.randomSecret()
        let environment = ["SWITCHBOARD_TOKEN_SECRET": secret]

        let origin = try await OriginProcess(dataDirectory: live, adminKey: adminKey, tokenSecret: secret)
        let admin = SwitchboardClient(baseURL: origin.baseURL, adminKey: adminKey, timeout: .testRequest)
        let workspace = try await admin.createWorkspace(name: "Backed")
        let user = try await admin.createUser(workspaceID: workspace.id, CreateUserRequest(handle: "bea", displayName: "Bea"))
        let client = SwitchboardClient(baseURL: origin.baseURL, token: user.token, timeout: .testRequest)
        let general = try #require(try await client.channels().first)
        var before: [Snowflake] = []
        for i in 0..<40 { before.append(try await client.post("before \(i)", to: general.id).message.id) }

        // Posts go on while the backup runs.
        let writer = Task {
            var ids: [Snowflake] = []
            for i in 0..<200 { ids.append(try await client.post("during \(i)", to: general.id).message.id) }
            return ids
        }
        let backup = try ChildProcess(Self.binary, ["backup", "--to", file, "--data-dir", live], environment: environment)
        defer { backup.cleanUp() }
        #expect(try await backup.wait() == 0, "\(backup.errors)")
        #expect(backup.output.contains("1 workspace(s)"), "\(backup.output)")
        let during = try await writer.value

        // The origin holds its data directory: a restore onto it is refused while it runs.
        let refused = try ChildProcess(Self.binary, ["restore", "--from", file, "--data-dir", live, "--replace"], environment: environment)
        defer { refused.cleanUp() }
        #expect(try await refused.wait() != 0)
        #expect(refused.errors.contains("another process holds"), "\(refused.errors)")
        origin.stop()

        let restore = try ChildProcess(Self.binary, ["restore", "--from", file, "--data-dir", restored], environment: environment)
        defer { restore.cleanUp() }
        #expect(try await restore.wait() == 0, "\(restore.errors)")

        let again = try await OriginProcess(dataDirectory: restored, adminKey: adminKey, tokenSecret: secret)
        defer { again.stop() }
        let reader = SwitchboardClient(baseURL: again.baseURL, token: user.token, timeout: .testRequest)
        var history: [Message] = []
        var page = try await reader.messages(in: general.id, after: Snowflake(0), limit: 100)
        history += page.messages
        while page.hasMore == true, let last = history.last {
            page = try await reader.messages(in: general.id, after: last.id, limit: 100)
            history += page.messages
        }
        let ids = history.map(\.id)
        // Everything acknowledged before the backup began, then a prefix of what came during it:
        // the copy is the store as of one commit.
        #expect(Array(ids.prefix(before.count)) == before)
        let copiedDuring = Array(ids.dropFirst(before.count))
        #expect(copiedDuring == Array(during.prefix(copiedDuring.count)))
        // And the restored origin takes new posts after them.
        let next = try await reader.post("after the restore", to: general.id).message
        #expect(next.id > (ids.last ?? Snowflake(0)))
    }

    @Test func aDamagedOrForeignFileIsNotRestored() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("restore-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let junk = root + "/junk.sqlite"
        try Data(repeating: 7, count: 8_192).write(to: URL(fileURLWithPath: junk))
        let restore = try ChildProcess(Self.binary, ["restore", "--from", junk, "--data-dir", root + "/target"],
                                       environment: ["SWITCHBOARD_TOKEN_SECRET": TestOrigin.randomSecret()])
        defer { restore.cleanUp() }
        #expect(try await restore.wait() != 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/target/origin.sqlite"))
    }
}
