@_exported import SwitchboardSockets
import Foundation
import SwitchboardCore
import SwitchboardTLS

/// A client WebSocket to a gateway (`/gateway` of an origin or an edge).
public typealias GatewaySocket = FrameSocket<ServerFrame>

extension FrameSocket where Frame == ServerFrame {
    /// Connects to a gateway; `compress` offers permessage-deflate, `wire` counts the bytes read.
    public static func connect(_ url: String, mailboxCapacity: Int = 256, tls: ClientTLS = .environment,
                               compress: Bool = false, wire: WireCounter? = nil) async throws -> GatewaySocket {
        try await connect(url, tls: tls, compress: compress, wire: wire, parse: { try ServerFrame($0) },
                          mailboxCapacity: mailboxCapacity)
    }

    /// Sends a command frame.
    public func send(_ command: GatewayCommand) async throws {
        try await sendRaw(command.encoded())
    }

    /// A session opened with `identify`: its socket, the `hello` and the `ready` frame.
    public struct Identified: Sendable {
        public let socket: GatewaySocket
        public let hello: GatewayFrame.Hello
        public let ready: ServerFrame
    }

    /// Connects, waits for `hello`, sends `identify` and waits for `ready`.
    public static func identify(_ url: String, token: String, focus: Snowflake? = nil, mailboxCapacity: Int = 256,
                                timeout: Duration = .seconds(30), tls: ClientTLS = .environment,
                                compress: Bool = false, wire: WireCounter? = nil) async throws -> Identified {
        let socket = try await connect(url, mailboxCapacity: mailboxCapacity, tls: tls, compress: compress, wire: wire)
        let hello = try await socket.expect("hello", timeout: timeout).payload(GatewayFrame.Hello.self)
        try await socket.send(.identify(.init(token: token, focusChannelID: focus)))
        let ready = try await socket.expect("ready", timeout: timeout)
        return Identified(socket: socket, hello: hello, ready: ready)
    }

    /// Connects, waits for `hello` and resumes `sessionID` after `s`. Returns the replayed
    /// frames (everything before `resumed`), or throws the server's error as an ``APIError``.
    public static func resume(_ url: String, token: String, sessionID: String, s: UInt64,
                              timeout: Duration = .seconds(30), tls: ClientTLS = .environment) async throws -> (socket: GatewaySocket, replayed: [ServerFrame]) {
        let socket = try await connect(url, tls: tls)
        _ = try await socket.expect("hello", timeout: timeout)
        try await socket.send(.resume(.init(token: token, sessionID: sessionID, s: s)))
        let (last, replayed) = try await socket.next(where: { $0.op == "resumed" || $0.op == "error" }, timeout: timeout)
        if last.op == "error", let error = try? last.payload(GatewayFrame.ErrorPayload.self) {
            throw APIError(status: 0, error: SwitchboardError(ErrorCode(rawValue: error.code) ?? .internalError, error.message))
        }
        return (socket, replayed)
    }

    /// The next frame, which must have this op (an `error` frame is thrown as an ``APIError``).
    public func expect(_ op: String, timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        guard let frame = try await next(timeout: timeout) else { throw NotConnected() }
        if frame.op == op { return frame }
        if frame.op == "error", let error = try? frame.payload(GatewayFrame.ErrorPayload.self) {
            throw APIError(status: 0, error: SwitchboardError(ErrorCode(rawValue: error.code) ?? .internalError, error.message,
                                                              retryAfterMs: error.retryAfterMs))
        }
        throw UnexpectedFrame(expected: op, frame: frame)
    }

    /// The next `event` frame of this type, skipping heartbeat acks and other event types.
    public func expectEvent(_ type: EventType, timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        try await next(where: { $0.op == "event" && $0.t == type.rawValue }, timeout: timeout).frame
    }

    public struct UnexpectedFrame: Error, CustomStringConvertible {
        public var expected: String
        public var frame: ServerFrame
        public var description: String { "expected \(expected), got \(frame)" }
    }
}
