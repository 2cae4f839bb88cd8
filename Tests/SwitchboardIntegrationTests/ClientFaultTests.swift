import Foundation
import SwitchboardLocking
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Faults between clients and an edge, through a ``FaultProxy`` shaped like a poor mobile link
/// (latency, jitter, a bandwidth limit) whose connections are cut over and over — with a FIN,
/// a reset, or in the middle of a frame — while messages are sent. Nothing is lost, nothing
/// doubled, order is kept: for the SDK's `LiveSession`, for a raw client that resumes as the
/// protocol says, and for a sender that sends an unacknowledged message again with its nonce.
@Suite struct ClientFaultTests {
    @Test func clientsOnACutAndShapedPathMissAndDoubleNothing() async throws {
        let secret = TestOrigin.randomSecret()
        try await TestOrigin.with(tokenSecret: secret, configure: { $0.messageRateLimit = 0 }) { origin in
            let ws = try await TestWorkspace.make(on: origin, handles: ["alice", "bob"])
            let general = try await ws.client("alice").general().id
            try await TestEdge.with(originURL: origin.baseURL, tokenSecret: secret, configure: {
                $0.gateway.commandsPerWindow = 100_000
                // The raw clients send no heartbeats.
                $0.gateway.heartbeatIntervalMs = 600_000
            }) { edge in
                let proxy = try await FaultProxy(targetPort: edge.port)
                defer { Task { await proxy.close() } }
                proxy.shape(.init(latency: .milliseconds(15), jitter: .milliseconds(10), bytesPerSecond: 2_000_000))
                let url = SwitchboardClient.webSocketURL(proxy.url) + "/gateway"
                let bob = ws.client("bob").token!, alice = ws.client("alice").token!

                let live = FeedFaultTests.LiveRecorder()
                let session = LiveSession(token: bob, focus: general) { proxy.url }
                let runner = Task { await session.run { live.record($0) } }
                defer { runner.cancel() }
                _ = try await eventually { live.connections > 0 ? true : nil }
                let resumer = ResumingReader(url: url, token: bob)
                let reading = Task { try await resumer.run(focus: general) }
                defer { reading.cancel() }
                _ = try await eventually { resumer.connections > 0 ? true : nil }

                let total = 300, cuts = 12
                let kinds: [FaultProxy.Cut] = [.close, .reset, .midFrame]
                let sender = ProtocolSender(try await GatewaySocket.identify(url, token: alice, focus: general, mailboxCapacity: 4_096).socket) { _ in
                    try await GatewaySocket.identify(url, token: alice, focus: general, mailboxCapacity: 4_096).socket
                }
                var acknowledged: [Snowflake] = []
                for number in 1...total {
                    acknowledged.append(try await sender.send(number, in: general, noncePrefix: "cut"))
                    let every = total / cuts
                    if number % every == every / 2 { proxy.cutAll(kinds[(number / every) % kinds.count]) }
                }
                print("client faults: \(total) sends over a shaped path (15 ms ± 10 ms, 2 MB/s), \(cuts) cuts; the sender "
                      + "lost its socket \(sender.losses.count) times and sent those messages again; LiveSession connections \(live.connections), "
                      + "the resuming reader's \(resumer.connections)")

                // Stored once each; both readers heard each once, in order, across every cut.
                #expect(try await FeedFaultTests.history(general, client: ws.client("bob")) == acknowledged)
                _ = try await eventually(timeout: .seconds(60)) {
                    live.messages.count >= acknowledged.count && resumer.messages.count >= acknowledged.count ? true : nil
                }
                #expect(live.messages == acknowledged)
                #expect(resumer.messages == acknowledged)
                #expect(live.connections > 1 && resumer.connections > 1)
                await sender.socket.close()
            }
        }
    }
}

/// A raw gateway client that follows the protocol's resume rules: on a lost socket it resumes
/// its session after the last `s` it took, and takes the replayed events before live ones.
final class ResumingReader: Sendable {
    let url: String
    let token: String
    private let state = Locked<(messages: [Snowflake], connections: Int)>(([], 0))

    init(url: String, token: String) {
        self.url = url
        self.token = token
    }

    var messages: [Snowflake] { state.withLock { $0.messages } }
    var connections: Int { state.withLock { $0.connections } }

    func run(focus: Snowflake) async throws {
        let opened = try await GatewaySocket.identify(url, token: token, focus: focus, mailboxCapacity: 4_096)
        let sessionID = opened.hello.sessionID
        var socket = opened.socket
        var last: UInt64 = 0
        state.withLock { $0.connections += 1 }
        func take(_ frame: ServerFrame) throws {
            guard frame.op == "event", let s = frame.s else { return }
            last = s
            if frame.isEvent(.messageCreated) {
                let id = try frame.payload(Message.self).id
                state.withLock { $0.messages.append(id) }
            }
        }
        while !Task.isCancelled {
            do {
                if let frame = try await socket.next(timeout: .seconds(3600)) {
                    try take(frame)
                    continue
                }
            } catch is CancellationError {
                return
            } catch {
                // Lost: resumed below.
            }
            while !Task.isCancelled {
                do {
                    let resumed = try await GatewaySocket.resume(url, token: token, sessionID: sessionID, s: last)
                    for frame in resumed.replayed { try take(frame) }
                    socket = resumed.socket
                    state.withLock { $0.connections += 1 }
                    break
                } catch let error as APIError {
                    throw error   // the session could not be resumed: that is the failure
                } catch {
                    try await Task.sleep(for: .milliseconds(100))   // the path is cut again: try again
                }
            }
        }
    }
}
