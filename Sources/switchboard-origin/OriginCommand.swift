import SwitchboardServer
import ArgumentParser
import Foundation
import Configuration
import Logging
import SwitchboardCore
import ServiceLifecycle
import SwitchboardOrigin
import SwitchboardTLS
import SystemPackage

/// `switchboard-origin`: serves (the default), or backs up and restores the SQLite store.
@main
struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-origin",
        abstract: "The Switchboard origin server: storage, REST API and the source of truth.",
        subcommands: [Serve.self, Backup.self, Restore.self],
        defaultSubcommand: Serve.self)
}

/// The configuration every subcommand reads: flags > environment (`SWITCHBOARD_*`) > the JSON
/// file > defaults, one schema (`OriginSettings`) for all three.
struct ConfigurationOptions: ParsableArguments {
    @Option(help: "JSON configuration file (see config/origin.example.json).") var config: String?
    @Argument(parsing: .allUnrecognized, help: "Settings as flags, e.g. --port 8443 --gateway-outbound-queue-bytes 1048576 (all listed below).")
    var settings: [String] = []

    func load() async throws -> OriginConfiguration {
        do {
            return try await OriginSettings.schema.load(OriginSettings.defaults, from: .init(flags: settings, file: config)).configuration
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the REST API, the gateway and the edge feeds (the default).",
        discussion: "Settings (flag, then its variable; the JSON file nests the key's parts):\n\n"
            + OriginSettings.schema.helpText(defaults: OriginSettings.defaults))

    @OptionGroup var options: ConfigurationOptions
    @Flag(name: .customLong("print-config"), help: "Print the effective configuration (secrets redacted) as JSON and exit.")
    var printConfig = false
    @Flag(name: .customLong("seed-demo"), help: "Create the demo workspace if the store is empty and print a token.") var seedDemo = false

    func run() async throws {
        let configuration = try await options.load()
        if printConfig {
            print(OriginSettings.schema.printed(configuration, defaults: OriginSettings.defaults))
            return
        }
        configuration.logging.bootstrap()
        raiseOpenFileLimit()  // one per client socket
        MallocArenas.limitToOnePerCore()
        let logger = Logger(label: "switchboard.origin")
        // One origin per SQLite file: a second one, or a restore, is refused while this one runs.
        let lock = try configuration.databaseURL == nil ? DirectoryLock(directory: configuration.dataDirectory, name: "origin") : nil
        let origin = try await Origin(configuration: configuration, logger: logger)
        if seedDemo {
            let demo = try await DemoWorkspace.seedIfEmpty(origin)
            printDemo(demo, base: "\(origin.transport.scheme)://\(configuration.host):\(configuration.port)")
        }
        let host = configuration.host
        let scheme = origin.transport.scheme
        let service = buildOrigin(origin, logger: logger) { port in
            logger.info("origin listening", metadata: ["url": "\(scheme)://\(host):\(port)", "port": "\(port)"])
        }
        // SIGTERM / SIGINT: clients are told to reconnect, then the server stops.
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                    logger: logger)).run()
        withExtendedLifetime(lock) {}
    }

    private func printDemo(_ demo: DemoWorkspace.Seeded, base: String) {
        let text = """

            Demo workspace "\(demo.workspace.name)" \(demo.created ? "created" : "already present") (id \(demo.workspace.id)).
            Web client: open \(base)/ (or an edge's address) and sign in to workspace "\(demo.workspace.name)"
            as alice@demo.switchboard.example (or bob@…, carol@…) with the password \(demo.password)
            (a new one at each start).
            Signed in as @\(demo.user.handle) (user \(demo.user.id)). Token:

            export TOKEN=\(demo.token)

            Try:
              curl -s \(base)/api/users/me -H "Authorization: Bearer $TOKEN"
              curl -s \(base)/api/channels -H "Authorization: Bearer $TOKEN"
              curl -s "\(base)/api/channels/\(demo.general.id)/messages?limit=10" -H "Authorization: Bearer $TOKEN"
              curl -s -X POST \(base)/api/channels/\(demo.general.id)/messages -H "Authorization: Bearer $TOKEN" \\
                   -H 'Content-Type: application/json' -d '{"content":"Hello from curl","nonce":"hello-1"}'
              curl -s "\(base)/api/search?q=edge" -H "Authorization: Bearer $TOKEN"
              curl -s \(base)/api/rtm.start -H "Authorization: Bearer $TOKEN" | wc -c

            """
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite store to FILE while the origin serves (a consistent snapshot).",
        discussion: "PostgreSQL stores are backed up with pg_dump: see docs/operations.md#backups.")

    @Option(help: "Where the copy goes (replaced if it exists).") var to: String
    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try await options.load()
        guard configuration.databaseURL == nil else {
            throw ValidationError("the store is PostgreSQL: back it up with pg_dump --format=custom (docs/operations.md#backups)")
        }
        let summary = try SQLiteBackup.backup(from: configuration.sqlitePath, to: to)
        print("backed up \(configuration.sqlitePath) to \(to): \(summary)")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place of the SQLite store (the origin must be stopped).")

    @Option(help: "The backup made by `switchboard-origin backup`.") var from: String
    @Flag(help: "Overwrite the current database.") var replace = false
    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try await options.load()
        guard configuration.databaseURL == nil else {
            throw ValidationError("the store is PostgreSQL: restore it with pg_restore (docs/operations.md#backups)")
        }
        let lock = try DirectoryLock(directory: configuration.dataDirectory, name: "origin")
        let summary = try SQLiteBackup.restore(from: from, to: configuration.sqlitePath, replace: replace)
        withExtendedLifetime(lock) {}
        print("restored \(from) to \(configuration.sqlitePath): \(summary)")
    }
}
