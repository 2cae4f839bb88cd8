import ArgumentParser
import Configuration
import Foundation
import Logging
import SwitchboardCore
import ServiceLifecycle
import SwitchboardEdge
import SwitchboardServer
import SwitchboardTLS
import SystemPackage

/// `switchboard-edge`: reads its configuration (flags > environment `SWITCHBOARD_EDGE_*` >
/// the JSON file > defaults, one schema: `EdgeSettings`), builds the edge and runs it until
/// SIGTERM / SIGINT.
@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-edge",
        abstract: "A Switchboard regional edge: working-set bootstraps, lazy loads and fan-out close to the clients.",
        discussion: "Settings (flag, then its variable; the JSON file nests the key's parts):\n\n"
            + EdgeSettings.schema.helpText(defaults: EdgeSettings.defaults))

    @Option(help: "JSON configuration file (see config/edge.us-east.example.json).") var config: String?
    @Flag(name: .customLong("print-config"), help: "Print the effective configuration (secrets redacted) as JSON and exit.")
    var printConfig = false
    @Argument(parsing: .allUnrecognized, help: "Settings as flags, e.g. --origin https://origin:8443 --region eu-west (all listed below).")
    var settings: [String] = []

    func run() async throws {
        let configuration: EdgeConfiguration
        do {
            configuration = try await EdgeSettings.schema.load(EdgeSettings.defaults, from: .init(flags: settings, file: config)).configuration
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        if printConfig {
            print(EdgeSettings.schema.printed(configuration, defaults: EdgeSettings.defaults))
            return
        }
        configuration.logging.bootstrap()
        raiseOpenFileLimit()  // one per client socket
        MallocArenas.limitToOnePerCore()
        let logger = Logger(label: "switchboard.edge")
        let edge = try await Edge(configuration: configuration, logger: logger)
        let region = configuration.region
        let scheme = edge.transport.scheme
        let host = configuration.host
        let service = buildEdge(edge, logger: logger) { port in
            logger.info("edge listening", metadata: ["region": "\(region)", "url": "\(scheme)://\(host):\(port)", "port": "\(port)"])
        }
        // SIGTERM / SIGINT: drain the clients over the window, then stop.
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                    logger: logger)).run()
    }
}
