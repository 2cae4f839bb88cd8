import SwitchboardAuth
import SwitchboardCore

/// Uploads and downloads. The bytes are streamed by the route into the blob store; these
/// decide what is accepted and who may read it.
extension Chat {
    /// Accepts an upload that reached the disk: images must be what they claim, then the
    /// bytes move into place and the attachment is recorded for its uploader (not yet in any
    /// channel). The answer carries a signed URL.
    public func recordUpload(_ caller: Caller, _ upload: BlobStore.Upload, name: String?, contentType: String,
                             id: Snowflake? = nil) async throws -> Attachment {
        let files = attachments
        var width: Int?, height: Int?
        if contentType.hasPrefix("image/") {
            guard ImageSize.sniff(upload.head) == contentType else {
                files.blobs.discard(upload)
                throw SwitchboardError.badRequest("the file is not a \(contentType) image")
            }
            if let size = ImageSize.of(upload.head) { (width, height) = (size.width, size.height) }
        }
        try files.blobs.accept(upload)
        let stored = StoredAttachment(id: id ?? ids.next(), workspaceID: caller.workspaceID, uploaderID: caller.userID,
                                      sha256: upload.sha256, name: Attachments.fileName(name), size: upload.size,
                                      contentType: contentType, width: width, height: height, createdAtMs: now())
        try await store.insertAttachment(stored)
        var attachment = stored.attachment
        attachment.url = files.signer.url(for: stored.id, nowMs: now())
        return attachment
    }

    /// The pre-signed upload, step one: the file's type and size are checked now, and the
    /// answer is a URL to PUT exactly those bytes to (``receiveGrantedUpload(_:)``).
    public func grantUpload(_ caller: Caller, _ request: PresignedUploadRequest) async throws -> PresignedUploadResponse {
        let type = try attachments.acceptedType(request.contentType)
        guard request.size >= 0 else { throw SwitchboardError.badRequest("size must not be negative") }
        guard request.size <= attachments.configuration.maxBytes else {
            throw SwitchboardError(.payloadTooLarge, "the file is larger than \(attachments.configuration.maxBytes) bytes")
        }
        _ = try await account(caller)
        let expires = now() / 1000 + attachments.configuration.uploadURLLifetimeSeconds
        let grant = UploadGrant(attachmentID: ids.next(), workspaceID: caller.workspaceID, uploaderID: caller.userID,
                                contentType: type, size: request.size, name: Attachments.fileName(request.filename),
                                expires: expires)
        return PresignedUploadResponse(attachmentID: grant.attachmentID,
                                       uploadURL: "/api/attachments/uploads/\(try attachments.uploads.seal(grant))",
                                       expiresAtMs: expires * 1000)
    }

    /// Step two: the grant a PUT presents, if still good and not used yet.
    public func openUploadGrant(_ token: String) async throws -> UploadGrant {
        guard let grant = attachments.uploads.open(token, nowMs: now()) else {
            throw SwitchboardError.forbidden("the upload URL is invalid or has expired")
        }
        guard !access.isDeactivated(grant.uploaderID) else { throw SwitchboardError.unauthorized }
        guard try await store.attachment(grant.attachmentID) == nil else {
            throw SwitchboardError.conflict("this upload URL was used already")
        }
        return grant
    }

    /// The attachment if the URL is validly signed and unexpired (`forbidden` otherwise) and
    /// the caller may see it: a member of its message's channel, or its uploader before it
    /// was posted. A deleted message's files are gone.
    public func downloadable(_ caller: Caller, id: Snowflake, exp: String?, sig: String?) async throws -> StoredAttachment {
        guard attachments.signer.isValid(id: id, exp: exp, sig: sig, nowMs: now()) else {
            throw SwitchboardError.forbidden("the file URL is invalid or has expired")
        }
        guard let stored = try await store.attachment(id), stored.workspaceID == caller.workspaceID else {
            throw SwitchboardError.notFound("file")
        }
        guard let channelID = stored.channelID, let messageID = stored.messageID else {
            guard stored.uploaderID == caller.userID else { throw SwitchboardError.notFound("file") }
            return stored
        }
        try await requireMember(caller, channelID)
        guard try await store.message(channelID: channelID, id: messageID, viewer: caller.userID) != nil else {
            throw SwitchboardError.notFound("file")
        }
        return stored
    }

    /// The attachments a post names: the caller's own uploads, not yet posted, in the order
    /// named (repeats dropped), with URLs signed for the event everyone receives.
    func attachmentsToPost(_ caller: Caller, _ ids: [Snowflake]?) async throws -> [Attachment] {
        var seen = Set<Snowflake>()
        let ids = (ids ?? []).filter { seen.insert($0).inserted }
        guard ids.count <= attachments.configuration.maxPerMessage else {
            throw SwitchboardError.badRequest("at most \(attachments.configuration.maxPerMessage) attachments per message")
        }
        var found: [Attachment] = []
        for id in ids {
            guard let stored = try await store.attachment(id), stored.workspaceID == caller.workspaceID,
                  stored.uploaderID == caller.userID, stored.messageID == nil else {
                throw SwitchboardError.badRequest("unknown attachment id \(id)")
            }
            found.append(stored.attachment)
        }
        return attachments.signer.signed(Message(id: Snowflake(0), channelID: Snowflake(0), authorID: caller.userID,
                                                 content: "", createdAtMs: 0, attachments: found), nowMs: now()).attachments
    }
}
