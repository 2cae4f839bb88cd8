/// Where a daemon's own TLS comes from. With it, the daemon serves `https://` and `wss://`
/// on its one port, HTTP/2 or HTTP/1.1 by ALPN.
public struct ServerTLSConfiguration: Sendable, Hashable {
    /// PEM: the server's certificate, then its chain. No default.
    public var certificateFile: String
    /// PEM: the certificate's private key (unencrypted). No default.
    public var keyFile: String
    /// PEM bundle of the CAs whose client certificates are accepted (mutual TLS). A client may
    /// still connect without one; what needs one checks it (the origin's edge feed). Default nil.
    public var clientCAFile: String?
    /// How often the files are re-read to pick up a renewed certificate (ms); SIGHUP re-reads
    /// them at once. Default 10,000; 0 checks only on SIGHUP.
    public var reloadCheckIntervalMs: UInt64 = 10_000
    /// A TLS handshake must complete within this time or the connection is closed (ms).
    /// Default 10,000.
    public var handshakeTimeoutMs: UInt64 = 10_000

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }
}
