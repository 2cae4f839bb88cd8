import Crypto
import Foundation
import SwiftASN1
import SwitchboardTLS
import X509

/// Throw-away certificate authorities and the certificates they sign, written as PEM files to
/// a temporary directory: real X.509 chains for TLS tests (servers on 127.0.0.1 / localhost,
/// edges' client certificates, expired ones).
public struct TestCertificateAuthority: Sendable {
    public let directory: String
    public let name: String
    private let key: P256.Signing.PrivateKey
    private let certificate: Certificate

    /// The CA's certificate: what clients give as `--ca-file` / `--origin-ca`.
    public var caFile: String { directory + "/\(name).pem" }
    /// A client trust setting for this CA.
    public var trust: ClientTLS { ClientTLS(caFile: caFile) }

    /// A new CA in a new temporary directory (or in `directory`).
    public init(name: String = "test-ca", directory: String? = nil) throws {
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-tls-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.name = name
        key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName("Switchboard \(name)") }
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(10 * 365 * 86400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
        try certificate.serializeAsPEM().pemString.write(toFile: caFile, atomically: true, encoding: .utf8)
    }

    /// A certificate and key signed by this CA, as files.
    public struct Issued: Sendable {
        public let certificateFile: String
        public let keyFile: String
        /// The serial number as lowercase hex, as `openssl x509 -serial` shows it (without leading zeros).
        public let serial: String

        /// As a server's TLS configuration.
        public var server: ServerTLSConfiguration { ServerTLSConfiguration(certificateFile: certificateFile, keyFile: keyFile) }
    }

    /// A server certificate for `names` (DNS names or IPv4 addresses; default localhost and
    /// 127.0.0.1), valid from `notBefore` to `notAfter` (default: now−1 h to now+90 days).
    public func issueServer(_ file: String, names: [String] = ["localhost", "127.0.0.1"],
                            notBefore: Date = Date().addingTimeInterval(-3600),
                            notAfter: Date = Date().addingTimeInterval(90 * 86400)) throws -> Issued {
        let alternatives: [GeneralName] = names.map { name in
            let octets = name.split(separator: ".").compactMap { UInt8($0) }
            if octets.count == 4 { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))) }
            return .dnsName(name)
        }
        return try issue(file, commonName: names.first ?? file, usage: .serverAuth, alternatives: alternatives,
                         notBefore: notBefore, notAfter: notAfter)
    }

    /// A client certificate (mutual TLS), e.g. an edge's.
    public func issueClient(_ file: String, notBefore: Date = Date().addingTimeInterval(-3600),
                            notAfter: Date = Date().addingTimeInterval(90 * 86400)) throws -> Issued {
        try issue(file, commonName: file, usage: .clientAuth, alternatives: [], notBefore: notBefore, notAfter: notAfter)
    }

    private func issue(_ file: String, commonName: String, usage: ExtendedKeyUsage.Usage, alternatives: [GeneralName],
                       notBefore: Date, notAfter: Date) throws -> Issued {
        let leafKey = P256.Signing.PrivateKey()
        let serial = Certificate.SerialNumber()
        let leaf = try Certificate(
            version: .v3, serialNumber: serial, publicKey: .init(leafKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: certificate.subject, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                if !alternatives.isEmpty { SubjectAlternativeNames(alternatives) }
            },
            issuerPrivateKey: .init(key))
        let certificateFile = directory + "/\(file).pem", keyFile = directory + "/\(file)-key.pem"
        try leaf.serializeAsPEM().pemString.write(toFile: certificateFile, atomically: true, encoding: .utf8)
        try leafKey.pemRepresentation.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let hex = serial.bytes.map { String(format: "%02x", $0) }.joined()
        return Issued(certificateFile: certificateFile, keyFile: keyFile,
                      serial: String(hex.drop(while: { $0 == "0" })))
    }

    /// Deletes the directory and everything issued into it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
