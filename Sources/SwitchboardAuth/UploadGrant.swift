import Crypto
import Foundation
import SwitchboardCore

/// The seed's pre-signed upload: `POST /api/attachments/upload` hands out a URL that carries
/// everything the upload may be — its attachment id, uploader, media type, exact size, name —
/// and an expiry, signed with a key derived from the token secret. Whoever holds the URL may
/// PUT those bytes once before it expires; no other credential is needed (as with S3's
/// pre-signed URLs), and nothing is stored until the bytes arrive.
public struct UploadGrant: Codable, Sendable, Equatable {
    public var attachmentID: Snowflake
    public var workspaceID: Snowflake
    public var uploaderID: Snowflake
    public var contentType: String
    public var size: Int
    public var name: String
    /// Unix seconds.
    public var expires: UInt64

    public init(attachmentID: Snowflake, workspaceID: Snowflake, uploaderID: Snowflake, contentType: String, size: Int,
                name: String, expires: UInt64) {
        self.attachmentID = attachmentID
        self.workspaceID = workspaceID
        self.uploaderID = uploaderID
        self.contentType = contentType
        self.size = size
        self.name = name
        self.expires = expires
    }

    enum CodingKeys: String, CodingKey {
        case size, name
        case attachmentID = "a"
        case workspaceID = "w"
        case uploaderID = "u"
        case contentType = "t"
        case expires = "e"
    }
}

/// Seals and opens ``UploadGrant``s: `base64url(JSON).hex(HMAC-SHA256)`.
public struct UploadGrantSigner: Sendable {
    private let key: SymmetricKey

    public init(tokenSecret: String) {
        let derived = HMAC<SHA256>.authenticationCode(for: Data("switchboard-upload-urls".utf8),
                                                      using: SymmetricKey(data: Data(tokenSecret.utf8)))
        key = SymmetricKey(data: Data(derived))
    }

    public func seal(_ grant: UploadGrant) throws -> String {
        let body = Self.base64URL(try JSON.encode(grant))
        return body + "." + Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key))
    }

    /// The grant, if the token is this signer's and unexpired; nil otherwise.
    public func open(_ token: String, nowMs: UInt64 = WallClock.nowMs()) -> UploadGrant? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 2048, parts.count == 2, let mac = Hex.mac(String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key),
              let json = Self.data(base64URL: String(parts[0])),
              let grant = try? JSON.decoder().decode(UploadGrant.self, from: json),  // signed by us: cannot fail but for a key change
              grant.expires >= nowMs / 1000 else { return nil }
        return grant
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64URL text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
