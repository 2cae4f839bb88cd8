import Foundation
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore
@testable import SwitchboardEdge
import SwitchboardTesting
import Testing

/// Debian's haproxy, run with the shipped `deploy/haproxy/switchboard.cfg`, in front of two
/// edges, every hop TLS: each workspace's sessions land on one edge (hashing on the workspace
/// the clients name), each edge holds feeds for its share, and when one edge drains its clients
/// carry on at the other with nothing missed or doubled.
@Suite(.enabled(if: ChildProcess.which("haproxy") != nil, "needs haproxy (Debian's haproxy package)"))
struct HAProxyTests {
    static let workspaceCount = 20

    @Test func workspacesStayOnOneEdgeAndADrainedEdgesClientsMissNothing() async throws {
        let ca = try TestCertificateAuthority()
        defer { ca.remove() }
        let edgeCertificate = try ca.issueServer("edge")
        let balancerCertificate = try ca.issueServer("balancer")
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            var made: [TestWorkspace] = []
            for index in 0..<Self.workspaceCount {
                made.append(try await TestWorkspace.make(on: origin, name: "W\(index)", handles: ["writer\(index)", "reader\(index)"]))
            }
            let workspaces = made
            let generals = try await withThrowingTaskGroup(of: (Snowflake, Snowflake).self) { group in
                for ws in workspaces { group.addTask { (ws.workspace.id, try await ws.client(ws.users.keys.sorted()[1]).general().id) } }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let recorder = Recorder()
            var balancer: HAProxy?
            var sessions: [Task<Void, Never>] = []
            var poster: Task<Void, any Error>?
            var moved: Set<Snowflake> = []
            defer {
                for session in sessions { session.cancel() }
                balancer?.stop()
            }
            func edge(_ region: String, _ body: (TestEdge) async throws -> Void) async throws {
                try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, region: region, tls: ca.trust, configure: {
                    $0.transport.tls = edgeCertificate.server
                    // Long enough for haproxy to see /readyz turn 503 while clients are still being moved.
                    $0.drainWindowMs = 3_000
                }, body)
            }
            try await edge("stays") { stays in
                try await edge("drains") { drains in
                    balancer = try await HAProxy.start(certificate: balancerCertificate, caFile: ca.caFile,
                                                       edges: [drains.port, stays.port])
                    let url = balancer!.baseURL
                    // Two sessions per workspace (its writer's and its reader's), naming their workspace.
                    for ws in workspaces {
                        for handle in ws.users.keys.sorted() {
                            let live = LiveSession(token: ws.client(handle).token!, focus: generals[ws.workspace.id],
                                                   workspaceID: ws.workspace.id, tls: ca.trust) { url }
                            let key = "\(handle)"
                            sessions.append(Task {
                                await live.run { update in
                                    switch update {
                                    case .message(let message): recorder.heard(message.id, by: key)
                                    case .connected: recorder.connected(key)
                                    default: break
                                    }
                                }
                            })
                        }
                    }
                    _ = try await eventually(timeout: .seconds(60)) { recorder.connectedCount() >= 2 * Self.workspaceCount ? true : nil }

                    // Each workspace's sessions are on one edge, and only that edge has its feed.
                    var split: [String: Int] = ["drains": 0, "stays": 0]
                    var moving: Set<Snowflake> = []
                    for ws in workspaces {
                        let id = ws.workspace.id
                        let here = [("drains", drains), ("stays", stays)].filter { $0.1.edge.gateway.hasSessions(id) }
                        #expect(here.count == 1, "workspace \(id) has sessions on \(here.map(\.0))")
                        guard let (name, holder) = here.first else { continue }
                        split[name, default: 0] += 1
                        if name == "drains" { moving.insert(id) }
                        let other = holder.port == drains.port ? stays : drains
                        #expect(holder.edge.upstreams.upstream(id) != nil)
                        #expect(other.edge.upstreams.upstream(id) == nil, "both edges hold a feed of \(id)")
                    }
                    print("haproxy affinity: \(Self.workspaceCount) workspaces split \(split)")
                    // About half each (consistent hashing of 20 random ids: not exactly half).
                    #expect(split.values.allSatisfy { $0 >= 3 }, "\(split)")

                    // Messages keep coming into every workspace while one edge drains.
                    poster = Task {
                        for round in 0..<40 {
                            for ws in workspaces {
                                let writer = ws.users.keys.sorted()[0]
                                let posted = try await ws.client(writer).post("round \(round)", to: generals[ws.workspace.id]!).message
                                recorder.sent(posted.id, in: ws.workspace.id)
                            }
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                    _ = try await eventually { recorder.sentCount() >= Self.workspaceCount * 5 ? true : nil }
                    moved = moving
                }  // "drains" drains: its clients are told to reconnect, and haproxy sends them to "stays"
                try await poster?.value
                // Every session heard every message of its workspace once, in order.
                for ws in workspaces {
                    let expected = recorder.sent(in: ws.workspace.id)
                    for handle in ws.users.keys.sorted() {
                        _ = try? await eventually(timeout: .seconds(30)) { recorder.heard(by: handle).count >= expected.count ? true : nil }
                        #expect(recorder.heard(by: handle) == expected, "\(handle) of \(ws.workspace.id)")
                    }
                    #expect(stays.edge.gateway.hasSessions(ws.workspace.id))
                    // The drained edge's sessions connected again (through the same address); the others stayed.
                    for handle in ws.users.keys {
                        #expect(recorder.connections(of: handle) == (moved.contains(ws.workspace.id) ? 2 : 1), "\(handle)")
                    }
                }
                #expect(stays.edge.upstreams.readiness().count == Self.workspaceCount)
            }
        }
    }

    /// What the sessions heard and what was posted, by session and by workspace.
    final class Recorder: Sendable {
        private struct State {
            var heard: [String: [Snowflake]] = [:]
            var connections: [String: Int] = [:]
            var sent: [Snowflake: [Snowflake]] = [:]
        }
        private let state = Locked(State())

        func heard(_ id: Snowflake, by session: String) { state.withLock { $0.heard[session, default: []].append(id) } }
        func heard(by session: String) -> [Snowflake] { state.withLock { $0.heard[session] ?? [] } }
        func connected(_ session: String) { state.withLock { $0.connections[session, default: 0] += 1 } }
        func connectedCount() -> Int { state.withLock { $0.connections.count } }
        func connections(of session: String) -> Int { state.withLock { $0.connections[session] ?? 0 } }
        func sent(_ id: Snowflake, in workspace: Snowflake) { state.withLock { $0.sent[workspace, default: []].append(id) } }
        func sent(in workspace: Snowflake) -> [Snowflake] { state.withLock { $0.sent[workspace] ?? [] } }
        func sentCount() -> Int { state.withLock { $0.sent.values.reduce(0) { $0 + $1.count } } }
    }
}

/// Debian's haproxy running `deploy/haproxy/switchboard.cfg`, configured through its
/// environment as the file says.
struct HAProxy: Sendable {
    let process: ChildProcess
    let port: Int
    var baseURL: String { "https://127.0.0.1:\(port)" }

    static var shippedConfiguration: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/haproxy/switchboard.cfg").path
    }

    static func start(certificate: TestCertificateAuthority.Issued, caFile: String, edges: [Int]) async throws -> HAProxy {
        // haproxy takes the certificate and its key in one file.
        let combined = certificate.certificateFile + ".combined.pem"
        let pem = try [certificate.certificateFile, certificate.keyFile].map { try String(contentsOfFile: $0, encoding: .utf8) }
        try pem.joined(separator: "\n").write(toFile: combined, atomically: true, encoding: .utf8)
        let binary = try #require(ChildProcess.which("haproxy"))
        for _ in 0..<5 {
            let port = try ReusablePort.pick()
            var environment = ProcessInfo.processInfo.environment
            environment["SWITCHBOARD_LB_BIND"] = "127.0.0.1:\(port)"
            environment["SWITCHBOARD_LB_CERT"] = combined
            environment["SWITCHBOARD_EDGE_CA"] = caFile
            environment["SWITCHBOARD_EDGE_NAME"] = "localhost"
            for (index, edge) in edges.enumerated() { environment["SWITCHBOARD_EDGE_\(index + 1)"] = "127.0.0.1:\(edge)" }
            let check = try ChildProcess(binary, ["-c", "-f", shippedConfiguration], environment: environment, mergeErrors: true)
            try #require(try await check.wait() == 0, "haproxy -c: \(check.output)")
            // -db: stay in the foreground, logging to stdout.
            let process = try ChildProcess(binary, ["-db", "-f", shippedConfiguration], environment: environment, mergeErrors: true)
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if !ReusablePort.isFree(port) {
                    // Bound; give the first health checks (every second) a round.
                    try await Task.sleep(for: .milliseconds(1_500))
                    return HAProxy(process: process, port: port)
                }
                if process.output.contains("[ALERT]") {
                    // Another test took the port: try another. Anything else is a failure.
                    if process.output.contains("cannot bind") { break }
                    throw TestFailure("haproxy: \(process.output)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.signal(SIGKILL)
            process.waitBlocking()
        }
        throw TestFailure("haproxy did not start")
    }

    func stop() {
        process.signal(SIGTERM)
        process.waitBlocking()
        process.cleanUp()
    }
}
