import PostgresNIO
import SwitchboardCore

extension PostgresStore {
    public func recordNotification(workspaceID: Snowflake, userID: Snowflake, channelID: Snowflake, messageID: Snowflake,
                                   kind: NotificationKind, newID: Snowflake, nowMs: UInt64, coalesceWindowMs: UInt64,
                                   describe: @Sendable (Int) -> String) async throws -> UserNotification {
        try await transaction { connection in
            var notification: UserNotification
            if let row = try await connection.row("""
                SELECT * FROM notifications
                WHERE user_id = \(userID) AND channel_id = \(channelID) AND updated_at_ms >= \((nowMs - min(nowMs, coalesceWindowMs)).db)
                ORDER BY updated_at_ms DESC LIMIT 1 FOR UPDATE
                """, logger: logger) {
                notification = try Self.notification(from: row)
                notification.count += 1
                notification.messageID = messageID
                notification.text = describe(notification.count)
                notification.updatedAtMs = nowMs
                // A direct mention outranks a broadcast one.
                if kind == .mention || kind == .dm { notification.kind = kind }
                try await connection.query("""
                    UPDATE notifications SET count = \(notification.count), message_id = \(messageID), text = \(notification.text),
                        kind = \(notification.kind.rawValue), updated_at_ms = \(nowMs.db)
                    WHERE id = \(notification.id)
                    """, logger: logger)
            } else {
                notification = UserNotification(id: newID, userID: userID, channelID: channelID, messageID: messageID, kind: kind,
                                                count: 1, text: describe(1), createdAtMs: nowMs, updatedAtMs: nowMs)
                try await connection.query("""
                    INSERT INTO notifications (id, workspace_id, user_id, channel_id, message_id, kind, count, text,
                        created_at_ms, updated_at_ms)
                    VALUES (\(newID), \(workspaceID), \(userID), \(channelID), \(messageID), \(kind.rawValue), 1,
                        \(notification.text), \(nowMs.db), \(nowMs.db))
                    """, logger: logger)
            }
            try await connection.appendEvent(workspaceID: workspaceID, type: .notificationCreated, userID: userID,
                                             payload: notification, nowMs: nowMs, logger: logger)
            return notification
        }
    }

    public func notifications(userID: Snowflake, after: Snowflake?, limit: Int) async throws -> [UserNotification] {
        try await rows("""
            SELECT * FROM notifications WHERE user_id = \(userID) AND id > \(after?.int64 ?? -1) ORDER BY id LIMIT \(limit)
            """).map(Self.notification(from:))
    }

    static func notification(from row: PostgresRandomAccessRow) throws -> UserNotification {
        UserNotification(id: try row.id("id"), userID: try row.id("user_id"), channelID: try row.id("channel_id"),
                         messageID: try row.id("message_id"), kind: NotificationKind(rawValue: try row.string("kind")) ?? .mention,
                         count: try row.int("count"), text: try row.string("text"), createdAtMs: try row.ms("created_at_ms"),
                         updatedAtMs: try row.ms("updated_at_ms"))
    }
}
