import Foundation
import NIOSSL

/// A TLS file that could not be used: which file, and why. Raised at start-up (or on a
/// reload, which then keeps the certificate it had).
public struct TLSFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// PEM files into NIOSSL types, with errors that name the file.
public enum TLSFiles {
    /// Every certificate of a PEM file (a leaf and its chain, or a CA bundle).
    public static func certificates(_ path: String) throws -> [NIOSSLCertificate] {
        try certificates(pem: read(path), path: path)
    }

    /// The private key of a PEM file (RSA or EC, unencrypted).
    public static func privateKey(_ path: String) throws -> NIOSSLPrivateKey {
        try privateKey(pem: read(path), path: path)
    }

    /// Certificates from PEM bytes read from `path` (named in the error).
    public static func certificates(pem bytes: [UInt8], path: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw TLSFileError(path: path, reason: "not a PEM certificate file (\(error))")
        }
        guard !certificates.isEmpty else { throw TLSFileError(path: path, reason: "holds no certificate") }
        return certificates
    }

    /// A private key from PEM bytes read from `path` (named in the error).
    public static func privateKey(pem bytes: [UInt8], path: String) throws -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw TLSFileError(path: path, reason: "not an unencrypted PEM private key (\(error))")
        }
    }

    /// The raw bytes of a file, for change detection and parsing.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSFileError(path: path, reason: "cannot be read")
        }
        return Array(data)
    }

    /// A client configuration: the peer's certificate must chain to `caFile` (else the system
    /// trust store) and name the host connected to — hostname verification is always on.
    /// With `certificateFile` and `keyFile`, this side presents a certificate (mutual TLS).
    public static func clientConfiguration(caFile: String?, certificateFile: String? = nil,
                                           keyFile: String? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile {
            configuration.trustRoots = .certificates(try certificates(caFile))
        }
        switch (certificateFile, keyFile) {
        case (let certificateFile?, let keyFile?):
            configuration.certificateChain = try certificates(certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try privateKey(keyFile))
        case (nil, nil):
            break
        case (let path?, nil), (nil, let path?):
            throw TLSFileError(path: path, reason: "a client certificate needs both a certificate and a key file")
        }
        return configuration
    }
}
