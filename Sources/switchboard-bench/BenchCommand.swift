import ArgumentParser
import Foundation
import SwitchboardBench
import SwitchboardTLS
import SwitchboardClient
import SwitchboardCore

/// `switchboard-bench`: builds synthetic workspaces and measures Switchboard against them.
/// Every scenario prints a table; `--json FILE` writes the same figures for scripts.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-bench",
        abstract: "Synthetic workspaces, bootstrap payloads, fan-out latency and load.",
        discussion: """
            Start an origin and an edge (e.g. bash deploy/local-regions.sh), then:
              switchboard-bench seed --users 32000 --manifest ws32k.json
              switchboard-bench bootstrap --manifest ws32k.json --edge http://127.0.0.1:8081
            The admin key comes from --admin-key or SWITCHBOARD_ADMIN_KEY.
            """,
        subcommands: [Seed.self, Bootstrap.self, Fanout.self, ConnectStorm.self, HistoryHerd.self, OriginLoad.self, Soak.self, Wan.self,
                      WanSend.self])
}

/// Options every scenario takes.
struct Common: ParsableArguments {
    @Option(help: "The origin's URL.") var origin = "http://127.0.0.1:8080"
    @Option(help: "The edge's URL.") var edge = "http://127.0.0.1:8081"
    @Option(name: .customLong("admin-key"), help: "The origin's admin key (default: SWITCHBOARD_ADMIN_KEY).") var adminKey: String?
    @Option(help: "The workspace file `seed` wrote.") var manifest = "bench-workspace.json"
    @Option(help: "Also write the results as JSON to this file.") var json: String?
    @Flag(help: "No progress bars.") var quiet = false
    @Option(name: .customLong("ca-file"), help: "PEM CA bundle to verify https:// and wss:// servers with (default: SWITCHBOARD_CA_FILE, else the system store).")
    var caFile: String?

    /// Runs once arguments are parsed, before a scenario makes a client: `--ca-file` then holds
    /// for every client of the run.
    func validate() throws {
        ClientTLS.useCAFile(caFile)
    }

    func key() throws -> String {
        guard let key = adminKey ?? ProcessInfo.processInfo.environment["SWITCHBOARD_ADMIN_KEY"], !key.isEmpty else {
            throw ValidationError("the admin key is needed: --admin-key or SWITCHBOARD_ADMIN_KEY")
        }
        return key
    }

    func write(_ table: Table, _ value: some Encodable) throws {
        print(table.text)
        guard let json else { return }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: json))
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build a synthetic workspace through the admin bulk import.")
    @OptionGroup var common: Common
    @Option(help: "Users.") var users = 1_500
    @Option(help: "Named channels, #general included (default users / 25).") var channels: Int?
    @Option(help: "Seed of the generator: the same seed makes the same workspace.") var seed: UInt64 = 1
    @Option(help: "Rows per import request.") var batchRows = 20_000

    func run() async throws {
        let origin = SwitchboardClient(baseURL: common.origin, adminKey: try common.key(), timeout: .seconds(300))
        let manifest = try await Seeder(origin: origin).seed(WorkspaceShape(users: users, channels: channels, seed: seed),
                                                             batchRows: batchRows, quiet: common.quiet)
        try manifest.save(to: common.manifest)
        let table = Table(title: "seed — workspace \(manifest.workspaceID) (manifest \(common.manifest))",
                          columns: ["users", "channels", "DMs", "memberships", "messages", "seconds"],
                          rows: [[Table.number(users), Table.number(manifest.channels), Table.number(manifest.dms),
                                  Table.number(manifest.memberships), Table.number(manifest.messages),
                                  String(format: "%.1f", manifest.seconds)]])
        try common.write(table, manifest)
    }
}

struct Bootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Full bootstrap (origin) against working set (edge): bytes and latency.")
    @OptionGroup var common: Common
    @Option(help: "Users whose working set is measured.") var samples = 100
    @Option(name: .customLong("full-samples"), help: "Users whose full bootstrap is measured.") var fullSamples = 20

    func run() async throws {
        var scenario = BootstrapScenario(manifest: try BenchManifest.load(from: common.manifest), originURL: common.origin,
                                         edgeURL: common.edge, adminKey: try common.key())
        scenario.samples = samples
        scenario.fullSamples = fullSamples
        scenario.quiet = common.quiet
        let report = try await scenario.run()
        try common.write(report.table, report)
    }
}

struct Fanout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delivery latency and server load with many clients in one channel.")
    @OptionGroup var common: Common
    @Option(help: "Clients connected, all members of #general.") var clients = 1_200
    @Option(help: "Clients looking at #general (the rest get badges).") var viewers = 1_000
    @Option(help: "Messages per second (the starting rate with --capacity).") var rate = 20
    @Option(help: "Posting users (default: one per message per second, within the default rate limit).") var senders: Int?
    @Option(help: "Seconds of sending (of each step with --capacity).") var seconds = 30
    @Flag(name: .customLong("via-origin"), help: "Connect to the origin's gateway instead of the edge's (for comparison).") var viaOrigin = false
    @Flag(name: .customLong("via-gateway"), help: "Post over the gateway's send instead of the origin's REST API.") var viaGateway = false
    @Flag(help: "Raise the rate a quarter per step until delivery falls behind; report the highest rate held (origin with --rate-limit 0).")
    var capacity = false

    func run() async throws {
        var scenario = FanoutScenario(manifest: try BenchManifest.load(from: common.manifest),
                                      serverURL: viaOrigin ? common.origin : common.edge, originURL: common.origin,
                                      adminKey: try common.key())
        scenario.clients = clients
        scenario.viewers = min(viewers, clients)
        scenario.rate = rate
        scenario.senders = senders
        scenario.seconds = seconds
        scenario.viaGateway = viaGateway
        scenario.quiet = common.quiet
        if capacity {
            let report = try await scenario.capacity(startRate: rate)
            try common.write(report.table, report)
        } else {
            let report = try await scenario.run()
            try common.write(report.table, report)
        }
    }
}

struct ConnectStorm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect-storm",
                                                    abstract: "Many clients identify at once: time to ready, CPU, memory per idle client.")
    @OptionGroup var common: Common
    @Option(help: "Clients (up to the open-file limit, 20,000 here).") var clients = 1_000
    @Option(help: "Handshakes in flight at once.") var parallelism = 500
    @Flag(name: .customLong("via-origin"), help: "Connect to the origin's gateway instead of the edge's.") var viaOrigin = false

    func run() async throws {
        var scenario = ConnectStormScenario(manifest: try BenchManifest.load(from: common.manifest),
                                            serverURL: viaOrigin ? common.origin : common.edge, originURL: common.origin,
                                            adminKey: try common.key())
        scenario.clients = clients
        scenario.parallelism = parallelism
        scenario.quiet = common.quiet
        let report = try await scenario.run()
        try common.write(report.table, report)
    }
}

struct HistoryHerd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history-herd",
                                                    abstract: "Concurrent opens of one uncached history page: origin requests made.")
    @OptionGroup var common: Common
    @Option(help: "Concurrent opens.") var requests = 1_000

    func run() async throws {
        var scenario = HistoryHerdScenario(manifest: try BenchManifest.load(from: common.manifest), edgeURL: common.edge,
                                           originURL: common.origin, adminKey: try common.key())
        scenario.requests = requests
        scenario.quiet = common.quiet
        let report = try await scenario.run()
        try common.write(report.table, report)
    }
}

struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A mixed load for a long time (sends, reads, reconnects, presence): RSS, open files, CPU and latency over time.")
    @OptionGroup var common: Common
    @Option(help: "Minutes of load.") var minutes = 30.0
    @Option(name: .customLong("sample-seconds"), help: "Seconds per row of the report.") var sampleSeconds = 60.0
    @Option(help: "Sessions at the edge looking at #general.") var viewers = 100
    @Option(help: "Senders over the edge's gateway.") var senders = 4
    @Option(help: "Messages per second, over all senders.") var rate = 20.0
    @Option(name: .customLong("read-rate"), help: "REST reads per second at the edge.") var readRate = 10.0
    @Option(name: .customLong("presence-rate"), help: "Presence changes per second.") var presenceRate = 2.0
    @Option(name: .customLong("viewer-lifetime"), help: "Seconds a viewer stays connected, on average, before it reconnects.")
    var viewerLifetime = 120.0

    func run() async throws {
        var scenario = SoakScenario(manifest: try BenchManifest.load(from: common.manifest), originURL: common.origin,
                                    edgeURL: common.edge, adminKey: try common.key())
        scenario.seconds = minutes * 60
        scenario.sampleEvery = sampleSeconds
        scenario.viewers = viewers
        scenario.senders = senders
        scenario.sendRate = rate
        scenario.readRate = readRate
        scenario.presenceRate = presenceRate
        scenario.viewerLifetime = viewerLifetime
        scenario.quiet = common.quiet
        let report = try await scenario.run()
        try common.write(report.table, report)
    }
}

struct OriginLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "origin",
                                                    abstract: "Origin write throughput, and history latency with a million messages.")
    @OptionGroup var common: Common
    @Option(help: "Concurrent senders.") var senders = 32
    @Option(help: "Seconds of writing.") var seconds = 20
    @Option(name: .customLong("history-messages"), help: "Messages in the history channel.") var historyMessages = 1_000_000
    @Option(name: .customLong("history-requests"), help: "History pages read.") var historyRequests = 500
    @Flag(name: .customLong("via-gateway"), help: "Post over the edge's gateway (--edge) instead of the origin's REST API.")
    var viaGateway = false

    func run() async throws {
        var scenario = OriginScenario(manifest: try BenchManifest.load(from: common.manifest), originURL: common.origin,
                                      adminKey: try common.key())
        scenario.gatewayURL = viaGateway ? common.edge : nil
        scenario.senders = senders
        scenario.seconds = seconds
        scenario.historyMessages = historyMessages
        scenario.historyRequests = historyRequests
        scenario.quiet = common.quiet
        let report = try await scenario.run()
        try common.write(report.table, report)
    }
}

struct Wan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Over a wide-area network: nearest edge, time to first screen (full vs working set), delivery in and across regions.")
    @OptionGroup var common: Common
    @Option(help: "The edges to choose from, comma-separated (default: --edge).") var edges: String?
    @Option(name: .customLong("expect-nearest"), help: "Fail unless nearest-edge selection picks this edge.") var expectNearest: String?
    @Option(name: .customLong("remote-command"), help: "Command prefix that runs a program in the other region, e.g. 'ip netns exec sbw-client-us'.")
    var remoteCommand: String?
    @Option(name: .customLong("remote-edge"), help: "The edge a user in the other region connects to.") var remoteEdge: String?
    @Option(help: "First screens measured each way.") var samples = 5
    @Option(help: "Messages sent from each region.") var messages = 20
    @Flag(help: "Exit with an error if a check fails (nearest edge, messages lost).") var check = false

    func run() async throws {
        var scenario = WANScenario(manifest: try BenchManifest.load(from: common.manifest), originURL: common.origin,
                                   edgeURLs: (edges ?? common.edge).split(separator: ",").map(String.init), adminKey: try common.key())
        scenario.expectNearest = expectNearest
        scenario.remoteCommand = remoteCommand.map { $0.split(separator: " ").map(String.init) } ?? []
        scenario.remoteEdge = remoteEdge
        scenario.samples = samples
        scenario.messages = messages
        scenario.quiet = common.quiet
        let report = try await scenario.run()
        try common.write(report.table, report)
        if check && !report.problems.isEmpty { throw ExitCode.failure }
    }
}

/// The sending half of `wan`, started by it in the other region.
struct WanSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wan-send", abstract: "Send timestamped probes through an edge (used by `wan`).",
                                                    shouldDisplay: false)
    @Option(help: "The edge's URL.") var edge: String
    @Option(help: "A user token.") var token: String
    @Option(help: "The channel id.") var channel: String
    @Option(help: "The probes' tag.") var tag = "remote"
    @Option(help: "Probes to send.") var count = 20
    @Option(name: .customLong("interval-ms"), help: "Between probes.") var intervalMs = 250

    func run() async throws {
        guard let channelID = Snowflake(channel) else { throw ValidationError("--channel must be an id") }
        try await WANSender(edgeURL: edge, token: token, channelID: channelID, tag: tag, count: count, intervalMs: intervalMs).run()
    }
}
