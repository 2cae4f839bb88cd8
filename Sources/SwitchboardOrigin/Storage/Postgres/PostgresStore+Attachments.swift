import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    public func insertAttachment(_ attachment: StoredAttachment) async throws {
        try await client.query("""
            INSERT INTO attachments (id, workspace_id, uploader_id, sha256, name, size, content_type, width, height, created_at_ms)
            VALUES (\(attachment.id), \(attachment.workspaceID), \(attachment.uploaderID), \(attachment.sha256), \(attachment.name),
                    \(Int64(attachment.size)), \(attachment.contentType), \(attachment.width.map(Int32.init)),
                    \(attachment.height.map(Int32.init)), \(attachment.createdAtMs.db))
            """, logger: logger)
    }

    public func attachment(_ id: Snowflake) async throws -> StoredAttachment? {
        try await row("SELECT * FROM attachments WHERE id = \(id)").map(Self.attachment(from:))
    }

    static func attachment(from row: PostgresRandomAccessRow) throws -> StoredAttachment {
        StoredAttachment(id: try row.id("id"), workspaceID: try row.id("workspace_id"), uploaderID: try row.id("uploader_id"),
                         sha256: try row.string("sha256"), name: try row.string("name"), size: try row.int("size"),
                         contentType: try row.string("content_type"), width: try row["width"].decode(Int?.self),
                         height: try row["height"].decode(Int?.self), createdAtMs: try row.ms("created_at_ms"),
                         channelID: try row.optionalID("channel_id"), messageID: try row.optionalID("message_id"))
    }
}
