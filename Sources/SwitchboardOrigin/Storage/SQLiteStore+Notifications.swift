import GRDB
import SwitchboardCore

extension SQLiteStore {
    public func recordNotification(workspaceID: Snowflake, userID: Snowflake, channelID: Snowflake, messageID: Snowflake,
                                   kind: NotificationKind, newID: Snowflake, nowMs: UInt64, coalesceWindowMs: UInt64,
                                   describe: @Sendable (Int) -> String) async throws -> UserNotification {
        try await pool.write { db in
            var notification: UserNotification
            if let row = try db.fetchRow("""
                SELECT * FROM notifications WHERE user_id = ? AND channel_id = ? AND updated_at_ms >= ?
                ORDER BY updated_at_ms DESC LIMIT 1
                """, [userID, channelID, (nowMs - min(nowMs, coalesceWindowMs)).db]) {
                notification = Self.notification(from: row)
                notification.count += 1
                notification.messageID = messageID
                notification.text = describe(notification.count)
                notification.updatedAtMs = nowMs
                // A direct mention outranks a broadcast one.
                if kind == .mention || kind == .dm { notification.kind = kind }
                try db.run("UPDATE notifications SET count = ?, message_id = ?, text = ?, kind = ?, updated_at_ms = ? WHERE id = ?",
                           [notification.count, messageID, notification.text, notification.kind.rawValue, nowMs.db, notification.id])
            } else {
                notification = UserNotification(id: newID, userID: userID, channelID: channelID, messageID: messageID, kind: kind,
                                                count: 1, text: describe(1), createdAtMs: nowMs, updatedAtMs: nowMs)
                try db.run("""
                    INSERT INTO notifications (id, workspace_id, user_id, channel_id, message_id, kind, count, text,
                        created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                    """, [newID, workspaceID, userID, channelID, messageID, kind.rawValue, notification.text, nowMs.db, nowMs.db])
            }
            try Self.appendEvent(db, workspaceID: workspaceID, type: .notificationCreated, userID: userID,
                                 payload: notification, nowMs: nowMs)
            return notification
        }
    }

    public func notifications(userID: Snowflake, after: Snowflake?, limit: Int) async throws -> [UserNotification] {
        try await pool.read { db in
            try db.fetchRows("SELECT * FROM notifications WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
                             [userID, after?.int64 ?? -1, limit]).map(Self.notification(from:))
        }
    }

    static func notification(from row: Row) -> UserNotification {
        UserNotification(id: row.id("id"), userID: row.id("user_id"), channelID: row.id("channel_id"),
                         messageID: row.id("message_id"), kind: NotificationKind(rawValue: row["kind"]) ?? .mention,
                         count: row["count"], text: row["text"], createdAtMs: row.ms("created_at_ms"),
                         updatedAtMs: row.ms("updated_at_ms"))
    }
}
