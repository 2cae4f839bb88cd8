import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardAuth
import SwitchboardCore
import SwitchboardServer

/// Uploads (`POST /api/attachments`, raw bytes streamed to disk) and downloads
/// (`GET /files/{id}?exp=&sig=`, signed URL plus a member's token).
enum AttachmentRoutes {
    static func add(to router: Router<OriginRequestContext>, origin: Origin) {
        let files = origin.chat.attachments
        router.post("/api/attachments") { request, context in
            let caller = try await origin.caller(request)
            let type = try files.acceptedType(request.headers[.contentType])
            // Refused before a byte is read when the size is announced; counted while streaming otherwise.
            if let length = request.headers[.contentLength].flatMap(Int.init), length > files.configuration.maxBytes {
                throw SwitchboardError(.payloadTooLarge, "the file is larger than \(files.configuration.maxBytes) bytes")
            }
            let upload = try await files.blobs.receive(request.body, maxBytes: files.configuration.maxBytes, context: context)
            let attachment = try await origin.chat.recordUpload(caller, upload, name: request.uri.queryParameters.get("filename"),
                                                               contentType: type)
            return EditedResponse(status: .created, response: AttachmentResponse(attachment: attachment))
        }
        // The seed's pre-signed upload: ask for a URL, then PUT the bytes to it.
        router.post("/api/attachments/upload") { request, context in
            let caller = try await origin.caller(request)
            let body = try await request.json(PresignedUploadRequest.self, context: context)
            return EditedResponse(status: .created, response: try await origin.chat.grantUpload(caller, body))
        }
        router.put("/api/attachments/uploads/:grant") { request, context in
            let grant = try await origin.chat.openUploadGrant(context.parameters.get("grant") ?? "")
            if let declared = request.headers[.contentType], try files.acceptedType(declared) != grant.contentType {
                throw SwitchboardError.badRequest("Content-Type must be \(grant.contentType), as announced")
            }
            if let length = request.headers[.contentLength].flatMap(Int.init), length != grant.size {
                throw SwitchboardError.badRequest("the upload must be \(grant.size) bytes, as announced")
            }
            let upload = try await files.blobs.receive(request.body, maxBytes: grant.size, context: context)
            guard upload.size == grant.size else {
                files.blobs.discard(upload)
                throw SwitchboardError.badRequest("the upload must be \(grant.size) bytes, as announced; \(upload.size) arrived")
            }
            let attachment = try await origin.chat.recordUpload(
                Caller(userID: grant.uploaderID, workspaceID: grant.workspaceID), upload, name: grant.name,
                contentType: grant.contentType, id: grant.attachmentID)
            return EditedResponse(status: .created, response: AttachmentResponse(attachment: attachment))
        }
        router.get("/files/:id") { request, context in
            let caller = try await origin.caller(request)
            let query = request.uri.queryParameters
            let stored = try await origin.chat.downloadable(caller, id: try context.id("id"), exp: query.get("exp"),
                                                           sig: query.get("sig"))
            let body = try await files.blobs.body(of: stored.sha256, context: context)
            var headers = HTTPFields()
            headers[.contentType] = stored.contentType
            headers[.contentLength] = String(stored.size)
            // Images show inline; anything else downloads, and nothing is sniffed into something runnable.
            let disposition = stored.contentType.hasPrefix("image/") ? "inline" : "attachment"
            headers[.contentDisposition] = contentDisposition(disposition, name: stored.name)
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            headers[.cacheControl] = "private, max-age=3600"
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    /// `inline; filename="caf_.png"; filename*=UTF-8''caf%C3%A9.png` (RFC 6266): an ASCII name
    /// for old clients, the exact one for the rest.
    static func contentDisposition(_ disposition: String, name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\\" ? Character($0) : "_" })
        let exact = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? ascii
        return "\(disposition); filename=\"\(ascii)\"; filename*=UTF-8''\(exact)"
    }
}
