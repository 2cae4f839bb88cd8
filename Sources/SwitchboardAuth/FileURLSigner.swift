import Crypto
import Foundation
import SwitchboardCore

/// Signs and checks the expiring URLs of attachments: `/files/{id}?exp={unix seconds}&sig={hex}`
/// with `sig = HMAC-SHA256(key, "{id}.{exp}")`. The key derives from the token secret, so edges
/// (which have that secret) sign the URLs of the messages they serve from their cache; the
/// URL is relative, so it works through an edge as through the origin. A URL alone is not enough: the download also needs the token of
/// a member of the attachment's channel.
public struct FileURLSigner: Sendable {
    private let key: SymmetricKey
    /// How long a signed URL stays valid.
    public let lifetimeSeconds: UInt64

    public init(tokenSecret: String, lifetimeSeconds: UInt64) {
        let derived = HMAC<SHA256>.authenticationCode(for: Data("switchboard-file-urls".utf8),
                                                      using: SymmetricKey(data: Data(tokenSecret.utf8)))
        key = SymmetricKey(data: Data(derived))
        self.lifetimeSeconds = lifetimeSeconds
    }

    public func url(for id: Snowflake, nowMs: UInt64 = WallClock.nowMs()) -> String {
        let expires = nowMs / 1000 + lifetimeSeconds
        return "/files/\(id)?exp=\(expires)&sig=\(signature(id, expires))"
    }

    /// Whether `sig` is this signer's for `id` and `exp`, and `exp` is not past.
    public func isValid(id: Snowflake, exp: String?, sig: String?, nowMs: UInt64 = WallClock.nowMs()) -> Bool {
        guard let exp, let expires = UInt64(exp), expires >= nowMs / 1000, let sig, let given = Hex.mac(sig) else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data("\(id).\(expires)".utf8), using: key)
    }

    /// The messages with every attachment's URL signed for now.
    public func signed(_ messages: [Message], nowMs: UInt64 = WallClock.nowMs()) -> [Message] {
        guard messages.contains(where: { !$0.attachments.isEmpty }) else { return messages }
        return messages.map { signed($0, nowMs: nowMs) }
    }

    public func signed(_ message: Message, nowMs: UInt64 = WallClock.nowMs()) -> Message {
        var message = message
        for index in message.attachments.indices {
            message.attachments[index].url = url(for: message.attachments[index].id, nowMs: nowMs)
        }
        return message
    }

    private func signature(_ id: Snowflake, _ expires: UInt64) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data("\(id).\(expires)".utf8), using: key))
    }
}
