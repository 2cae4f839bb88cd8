import Foundation
import JWTKit
import SwitchboardCore

/// Who is calling: the verified claims of a bearer token.
public struct Caller: Sendable, Equatable {
    public var userID: Snowflake
    public var workspaceID: Snowflake
    /// When the token was issued (0 for tokens made before tokens carried it): checked against
    /// the user's `sessions_valid_from_ms` (``User/acceptsToken(issuedAtMs:)``).
    public var issuedAtMs: UInt64
    /// The sign-in this token belongs to (claim `sid`), which `POST /api/auth/logout` revokes;
    /// empty for tokens made before tokens carried one.
    public var sessionID: String
    /// When the token expires (claim `exp`): a revocation is kept until then.
    public var expiresAtMs: UInt64

    public init(userID: Snowflake, workspaceID: Snowflake, issuedAtMs: UInt64 = 0, sessionID: String = "",
                expiresAtMs: UInt64 = 0) {
        self.userID = userID
        self.workspaceID = workspaceID
        self.issuedAtMs = issuedAtMs
        self.sessionID = sessionID
        self.expiresAtMs = expiresAtMs
    }

    /// The same user of the same workspace, whichever token each came with.
    public func isSameUser(as other: Caller) -> Bool {
        userID == other.userID && workspaceID == other.workspaceID
    }
}

/// Issues and verifies HS256 JWTs with claims `sub` (user id), `ws` (workspace id), `iat`
/// (to the millisecond), `sid` (the sign-in, random per issued token) and `exp`.
/// The edge verifies the same tokens with the same secret, without a round trip.
public struct TokenAuthority: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var ws: String
        var iat: IssuedAtClaim?
        var sid: String?
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    private let keys: JWTKeyCollection
    /// Lifetime of issued tokens.
    public let tokenLifetimeSeconds: Int

    /// - Parameter secret: at least 32 bytes (shorter HS256 keys are refused).
    public init(secret: String, tokenLifetimeSeconds: Int) async throws {
        guard secret.utf8.count >= 32 else {
            throw SwitchboardError.badRequest("the token secret must be at least 32 bytes")
        }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
    }

    /// A new sign-in's token for the caller's user: a fresh `sid`, so it can be revoked alone.
    public func issue(for caller: Caller, nowMs: UInt64 = WallClock.nowMs()) async throws -> String {
        let expiry = Double(nowMs) / 1000 + Double(tokenLifetimeSeconds)
        let claims = Claims(sub: SubjectClaim(value: caller.userID.description), ws: caller.workspaceID.description,
                            iat: IssuedAtClaim(value: Date(timeIntervalSince1970: Double(nowMs) / 1000)),
                            sid: Self.newSessionID(),
                            exp: ExpirationClaim(value: Date(timeIntervalSince1970: expiry.rounded(.down))))
        return try await keys.sign(claims)
    }

    /// 128 random bits, hex: names a sign-in without saying anything about it.
    static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The token of an `Authorization: Bearer <token>` header, if that is what it holds.
    public static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        return String(authorization.dropFirst("Bearer ".count))
    }

    /// The caller named by an `Authorization` header's bearer token; `unauthorized` otherwise.
    public func verify(authorization: String?) async throws(SwitchboardError) -> Caller {
        guard let token = Self.bearerToken(authorization) else { throw SwitchboardError.unauthorized }
        return try await verify(token)
    }

    /// The caller named by a valid, unexpired token; `unauthorized` otherwise.
    public func verify(_ token: String) async throws(SwitchboardError) -> Caller {
        do {
            let claims = try await keys.verify(token, as: Claims.self)
            guard let user = Snowflake(claims.sub.value), let workspace = Snowflake(claims.ws) else {
                throw SwitchboardError.unauthorized
            }
            let issuedAtMs = claims.iat.map { UInt64(max(0, ($0.value.timeIntervalSince1970 * 1000).rounded())) } ?? 0
            return Caller(userID: user, workspaceID: workspace, issuedAtMs: issuedAtMs, sessionID: claims.sid ?? "",
                          expiresAtMs: UInt64(max(0, claims.exp.value.timeIntervalSince1970 * 1000)))
        } catch {
            throw SwitchboardError.unauthorized
        }
    }
}
