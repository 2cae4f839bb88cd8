import Logging
import SwitchboardTLS

/// How a daemon's listener is secured, as configured. Shared by origin and edge.
public struct TransportConfiguration: Sendable {
    /// Certificates to serve HTTPS and WSS with; nil serves plain HTTP (with a warning). Default nil.
    public var tls: ServerTLSConfiguration?
    /// Refuse to start without ``tls``. Default false.
    public var requireTLS: Bool = false
    /// Accept HTTP/2 in clear with prior knowledge (h2c) on a plain port. Default false.
    public var plaintextHTTP2: Bool = false

    public init(tls: ServerTLSConfiguration? = nil) {
        self.tls = tls
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads the certificates (a file that cannot be used is an error naming it), or refuses to
    /// run in clear when TLS is required, or warns — once, at start — that it runs in clear.
    public func transport(logger: Logger) throws -> ServerTransport {
        guard let tls else {
            if requireTLS {
                throw Refused(description: "TLS is required (--require-tls) but no certificate is configured: give --tls-cert and --tls-key")
            }
            logger.warning("serving plain HTTP: tokens and messages cross the network in clear; give --tls-cert and --tls-key")
            return ServerTransport(certificates: nil, plaintextHTTP2: plaintextHTTP2)
        }
        if plaintextHTTP2 {
            logger.warning("h2c is ignored on a TLS port: HTTP/2 is negotiated by ALPN")
        }
        return ServerTransport(certificates: try ServerCertificates(tls, logger: logger), plaintextHTTP2: false)
    }
}
