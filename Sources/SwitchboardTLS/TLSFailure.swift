import NIOSSL

/// A connection that failed in TLS, said in an operator's words: which server, and which
/// option sets the trust that refused it. Not a network blip: retrying will not help until the
/// configuration (or the server's certificate) changes.
public struct TLSFailure: Error, CustomStringConvertible {
    public let description: String
    public let underlying: any Error

    /// Nil when `error` is not a TLS error.
    public init?(_ error: any Error, server: String, trustOption: String) {
        if let already = error as? TLSFailure {
            self = already
            return
        }
        underlying = error
        switch error {
        case NIOSSLError.handshakeFailed(let reason):
            let text = "\(reason)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                description = "the TLS certificate of \(server) did not verify against \(trustOption) (or the system trust store)"
            } else {
                description = "the TLS handshake with \(server) failed (\(text))"
            }
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            description = "the TLS certificate of \(server) does not name that host"
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            description = "TLS with \(server) failed (\(error))"
        default:
            return nil
        }
    }
}
