/// The error codes of the protocol. The raw value is what goes on the wire.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case notAMember = "not_a_member"
    case rateLimited = "rate_limited"
    case payloadTooLarge = "payload_too_large"
    case conflict
    case sessionExpired = "session_expired"
    case internalError = "internal_error"
    case unavailable

    /// The HTTP status that carries this code.
    public var httpStatus: Int {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .forbidden, .notAMember: 403
        case .notFound: 404
        case .conflict: 409
        case .payloadTooLarge: 413
        case .rateLimited: 429
        case .sessionExpired: 401
        case .internalError: 500
        case .unavailable: 503
        }
    }
}

/// The one error type of the protocol: a code, a human message and, for `rate_limited`,
/// how long to wait. Servers map it to an HTTP error body or a gateway `error` frame.
public struct SwitchboardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var retryAfterMs: Int?

    public init(_ code: ErrorCode, _ message: String, retryAfterMs: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterMs = retryAfterMs
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func badRequest(_ message: String) -> Self { .init(.badRequest, message) }
    public static func notFound(_ what: String) -> Self { .init(.notFound, "\(what) not found") }
    public static func forbidden(_ message: String) -> Self { .init(.forbidden, message) }
    public static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    public static let unauthorized = Self(.unauthorized, "missing, invalid or expired token")
    public static let notAMember = Self(.notAMember, "you are not a member of this channel")
}

/// `{"error": {"code": "...", "message": "...", "retry_after_ms": 1200}}`
public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
        public var retryAfterMs: Int?

        enum CodingKeys: String, CodingKey {
            case code, message
            case retryAfterMs = "retry_after_ms"
        }
    }

    public var error: Detail

    public init(_ error: SwitchboardError) {
        self.error = Detail(code: error.code.rawValue, message: error.message, retryAfterMs: error.retryAfterMs)
    }

    /// The typed error, or `internal_error` for a code this build does not know.
    public var switchboardError: SwitchboardError {
        SwitchboardError(ErrorCode(rawValue: error.code) ?? .internalError, error.message, retryAfterMs: error.retryAfterMs)
    }
}
