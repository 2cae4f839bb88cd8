import NIOSSL

/// A connection to the origin that failed in TLS, said in an operator's words.
struct OriginTLSFailure: CustomStringConvertible {
    let description: String

    init?(_ error: any Error) {
        switch error {
        case NIOSSLError.handshakeFailed(let reason):
            let text = "\(reason)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                description = "the origin's TLS certificate did not verify against --origin-ca (or the system trust store)"
            } else {
                description = "the TLS handshake with the origin failed (\(text))"
            }
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            description = "the origin's TLS certificate does not name the host in --origin"
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            description = "TLS with the origin failed (\(error))"
        default:
            return nil
        }
    }
}
