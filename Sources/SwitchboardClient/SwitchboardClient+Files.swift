import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchboardCore

// Attachments: uploads stream from disk (or from memory for small ones); a download is the
// signed URL a message carries, fetched with the caller's token.
extension SwitchboardClient {
    /// Uploads the file at `path`, streaming it. Post its `id` in `attachment_ids` to share it.
    public func upload(fileAt path: String, contentType: String, filename: String? = nil) async throws -> Attachment {
        let file = try FileChunks(path: path)
        defer { file.close() }
        let size = try file.size()
        // Pulled chunk by chunk as the connection takes them: never the whole file in memory.
        let chunks = AsyncStream<ByteBuffer>(unfolding: { file.next() })
        return try await upload(.stream(chunks, length: .known(Int64(size))), contentType: contentType,
                                filename: filename ?? URL(fileURLWithPath: path).lastPathComponent)
    }

    /// Uploads bytes held in memory.
    public func upload(bytes: [UInt8], contentType: String, filename: String) async throws -> Attachment {
        try await upload(.bytes(ByteBuffer(bytes: bytes)), contentType: contentType, filename: filename)
    }

    /// The seed's pre-signed upload: asks for an upload URL, then PUTs the bytes to it (the
    /// URL alone authorizes the PUT).
    public func presignedUpload(bytes: [UInt8], contentType: String, filename: String) async throws -> Attachment {
        let grant = try await call(.POST, "/api/attachments/upload",
                                   body: PresignedUploadRequest(filename: filename, contentType: contentType, size: bytes.count),
                                   as: PresignedUploadResponse.self).value
        var request = HTTPClientRequest(url: baseURL + grant.uploadURL)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await http().execute(request, timeout: .seconds(600))
        let answer = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .created else { throw Self.apiError(status: Int(response.status.code), body: answer) }
        return try JSON.decode(AttachmentResponse.self, from: answer).attachment
    }

    private func upload(_ body: HTTPClientRequest.Body, contentType: String, filename: String) async throws -> Attachment {
        var request = HTTPClientRequest(url: baseURL + "/api/attachments" + Self.queryString([("filename", filename)]))
        request.method = .POST
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = body
        let response = try await http().execute(request, timeout: .seconds(600))
        let answer = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .created else { throw Self.apiError(status: Int(response.status.code), body: answer) }
        return try JSON.decode(AttachmentResponse.self, from: answer).attachment
    }

    /// Reads a file in 256 KiB chunks (one reader at a time).
    private final class FileChunks: @unchecked Sendable {
        private let handle: FileHandle

        init(path: String) throws { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) }

        func size() throws -> UInt64 {
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            return size
        }

        func next() -> ByteBuffer? {
            guard let data = try? handle.read(upToCount: 256 << 10), !data.isEmpty else { return nil }
            return ByteBuffer(data: data)
        }

        func close() { try? handle.close() }
    }

    /// Fetches an attachment's URL (relative to this client's server) with the caller's token.
    public func download(_ url: String, maxBytes: Int = 256 << 20) async throws -> (contentType: String?, bytes: [UInt8]) {
        var request = HTTPClientRequest(url: url.hasPrefix("/") ? baseURL + url : url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await http().execute(request, timeout: .seconds(600))
        let body = try await response.body.collect(upTo: maxBytes)
        guard response.status == .ok else { throw Self.apiError(status: Int(response.status.code), body: Data(buffer: body)) }
        return (response.headers.first(name: "Content-Type"), Array(buffer: body))
    }
}
