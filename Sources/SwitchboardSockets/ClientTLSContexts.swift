import AsyncHTTPClient
import NIOSSL
import SwitchboardLocking
import SwitchboardTLS

/// One TLS context and one HTTP client per trust setting, made on first use and kept for the
/// process (as `HTTPClient.shared` is): loading trust roots costs far more than a connection,
/// and a connect storm of 10,000 `wss://` clients shares one context.
public final class ClientTLSContexts: Sendable {
    public static let shared = ClientTLSContexts()

    private let contexts = Locked<[ClientTLS: NIOSSLContext]>([:])
    private let clients = Locked<[ClientTLS: HTTPClient]>([:])

    /// The NIOSSL context for `tls` (its files are read the first time, under the lock: once).
    public func context(for tls: ClientTLS) throws -> NIOSSLContext {
        try contexts.withLock { made in
            if let context = made[tls] { return context }
            let context = try NIOSSLContext(configuration: tls.configuration())
            made[tls] = context
            return context
        }
    }

    /// An HTTP client that trusts as `tls` says: `HTTPClient.shared` for the system store.
    public func httpClient(for tls: ClientTLS) throws -> HTTPClient {
        if tls == .system { return .shared }
        return try clients.withLock { made in
            if let client = made[tls] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = try tls.configuration()
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            made[tls] = client
            return client
        }
    }
}
