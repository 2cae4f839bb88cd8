import Foundation
import NIOSSL

/// How a client (the SDK, the CLI, the bench, an edge toward its origin) verifies the servers
/// it connects to over `https://` / `wss://`, and what it presents itself.
public struct ClientTLS: Sendable, Hashable {
    /// PEM bundle of the CAs to trust; nil: the system trust store.
    public var caFile: String?
    /// A client certificate to present (mutual TLS), with its key.
    public var certificateFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// The system trust store, no client certificate.
    public static let system = ClientTLS()

    /// The NIOSSL configuration (files are read now).
    public func configuration() throws -> TLSConfiguration {
        try TLSFiles.clientConfiguration(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile)
    }
}

extension ClientTLS {
    /// `SWITCHBOARD_CA_FILE` if set (a private CA's bundle), else the system trust store: the
    /// SDK's default, so every tool built on it honours the variable.
    public static var environment: ClientTLS { environmentValue }

    /// For command-line tools: a `--ca-file` flag acts as `SWITCHBOARD_CA_FILE` for every client
    /// the process makes. Call before the first client is made (the variable is read once).
    public static func useCAFile(_ path: String?) {
        guard let path else { return }
        setenv("SWITCHBOARD_CA_FILE", path, 1)
    }

    private static let environmentValue: ClientTLS = {
        let caFile = ProcessInfo.processInfo.environment["SWITCHBOARD_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        return ClientTLS(caFile: caFile)
    }()
}
