import Crypto
import _CryptoExtras
import Foundation
import SwitchboardCore

/// Passwords as scrypt hashes, written `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (base64): the
/// parameters travel with each hash, so raising the cost later leaves old hashes verifiable.
/// CPU- and memory-hard on purpose (N = 2^15, r = 8: 32 MiB and tens of milliseconds per
/// check): callers run it off the event loops and the cooperative pool.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N. 15 for people; tests use less.
    public let costLog2: Int
    static let blockSize = 8
    static let parallelism = 1
    static let keyBytes = 32

    public init(costLog2: Int = 15) {
        self.costLog2 = min(max(costLog2, 4), 20)
    }

    public func hash(_ password: String) throws -> String {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let key = try Self.derive(password, salt: salt, costLog2: costLog2, blockSize: Self.blockSize,
                                  parallelism: Self.parallelism)
        return ["scrypt", String(costLog2), String(Self.blockSize), String(Self.parallelism),
                Data(salt).base64EncodedString(), Data(key).base64EncodedString()].joined(separator: "$")
    }

    /// Whether `password` is the one `stored` was made from; false for anything malformed.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let costLog2 = Int(parts[1]), (4...20).contains(costLog2),
              let blockSize = Int(parts[2]), (1...32).contains(blockSize),
              let parallelism = Int(parts[3]), (1...16).contains(parallelism),
              let salt = Data(base64Encoded: String(parts[4])), let expected = Data(base64Encoded: String(parts[5])),
              !expected.isEmpty,
              let key = try? derive(password, salt: Array(salt), costLog2: costLog2, blockSize: blockSize,
                                    parallelism: parallelism, length: expected.count)
        else { return false }
        // Constant time: how much matched must not show in how long it took.
        var difference: UInt8 = 0
        for (a, b) in zip(key, expected) { difference |= a ^ b }
        return difference == 0
    }

    /// A hash of nothing anyone knows, checked when no account matched so that a wrong handle
    /// takes as long as a wrong password.
    public func decoy() throws -> String { try hash(Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })) }

    private static func derive(_ password: String, salt: [UInt8], costLog2: Int, blockSize: Int, parallelism: Int,
                               length: Int = keyBytes) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: length,
                                           rounds: 1 << costLog2, blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }
}
