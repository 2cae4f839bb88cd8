/// `POST /api/attachments` answers with the stored file's description and a signed URL.
public struct AttachmentResponse: Codable, Sendable {
    public var attachment: Attachment
    public init(attachment: Attachment) { self.attachment = attachment }
}

/// An uploaded file as stored: bytes in the blob store under their SHA-256, bound to a message
/// (and so to a channel) once a post names it.
public struct StoredAttachment: Sendable, Equatable {
    public var id: Snowflake
    public var workspaceID: Snowflake
    public var uploaderID: Snowflake
    public var sha256: String
    public var name: String
    public var size: Int
    public var contentType: String
    public var width: Int?
    public var height: Int?
    public var createdAtMs: UInt64
    public var channelID: Snowflake?
    public var messageID: Snowflake?

    public init(id: Snowflake, workspaceID: Snowflake, uploaderID: Snowflake, sha256: String, name: String, size: Int,
                contentType: String, width: Int? = nil, height: Int? = nil, createdAtMs: UInt64,
                channelID: Snowflake? = nil, messageID: Snowflake? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.uploaderID = uploaderID
        self.sha256 = sha256
        self.name = name
        self.size = size
        self.contentType = contentType
        self.width = width
        self.height = height
        self.createdAtMs = createdAtMs
        self.channelID = channelID
        self.messageID = messageID
    }

    /// As messages carry it; `url` is filled in (signed) by whoever hands it to a client.
    public var attachment: Attachment {
        Attachment(id: id, name: name, size: size, contentType: contentType, url: "", width: width, height: height)
    }
}

/// `POST /api/attachments/upload`: what the client is about to upload.
public struct PresignedUploadRequest: Codable, Sendable {
    public var filename: String
    public var contentType: String
    public var size: Int

    public init(filename: String, contentType: String, size: Int) {
        self.filename = filename
        self.contentType = contentType
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case filename, size
        case contentType = "content_type"
    }
}

/// Where to PUT the bytes (relative to the server that answered), until `expires_at_ms`.
public struct PresignedUploadResponse: Codable, Sendable, Equatable {
    public var attachmentID: Snowflake
    public var uploadURL: String
    public var expiresAtMs: UInt64

    public init(attachmentID: Snowflake, uploadURL: String, expiresAtMs: UInt64) {
        self.attachmentID = attachmentID
        self.uploadURL = uploadURL
        self.expiresAtMs = expiresAtMs
    }

    enum CodingKeys: String, CodingKey {
        case attachmentID = "attachment_id"
        case uploadURL = "upload_url"
        case expiresAtMs = "expires_at_ms"
    }
}
