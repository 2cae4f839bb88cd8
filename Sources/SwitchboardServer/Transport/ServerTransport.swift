import SwitchboardTLS

/// How a daemon's port speaks: TLS (HTTPS + WSS, HTTP/2 or HTTP/1.1 by ALPN) when it has
/// certificates, else plain HTTP/1.1 — and, if asked for, HTTP/2 in clear with prior
/// knowledge (h2c) beside it.
public struct ServerTransport: Sendable {
    /// The certificates to serve; nil serves plain HTTP.
    public var certificates: ServerCertificates?
    /// Accept h2c (HTTP/2 without TLS, prior knowledge) on a plain port. Default false.
    public var plaintextHTTP2: Bool

    public init(certificates: ServerCertificates? = nil, plaintextHTTP2: Bool = false) {
        self.certificates = certificates
        self.plaintextHTTP2 = plaintextHTTP2
    }

    public static let plain = ServerTransport()

    /// `https` or `http`: the scheme of URLs that name this server.
    public var scheme: String { certificates == nil ? "http" : "https" }
}
