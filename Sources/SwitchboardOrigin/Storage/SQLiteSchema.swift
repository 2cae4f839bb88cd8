import GRDB

/// The SQLite schema, as ordered migrations. Never edit a shipped migration: add one.
enum SQLiteSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                -- last_seq: the sequence number of the workspace's latest event.
                CREATE TABLE workspaces (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    icon_url TEXT,
                    general_channel_id INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL DEFAULT 0
                );

                -- The per-workspace event log, appended in the same transaction as each change.
                CREATE TABLE events (
                    workspace_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    channel_id INTEGER,
                    user_id INTEGER,
                    created_at_ms INTEGER NOT NULL,
                    payload BLOB NOT NULL,
                    PRIMARY KEY (workspace_id, seq)
                ) WITHOUT ROWID;
                CREATE INDEX events_by_age ON events(created_at_ms);

                CREATE TABLE users (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                    handle TEXT NOT NULL COLLATE NOCASE,
                    display_name TEXT NOT NULL COLLATE NOCASE,
                    real_name TEXT NOT NULL COLLATE NOCASE,
                    title TEXT NOT NULL,
                    email TEXT NOT NULL,
                    tz TEXT NOT NULL,
                    status_text TEXT NOT NULL,
                    status_emoji TEXT NOT NULL,
                    avatar_base TEXT NOT NULL,
                    is_bot INTEGER NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX users_by_handle ON users(workspace_id, handle);
                CREATE INDEX users_by_display_name ON users(workspace_id, display_name);
                CREATE INDEX users_by_real_name ON users(workspace_id, real_name);

                -- dm_key is the sorted member id list of a DM / group DM, NULL for named channels.
                CREATE TABLE channels (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    topic TEXT NOT NULL DEFAULT '',
                    creator_id INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    member_count INTEGER NOT NULL DEFAULT 0,
                    last_message_id INTEGER,
                    dm_key TEXT
                );
                CREATE UNIQUE INDEX channels_by_name ON channels(workspace_id, name) WHERE dm_key IS NULL;
                CREATE UNIQUE INDEX channels_by_dm_key ON channels(workspace_id, dm_key) WHERE dm_key IS NOT NULL;

                CREATE TABLE memberships (
                    channel_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    joined_at_ms INTEGER NOT NULL,
                    last_read_id INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (channel_id, user_id)
                ) WITHOUT ROWID;
                CREATE INDEX memberships_by_user ON memberships(user_id, channel_id);

                -- Clustered by (channel, id): a history page is one contiguous range.
                CREATE TABLE messages (
                    channel_id INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    author_id INTEGER NOT NULL,
                    content TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    edited_at_ms INTEGER,
                    thread_id INTEGER,
                    also_to_channel INTEGER NOT NULL DEFAULT 0,
                    reply_count INTEGER NOT NULL DEFAULT 0,
                    latest_reply_id INTEGER,
                    mention_ids TEXT NOT NULL DEFAULT '',
                    mentions_here INTEGER NOT NULL DEFAULT 0,
                    mentions_channel INTEGER NOT NULL DEFAULT 0,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (channel_id, id)
                ) WITHOUT ROWID;
                CREATE INDEX messages_by_thread ON messages(channel_id, thread_id, id) WHERE thread_id IS NOT NULL;

                -- Direct mentions, for mention counts (and notifications).
                CREATE TABLE mentions (
                    user_id INTEGER NOT NULL,
                    message_id INTEGER NOT NULL,
                    channel_id INTEGER NOT NULL,
                    PRIMARY KEY (user_id, message_id)
                ) WITHOUT ROWID;

                CREATE TABLE reactions (
                    message_id INTEGER NOT NULL,
                    emoji TEXT NOT NULL,
                    user_id INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (message_id, emoji, user_id)
                ) WITHOUT ROWID;

                CREATE TABLE nonces (
                    user_id INTEGER NOT NULL,
                    nonce TEXT NOT NULL,
                    channel_id INTEGER NOT NULL,
                    message_id INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (user_id, nonce)
                ) WITHOUT ROWID;
                CREATE INDEX nonces_by_age ON nonces(created_at_ms);

                -- Mentions and DMs received while away; coalesced per (user, channel) in a window.
                CREATE TABLE notifications (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    channel_id INTEGER NOT NULL,
                    message_id INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE INDEX notifications_by_user ON notifications(user_id, id);
                CREATE INDEX notifications_by_channel ON notifications(user_id, channel_id, updated_at_ms);

                -- rowid = message id; channel_id lets a search filter by membership before the join.
                CREATE VIRTUAL TABLE messages_fts USING fts5(
                    content, channel_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
                );
                """)
        }
        migrator.registerMigration("v2-hooks") { db in
            try db.execute(sql: """
                -- Incoming webhooks; the token is kept only as its SHA-256.
                CREATE TABLE hooks (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
                    channel_id INTEGER NOT NULL,
                    bot_user_id INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at_ms INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-attachments") { db in
            try db.execute(sql: """
                -- Uploads: bytes in the blob store under sha256; channel and message once posted.
                CREATE TABLE attachments (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL,
                    uploader_id INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    name TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    content_type TEXT NOT NULL,
                    width INTEGER,
                    height INTEGER,
                    created_at_ms INTEGER NOT NULL,
                    channel_id INTEGER,
                    message_id INTEGER
                );
                CREATE INDEX attachments_by_message ON attachments(message_id) WHERE message_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v4-link-previews") { db in
            // JSON array of LinkPreview, set by the unfurler after the post.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN link_previews TEXT")
        }
        migrator.registerMigration("v5-administration") { db in
            try db.execute(sql: """
                -- owner / admin / member / guest; tokens issued before sessions_valid_from_ms are refused.
                ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
                ALTER TABLE users ADD COLUMN sessions_valid_from_ms INTEGER NOT NULL DEFAULT 0;
                -- The few users whose tokens are checked against the store's word (kept in memory).
                CREATE INDEX users_restricted ON users(id) WHERE deleted = 1 OR sessions_valid_from_ms > 0;
                ALTER TABLE channels ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
                ALTER TABLE channels ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v6-thread-follows") { db in
            try db.execute(sql: """
                -- Who follows a thread (ThreadFollow); following = 0 remembers an unfollow.
                -- last_read_id: the newest reply the follower has read.
                CREATE TABLE thread_follows (
                    thread_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    channel_id INTEGER NOT NULL,
                    following INTEGER NOT NULL,
                    last_read_id INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (thread_id, user_id)
                );
                CREATE INDEX thread_follows_by_user ON thread_follows(user_id, thread_id) WHERE following = 1;
                -- Threads from before: their repliers and parents' authors follow.
                INSERT OR IGNORE INTO thread_follows (thread_id, user_id, channel_id, following)
                    SELECT thread_id, author_id, channel_id, 1 FROM messages WHERE thread_id IS NOT NULL;
                INSERT OR IGNORE INTO thread_follows (thread_id, user_id, channel_id, following)
                    SELECT id, author_id, channel_id, 1 FROM messages WHERE reply_count > 0;
                """)
        }
        migrator.registerMigration("v7-channel-preferences") { db in
            try db.execute(sql: """
                -- ChannelPreferences: notify_level NULL until the member chooses ('all' / 'mentions' / 'nothing').
                ALTER TABLE memberships ADD COLUMN notify_level TEXT;
                ALTER TABLE memberships ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX memberships_notify_all ON memberships(channel_id, user_id) WHERE notify_level = 'all';
                """)
        }
        migrator.registerMigration("v8-read-receipts") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN shares_read_receipts INTEGER NOT NULL DEFAULT 1")
        }
        migrator.registerMigration("v9-integrations") { db in
            try db.execute(sql: """
                -- Outgoing webhooks and slash commands; the secret signs the calls (kept to sign them).
                CREATE TABLE integrations (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    channel_id INTEGER,
                    url TEXT NOT NULL,
                    trigger_words TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    bot_user_id INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL
                );
                CREATE INDEX integrations_by_workspace ON integrations(workspace_id, kind);
                CREATE UNIQUE INDEX integrations_commands ON integrations(workspace_id, name) WHERE kind = 'command';
                """)
        }
        migrator.registerMigration("v10-sign-in") { db in
            try db.execute(sql: """
                -- Password hashes (scrypt, parameters inside), apart from profiles so no profile read carries one.
                CREATE TABLE passwords (
                    user_id INTEGER PRIMARY KEY,
                    hash TEXT NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                -- Sign-outs: a token's `sid` refused until the token would have expired anyway.
                CREATE TABLE revoked_sessions (
                    session_id TEXT PRIMARY KEY,
                    workspace_id INTEGER NOT NULL,
                    user_id INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL
                );
                CREATE INDEX revoked_sessions_by_workspace ON revoked_sessions(workspace_id, session_id);
                -- One-time sign-up links: the code's SHA-256 only.
                CREATE TABLE invites (
                    code_hash TEXT PRIMARY KEY,
                    workspace_id INTEGER NOT NULL,
                    created_by INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    used_at_ms INTEGER,
                    created_at_ms INTEGER NOT NULL
                );
                ALTER TABLE workspaces ADD COLUMN members_may_invite INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX users_by_email ON users(workspace_id, lower(email)) WHERE email != '';
                """)
        }
        return migrator
    }
}
