/// Uploads: where they go, how large they may be, which types are taken.
public struct AttachmentConfiguration: Sendable {
    /// Directory of the blob store. Default `{dataDir}/files`.
    public var directory: String?
    /// Largest upload (bytes). Default 25 MiB.
    public var maxBytes: Int = 25 << 20
    /// Media types accepted (parameters such as `; charset=` are ignored). Images must also
    /// *be* what they claim (their first bytes are checked). HTML, SVG and scripts are not taken:
    /// they could run in a browser that opened the file.
    public var allowedTypes: Set<String> = [
        "image/png", "image/jpeg", "image/gif", "image/webp",
        "application/pdf", "text/plain", "text/csv", "application/json", "application/zip", "application/gzip",
        "audio/mpeg", "audio/ogg", "video/mp4", "video/webm", "application/octet-stream",
    ]
    /// How long a signed file URL stays valid (seconds). Default 24 hours.
    public var urlLifetimeSeconds: UInt64 = 24 * 3600
    /// How long a pre-signed upload URL (`POST /api/attachments/upload`) stays usable. Default 15 minutes.
    public var uploadURLLifetimeSeconds: UInt64 = 15 * 60
    /// Attachments per message. Default 10.
    public var maxPerMessage: Int = 10

    public init() {}
}
