import Foundation
import SwitchboardAuth
import SwitchboardCore

/// The origin's files: the blob store, the URL signer and the upload policy.
public struct Attachments: Sendable {
    public let blobs: BlobStore
    public let signer: FileURLSigner
    /// Seals the pre-signed upload URLs.
    public let uploads: UploadGrantSigner
    public let configuration: AttachmentConfiguration

    public init(configuration: AttachmentConfiguration, defaultDirectory: String, tokenSecret: String) throws {
        blobs = try BlobStore(directory: configuration.directory ?? defaultDirectory)
        signer = FileURLSigner(tokenSecret: tokenSecret, lifetimeSeconds: configuration.urlLifetimeSeconds)
        uploads = UploadGrantSigner(tokenSecret: tokenSecret)
        self.configuration = configuration
    }

    /// The declared media type, lowercased without parameters, if it is accepted.
    func acceptedType(_ declared: String?) throws -> String {
        guard let declared, let type = declared.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
              !type.isEmpty else {
            throw SwitchboardError.badRequest("Content-Type is required (the file's media type)")
        }
        guard configuration.allowedTypes.contains(type) else {
            throw SwitchboardError.badRequest("files of type \(type) are not accepted")
        }
        return type
    }

    /// A file name safe to store and to put in a `Content-Disposition`: the last path
    /// component, printable, at most 255 bytes.
    static func fileName(_ raw: String?) -> String {
        let last = (raw ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0.value != 0x7F }.map(Character.init))
        var name = printable.trimmingCharacters(in: .whitespaces)
        while name.utf8.count > 255 { name.removeLast() }
        return name.isEmpty || name == "." || name == ".." ? "file" : name
    }
}
