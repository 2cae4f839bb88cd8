/// WebSocket close codes of the gateway. 4000–4099: the client should reconnect (and may
/// `resume`); 4100–4199: terminal, reconnecting as-is will fail again.
public enum GatewayCloseCode: UInt16, Sendable, CaseIterable {
    /// Two heartbeat intervals passed without a heartbeat. Resume.
    case heartbeatTimeout = 4000
    /// The outbound queue overflowed: the client reads too slowly. Resume.
    case slowConsumer = 4001
    /// Another connection resumed this session.
    case sessionReplaced = 4002
    /// No `identify` / `resume` in time.
    case identifyTimeout = 4003
    /// The server is shutting down or draining; connect elsewhere (and resume there if possible).
    case draining = 4004
    /// Far over the command rate limit.
    case flooding = 4005
    /// The token was refused.
    case authenticationFailed = 4100
    /// The user was deactivated or their tokens revoked while connected.
    case sessionRevoked = 4101

    public var reconnect: Bool { rawValue < 4100 }

    public var reason: String {
        switch self {
        case .heartbeatTimeout: "heartbeat timeout"
        case .slowConsumer: "slow consumer: outbound queue overflowed"
        case .sessionReplaced: "session resumed on another connection"
        case .identifyTimeout: "identify timeout"
        case .draining: "draining"
        case .flooding: "too many frames"
        case .authenticationFailed: "authentication failed"
        case .sessionRevoked: "session revoked"
        }
    }
}
