import Crypto
import Foundation
import Hummingbird
import NIOCore
import SwitchboardCore

/// Uploaded bytes on local disk, content-addressed: `{directory}/{sha[0..2]}/{sha}`. An upload
/// streams to a temporary file (never held whole in memory) while its SHA-256, size and first
/// bytes are taken; it is moved into place only once accepted.
public struct BlobStore: Sendable {
    public let directory: String
    private let fileIO = FileIO()
    /// Bytes kept from the start of an upload, to check its type and read image sizes.
    static let headBytes = 256 << 10

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
    }

    /// An upload on disk, not yet accepted.
    public struct Upload: Sendable {
        public let temporaryPath: String
        public let sha256: String
        public let size: Int
        public let head: [UInt8]
    }

    /// Streams `body` to a temporary file; `payload_too_large` (and nothing left behind) past
    /// `maxBytes`.
    public func receive<Body: AsyncSequence & Sendable>(_ body: Body, maxBytes: Int,
                                                        context: some RequestContext) async throws -> Upload
    where Body.Element == ByteBuffer {
        let path = directory + "/tmp/" + UUID().uuidString
        let meter = Meter()
        do {
            try await fileIO.writeFile(contents: MeteredBody(base: body, meter: meter, maxBytes: maxBytes), path: path,
                                       context: context)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            // The file system layer wraps what the body threw; say what happened.
            if meter.size > maxBytes { throw SwitchboardError(.payloadTooLarge, "the file is larger than \(maxBytes) bytes") }
            throw error
        }
        return Upload(temporaryPath: path, sha256: meter.digest(), size: meter.size, head: meter.head)
    }

    /// Moves an accepted upload into place (identical bytes are stored once).
    public func accept(_ upload: Upload) throws {
        let final = path(of: upload.sha256)
        if FileManager.default.fileExists(atPath: final) {
            try? FileManager.default.removeItem(atPath: upload.temporaryPath)
            return
        }
        try FileManager.default.createDirectory(atPath: (final as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        if rename(upload.temporaryPath, final) != 0 { throw SwitchboardError(.internalError, "storing the upload failed") }
    }

    public func discard(_ upload: Upload) {
        try? FileManager.default.removeItem(atPath: upload.temporaryPath)
    }

    public func path(of sha256: String) -> String {
        "\(directory)/\(sha256.prefix(2))/\(sha256)"
    }

    /// The stored bytes as a streamed response body.
    public func body(of sha256: String, context: some RequestContext) async throws -> ResponseBody {
        try await fileIO.loadFile(path: path(of: sha256), context: context)
    }
}

/// Hash, size and head of the bytes that went through; one consumer at a time.
private final class Meter: @unchecked Sendable {
    var hasher = SHA256()
    var size = 0
    var head: [UInt8] = []

    func digest() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}

/// The request body, counted and hashed on its way to disk.
private struct MeteredBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let meter: Meter
    let maxBytes: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let meter: Meter
        let maxBytes: Int

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            meter.size += chunk.readableBytes
            guard meter.size <= maxBytes else {
                throw SwitchboardError(.payloadTooLarge, "the file is larger than \(maxBytes) bytes")
            }
            chunk.withUnsafeReadableBytes { meter.hasher.update(bufferPointer: $0) }
            if meter.head.count < BlobStore.headBytes {
                meter.head += chunk.readableBytesView.prefix(BlobStore.headBytes - meter.head.count)
            }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), meter: meter, maxBytes: maxBytes)
    }
}
