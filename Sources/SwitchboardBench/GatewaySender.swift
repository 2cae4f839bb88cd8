import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardLocking

/// Posts as one user over a gateway's `send` (no HTTP request per message), as a client
/// does: each message waits for its `ack`. The session looks at nothing, so the events it
/// would otherwise get do not compete with the measured clients.
public final class GatewaySender: Sendable {
    private let socket: GatewaySocket
    private let channelID: Snowflake
    /// Half the server's heartbeat interval: a sender that outlives two intervals without a
    /// heartbeat is closed by the server, however much it sends.
    private let heartbeatEvery: Duration
    private let lastHeartbeat: Locked<ContinuousClock.Instant>

    private init(socket: GatewaySocket, channelID: Snowflake, heartbeatIntervalMs: Int) {
        self.socket = socket
        self.channelID = channelID
        heartbeatEvery = .milliseconds(heartbeatIntervalMs / 2)
        lastHeartbeat = Locked(.now)
    }

    public static func connect(_ gatewayURL: String, token: String, channelID: Snowflake) async throws -> GatewaySender {
        let identified = try await GatewaySocket.identify(gatewayURL, token: token, mailboxCapacity: 4_096)
        try await identified.socket.send(.focus(.init(channelID: nil)))
        return GatewaySender(socket: identified.socket, channelID: channelID, heartbeatIntervalMs: Int(identified.hello.heartbeatIntervalMs))
    }

    /// Sends and returns once the server acknowledged the commit; a refusal is thrown (one for
    /// sending too many frames says to start the server with a larger `gateway.commandsPerWindow`).
    /// A heartbeat goes first when one is due.
    public func post(_ content: String, nonce: String = UUID().uuidString) async throws {
        let now = ContinuousClock.now
        if lastHeartbeat.withLock({ last in
            guard now - last >= heartbeatEvery else { return false }
            last = now
            return true
        }) {
            try await socket.send(.heartbeat(.init(s: nil)))
        }
        try await socket.send(.send(.init(channelID: channelID, content: content, nonce: nonce)))
        let (answer, _) = try await socket.next(where: { ($0.op == "ack" || $0.op == "error") && $0.mentions(nonce) },
                                                timeout: .seconds(60))
        if answer.op == "error" {
            let error = try answer.payload(GatewayFrame.ErrorPayload.self)
            if error.code == ErrorCode.rateLimited.rawValue, error.message.contains("frames") {
                throw BenchError("the gateway refused frames as a flood: start it with a larger gateway.commandsPerWindow")
            }
            throw SwitchboardError(ErrorCode(rawValue: error.code) ?? .internalError, error.message, retryAfterMs: error.retryAfterMs)
        }
    }

    public func close() async { await socket.close() }
}

extension ServerFrame {
    /// Whether the frame's bytes hold `text` (a nonce), without decoding it.
    func mentions(_ text: String) -> Bool { raw.range(of: Data(text.utf8)) != nil }
}
