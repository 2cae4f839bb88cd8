import ArgumentParser
import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTLS

/// Options every command takes, and the client they make.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The origin's URL (default: SWITCHBOARD_ORIGIN, the saved login, or http://127.0.0.1:8080).")
    var origin: String?
    @Option(help: "A user token (default: SWITCHBOARD_TOKEN or the saved login).")
    var token: String?
    @Option(help: "`auto` for the nearest edge the origin lists, or an edge's URL (default: SWITCHBOARD_EDGE, else the origin).")
    var edge: String?
    @Option(name: .customLong("ca-file"), help: "PEM CA bundle to verify https:// and wss:// servers with (default: SWITCHBOARD_CA_FILE, else the system store).")
    var caFile: String?
    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// Runs once arguments are parsed, before any command makes a client: `--ca-file` then
    /// holds for every client of this run.
    func validate() throws {
        ClientTLS.useCAFile(caFile)
    }

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    var originURL: String {
        origin ?? environment["SWITCHBOARD_ORIGIN"] ?? Credentials.load()?.origin ?? "http://127.0.0.1:8080"
    }

    func userToken() throws -> String {
        guard let token = token ?? environment["SWITCHBOARD_TOKEN"] ?? Credentials.load()?.token else {
            throw ValidationError("not logged in: run `switchboard login --token TOKEN` or set SWITCHBOARD_TOKEN")
        }
        return token
    }

    /// Where user calls go: the origin, a named edge, or the nearest answering edge.
    func baseURL() async throws -> String {
        switch edge ?? environment["SWITCHBOARD_EDGE"] {
        case nil, "": return originURL
        case "auto":
            let origin = SwitchboardClient(baseURL: originURL, token: try userToken())
            return try await origin.nearestEdge() ?? originURL
        case let url?: return url
        }
    }

    func client() async throws -> SwitchboardClient {
        SwitchboardClient(baseURL: try await baseURL(), token: try userToken())
    }
}
