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
    /// run in clear when TLS is required, or warns — once, at start — that it runs in clear
    /// (a notice only when bound to loopback, where nothing crosses a network).
    public func transport(logger: Logger, host: String) throws -> ServerTransport {
        guard let tls else {
            if requireTLS {
                throw Refused(description: "TLS is required (--require-tls) but no certificate is configured: give --tls-cert and --tls-key")
            }
            let message: Logger.Message = "serving plain HTTP: tokens and messages travel in clear; give --tls-cert and --tls-key"
            if Self.isLoopback(host) {
                logger.notice(message, metadata: ["host": "\(host)"])
            } else {
                logger.warning(message, metadata: ["host": "\(host)"])
            }
            return ServerTransport(certificates: nil, plaintextHTTP2: plaintextHTTP2)
        }
        if plaintextHTTP2 {
            logger.warning("h2c is ignored on a TLS port: HTTP/2 is negotiated by ALPN")
        }
        return ServerTransport(certificates: try ServerCertificates(tls, logger: logger), plaintextHTTP2: false)
    }

    /// Whether `host` (a name or an address, IPv6 with or without brackets) is this machine's loopback.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
