import Foundation
import Logging
import NIOSSL
import SwitchboardLocking

/// The server's current TLS context. Each new connection takes the context current when it
/// arrives; ``reload()`` swaps in a renewed certificate for new connections without touching
/// the ones already open (certificates are rotated every 60–90 days in real deployments).
public final class ServerCertificates: Sendable {
    public let configuration: ServerTLSConfiguration
    private let logger: Logger

    private struct Loaded {
        var context: NIOSSLContext
        /// The files' bytes the context was made from: a reload with the same bytes does nothing.
        var files: [[UInt8]]
        var leaf: NIOSSLCertificate
    }
    private let loaded: Locked<Loaded>
    /// Bytes that failed to load, so that a broken renewal is reported once, not every poll.
    private let refused = Locked<[[UInt8]]?>(nil)

    /// Loads the files; throws ``TLSFileError`` naming the file that cannot be used.
    public init(_ configuration: ServerTLSConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let first = try Self.load(configuration)
        loaded = Locked(first)
        Self.warnIfExpiring(first.leaf, path: configuration.certificateFile, logger: logger)
    }

    /// The context for a connection arriving now.
    public var context: NIOSSLContext { loaded.withLock { $0.context } }

    /// Whether clients may present certificates signed by ``ServerTLSConfiguration/clientCAFile``.
    public var acceptsClientCertificates: Bool { configuration.clientCAFile != nil }

    /// The leaf certificate's serial number, as hex (what a connection is served now).
    public var serialNumber: String {
        loaded.withLock { $0.leaf }.serialNumber.map { String(format: "%02x", $0) }.joined()
    }

    public enum ReloadResult: Sendable, Equatable {
        case unchanged
        case reloaded
        case refused(String)
    }

    /// Reads the files again. Changed files that load replace the context for new connections;
    /// files that do not load are reported (once) and the current certificate stays.
    @discardableResult
    public func reload() -> ReloadResult {
        let files: [[UInt8]]
        do {
            files = try Self.readFiles(configuration)
        } catch {
            return report(refusal: "\(error)", files: nil)
        }
        if loaded.withLock({ $0.files == files }) { return .unchanged }
        do {
            let next = try Self.load(configuration, files: files)
            loaded.withLock { $0 = next }
            refused.withLock { $0 = nil }
            logger.notice("TLS certificate reloaded", metadata: [
                "certificate": "\(configuration.certificateFile)", "serial": "\(serialNumber)",
                "not_valid_after": "\(Self.date(next.leaf.notValidAfter))",
            ])
            Self.warnIfExpiring(next.leaf, path: configuration.certificateFile, logger: logger)
            return .reloaded
        } catch {
            return report(refusal: "\(error)", files: files)
        }
    }

    private func report(refusal: String, files: [[UInt8]]?) -> ReloadResult {
        let first = refused.withLock { previous -> Bool in
            defer { previous = files }
            return files == nil || previous != files
        }
        if first {
            logger.error("TLS certificate not reloaded; the current one stays in use", metadata: ["error": "\(refusal)"])
        }
        return .refused(refusal)
    }

    private static func readFiles(_ configuration: ServerTLSConfiguration) throws -> [[UInt8]] {
        var files = [try TLSFiles.read(configuration.certificateFile), try TLSFiles.read(configuration.keyFile)]
        if let ca = configuration.clientCAFile { files.append(try TLSFiles.read(ca)) }
        return files
    }

    private static func load(_ configuration: ServerTLSConfiguration, files: [[UInt8]]? = nil) throws -> Loaded {
        let files = try files ?? readFiles(configuration)
        let chain = try TLSFiles.certificates(pem: files[0], path: configuration.certificateFile)
        let key = try TLSFiles.privateKey(pem: files[1], path: configuration.keyFile)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                           privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["h2", "http/1.1"]
        if let caFile = configuration.clientCAFile {
            let authorities = try TLSFiles.certificates(pem: files[2], path: caFile)
            // Optional: a browser or the SDK connects without a certificate; a certificate that is
            // presented must chain to these CAs or the handshake fails.
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .certificates(authorities)
            tls.sendCANameList = true
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            // Typically a key that does not belong to the certificate.
            throw TLSFileError(path: configuration.keyFile, reason: "does not make a TLS context with \(configuration.certificateFile) (\(error))")
        }
        return Loaded(context: context, files: files, leaf: chain[0])
    }

    private static func warnIfExpiring(_ leaf: NIOSSLCertificate, path: String, logger: Logger) {
        let expiry = date(leaf.notValidAfter)
        let remaining = expiry.timeIntervalSinceNow
        if remaining <= 0 {
            logger.error("the TLS certificate has expired: clients will refuse it", metadata: ["certificate": "\(path)", "not_valid_after": "\(expiry)"])
        } else if remaining < 14 * 24 * 3600 {
            logger.warning("the TLS certificate expires soon", metadata: ["certificate": "\(path)", "not_valid_after": "\(expiry)"])
        }
    }

    private static func date(_ time: time_t) -> Date { Date(timeIntervalSince1970: TimeInterval(time)) }
}
