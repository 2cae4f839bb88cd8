import Foundation
import SwitchboardClient
import SwitchboardCore
import SwitchboardTesting
import Testing

/// Sends as the protocol tells a client to: each message waits for its `ack`; one refused as
/// `unavailable` is sent again after a pause; when the socket is lost before the ack, `reconnect`
/// gives a new one and the message goes again with the same nonce (the origin returns the message
/// it already committed, if it did).
final class ProtocolSender {
    private(set) var socket: GatewaySocket
    /// Times the socket was lost, and the message number being sent each time.
    private(set) var losses: [Int] = []
    private let reconnect: (GatewaySocket) async throws -> GatewaySocket

    init(_ socket: GatewaySocket, reconnect: @escaping (_ lost: GatewaySocket) async throws -> GatewaySocket) {
        self.socket = socket
        self.reconnect = reconnect
    }

    /// Message `number` (content "message N", nonce PREFIX-N) in `channel`; returns its id.
    func send(_ number: Int, in channel: Snowflake, noncePrefix: String) async throws -> Snowflake {
        while true {
            do {
                try await socket.send(.send(.init(channelID: channel, content: "message \(number)", nonce: "\(noncePrefix)-\(number)")))
                let (answer, _) = try await socket.next(where: { $0.op == "ack" || $0.op == "error" }, timeout: .seconds(60))
                if answer.op == "ack" { return try answer.payload(GatewayFrame.Ack.self).message.id }
                let refused = try answer.payload(GatewayFrame.ErrorPayload.self)
                try #require(refused.code == ErrorCode.unavailable.rawValue, "\(refused.message)")
                try await Task.sleep(for: .milliseconds(200))
            } catch let error as ExpectationFailedError {
                throw error
            } catch {
                // Lost before the ack (a write may fail a moment before the socket says it closed).
                losses.append(number)
                socket = try await reconnect(socket)
            }
        }
    }
}
