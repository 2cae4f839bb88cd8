import Crypto
import Foundation

/// `X-Switchboard-Timestamp: {unix seconds}` and `X-Switchboard-Signature: v1={hex HMAC-SHA256
/// of "v1:{timestamp}:{body}" with the integration's secret}`: the receiver recomputes it and
/// refuses old timestamps, so a call can be neither forged nor replayed later.
public enum IntegrationSignature {
    public static func sign(body: [UInt8], timestamp: UInt64, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("v1:\(timestamp):".utf8) + Data(body),
                                                  using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + Hex.encode(mac)
    }
}
