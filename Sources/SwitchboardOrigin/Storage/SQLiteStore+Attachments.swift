import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func insertAttachment(_ attachment: StoredAttachment) async throws {
        try await pool.write { db in
            try db.run("""
                INSERT INTO attachments (id, workspace_id, uploader_id, sha256, name, size, content_type, width, height,
                    created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [attachment.id, attachment.workspaceID, attachment.uploaderID, attachment.sha256, attachment.name,
                      attachment.size, attachment.contentType, attachment.width, attachment.height, attachment.createdAtMs.db])
        }
    }

    public func attachment(_ id: Snowflake) async throws -> StoredAttachment? {
        try await pool.read { db in try db.fetchRow("SELECT * FROM attachments WHERE id = ?", [id]).map(Self.attachment(from:)) }
    }

    static func attachment(from row: Row) -> StoredAttachment {
        StoredAttachment(id: row.id("id"), workspaceID: row.id("workspace_id"), uploaderID: row.id("uploader_id"),
                         sha256: row["sha256"], name: row["name"], size: row["size"], contentType: row["content_type"],
                         width: row["width"], height: row["height"], createdAtMs: row.ms("created_at_ms"),
                         channelID: row.optionalID("channel_id"), messageID: row.optionalID("message_id"))
    }

    /// A post may attach only its author's uploads that no message has yet (checked again in
    /// the transaction: two posts racing for one upload).
    static func requireUnpostedUploads(_ db: Database, _ draft: MessageDraft) throws {
        for attachment in draft.attachments {
            guard try db.fetchRow("SELECT 1 FROM attachments WHERE id = ? AND uploader_id = ? AND message_id IS NULL",
                                  [attachment.id, draft.authorID]) != nil else {
                throw PostRefusal.badAttachment.error
            }
        }
    }
}
