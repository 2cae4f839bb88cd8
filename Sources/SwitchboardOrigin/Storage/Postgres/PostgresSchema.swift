import Foundation

/// The PostgreSQL schema, as ordered migrations: the same tables as ``SQLiteSchema`` with
/// PostgreSQL types, a `tsvector` column with a GIN index for search, and two functions that
/// keep the hot write paths to one round trip. Never edit a shipped migration: add one.
enum PostgresSchema {
    struct Migration {
        let name: String
        let sql: String

        /// The script's statements, one by one (the extended query protocol takes one at a
        /// time): split at `;` outside quotes, `$$` function bodies and `--` comments.
        var statements: [String] {
            var statements: [String] = []
            var current = ""
            var inQuote = false, inBody = false, inComment = false
            var previous: Character = " "
            for character in sql {
                current.append(character)
                if inComment {
                    if character == "\n" { inComment = false }
                } else if character == "-" && previous == "-" && !inQuote && !inBody {
                    inComment = true
                } else if character == "'" && !inBody {
                    inQuote.toggle()
                } else if character == "$" && previous == "$" && !inQuote {
                    inBody.toggle()
                    previous = " "  // "$$$" is not two markers
                    continue
                } else if character == ";" && !inQuote && !inBody {
                    statements.append(current)
                    current = ""
                }
                previous = character
            }
            if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(current) }
            return statements
        }
    }

    static let migrations: [Migration] = [
        Migration(name: "v1-core", sql: """
            -- last_seq: the sequence number of the workspace's latest event. Appending an event
            -- locks this row until the transaction ends, so a workspace's events commit in seq order.
            CREATE TABLE workspaces (
                id bigint PRIMARY KEY,
                name text NOT NULL,
                icon_url text,
                general_channel_id bigint NOT NULL,
                created_at_ms bigint NOT NULL,
                last_seq bigint NOT NULL DEFAULT 0
            );

            CREATE TABLE events (
                workspace_id bigint NOT NULL,
                seq bigint NOT NULL,
                type text NOT NULL,
                channel_id bigint,
                user_id bigint,
                created_at_ms bigint NOT NULL,
                payload bytea NOT NULL,
                PRIMARY KEY (workspace_id, seq)
            );
            CREATE INDEX events_by_age ON events (created_at_ms);

            -- Handles and names compare case-insensitively through lower(); text_pattern_ops
            -- lets the prefix searches (LIKE 'abc%') use the indexes.
            CREATE TABLE users (
                id bigint PRIMARY KEY,
                workspace_id bigint NOT NULL REFERENCES workspaces (id),
                handle text NOT NULL,
                display_name text NOT NULL,
                real_name text NOT NULL,
                title text NOT NULL,
                email text NOT NULL,
                tz text NOT NULL,
                status_text text NOT NULL,
                status_emoji text NOT NULL,
                avatar_base text NOT NULL,
                is_bot boolean NOT NULL,
                deleted boolean NOT NULL DEFAULT false,
                created_at_ms bigint NOT NULL,
                updated_at_ms bigint NOT NULL
            );
            CREATE UNIQUE INDEX users_by_handle ON users (workspace_id, lower(handle) text_pattern_ops);
            CREATE INDEX users_by_display_name ON users (workspace_id, lower(display_name) text_pattern_ops);
            CREATE INDEX users_by_real_name ON users (workspace_id, lower(real_name) text_pattern_ops);

            -- dm_key is the sorted member id list of a DM / group DM, NULL for named channels.
            CREATE TABLE channels (
                id bigint PRIMARY KEY,
                workspace_id bigint NOT NULL REFERENCES workspaces (id),
                name text NOT NULL,
                kind text NOT NULL,
                topic text NOT NULL DEFAULT '',
                creator_id bigint NOT NULL,
                created_at_ms bigint NOT NULL,
                member_count integer NOT NULL DEFAULT 0,
                last_message_id bigint,
                dm_key text
            );
            CREATE UNIQUE INDEX channels_by_name ON channels (workspace_id, name) WHERE dm_key IS NULL;
            CREATE UNIQUE INDEX channels_by_dm_key ON channels (workspace_id, dm_key) WHERE dm_key IS NOT NULL;

            CREATE TABLE memberships (
                channel_id bigint NOT NULL,
                user_id bigint NOT NULL,
                joined_at_ms bigint NOT NULL,
                last_read_id bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (channel_id, user_id)
            );
            CREATE INDEX memberships_by_user ON memberships (user_id, channel_id);

            -- Keyed by (channel, id): a history page is one range of the primary key. `search`
            -- holds the content folded (case, diacritics) by the store, for full-text search.
            CREATE TABLE messages (
                channel_id bigint NOT NULL,
                id bigint NOT NULL,
                author_id bigint NOT NULL,
                content text NOT NULL,
                search tsvector NOT NULL,
                created_at_ms bigint NOT NULL,
                edited_at_ms bigint,
                thread_id bigint,
                also_to_channel boolean NOT NULL DEFAULT false,
                reply_count integer NOT NULL DEFAULT 0,
                latest_reply_id bigint,
                mention_ids bigint[] NOT NULL DEFAULT '{}',
                mentions_here boolean NOT NULL DEFAULT false,
                mentions_channel boolean NOT NULL DEFAULT false,
                deleted boolean NOT NULL DEFAULT false,
                -- JSON array of LinkPreview, set by the unfurler after the post.
                link_previews text,
                PRIMARY KEY (channel_id, id)
            );
            CREATE INDEX messages_by_thread ON messages (channel_id, thread_id, id) WHERE thread_id IS NOT NULL;
            CREATE INDEX messages_search ON messages USING gin (search);

            CREATE TABLE mentions (
                user_id bigint NOT NULL,
                message_id bigint NOT NULL,
                channel_id bigint NOT NULL,
                PRIMARY KEY (user_id, message_id)
            );

            CREATE TABLE reactions (
                message_id bigint NOT NULL,
                emoji text NOT NULL,
                user_id bigint NOT NULL,
                created_at_ms bigint NOT NULL,
                PRIMARY KEY (message_id, emoji, user_id)
            );

            CREATE TABLE nonces (
                user_id bigint NOT NULL,
                nonce text NOT NULL,
                channel_id bigint NOT NULL,
                message_id bigint NOT NULL,
                created_at_ms bigint NOT NULL,
                PRIMARY KEY (user_id, nonce)
            );
            CREATE INDEX nonces_by_age ON nonces (created_at_ms);

            CREATE TABLE notifications (
                id bigint PRIMARY KEY,
                workspace_id bigint NOT NULL,
                user_id bigint NOT NULL,
                channel_id bigint NOT NULL,
                message_id bigint NOT NULL,
                kind text NOT NULL,
                count integer NOT NULL,
                text text NOT NULL,
                created_at_ms bigint NOT NULL,
                updated_at_ms bigint NOT NULL
            );
            CREATE INDEX notifications_by_user ON notifications (user_id, id);
            CREATE INDEX notifications_by_channel ON notifications (user_id, channel_id, updated_at_ms);

            -- Incoming webhooks; the token is kept only as its SHA-256.
            CREATE TABLE hooks (
                id bigint PRIMARY KEY,
                workspace_id bigint NOT NULL REFERENCES workspaces (id),
                channel_id bigint NOT NULL,
                bot_user_id bigint NOT NULL,
                name text NOT NULL,
                token_hash text NOT NULL UNIQUE,
                created_at_ms bigint NOT NULL
            );

            -- Uploads: bytes in the blob store under sha256; channel and message once posted.
            CREATE TABLE attachments (
                id bigint PRIMARY KEY,
                workspace_id bigint NOT NULL,
                uploader_id bigint NOT NULL,
                sha256 text NOT NULL,
                name text NOT NULL,
                size bigint NOT NULL,
                content_type text NOT NULL,
                width integer,
                height integer,
                created_at_ms bigint NOT NULL,
                channel_id bigint,
                message_id bigint
            );
            CREATE INDEX attachments_by_message ON attachments (message_id) WHERE message_id IS NOT NULL;

            -- Appends one event to a workspace's log inside the caller's transaction and wakes the
            -- event pumps of every origin process sharing the database (delivered at commit).
            CREATE FUNCTION sb_append_event(p_workspace bigint, p_type text, p_channel bigint, p_user bigint,
                                            p_now bigint, p_payload bytea) RETURNS bigint
            LANGUAGE plpgsql AS $$
            DECLARE
                v_seq bigint;
            BEGIN
                UPDATE workspaces SET last_seq = last_seq + 1 WHERE id = p_workspace RETURNING last_seq INTO v_seq;
                IF v_seq IS NULL THEN
                    RAISE EXCEPTION 'unknown workspace %', p_workspace USING ERRCODE = 'no_data_found';
                END IF;
                INSERT INTO events (workspace_id, seq, type, channel_id, user_id, created_at_ms, payload)
                VALUES (p_workspace, v_seq, p_type, p_channel, p_user, p_now, p_payload);
                PERFORM pg_notify('switchboard_events', p_workspace::text);
                RETURN v_seq;
            END $$;

            -- Posts one message: the checks, the row, mentions, thread and channel counters, the
            -- author's read position, the nonce and the event, in one round trip. Refusals are
            -- answered as an outcome (not raised) so that posts grouped in one transaction fail alone.
            CREATE FUNCTION sb_post_message(
                p_channel bigint, p_id bigint, p_author bigint, p_content text, p_search text, p_now bigint,
                p_thread bigint, p_also_to_channel boolean, p_mentions bigint[], p_here boolean, p_everyone boolean,
                p_nonce text, p_nonce_window bigint, p_event bytea, p_attachments bigint[],
                OUT outcome text, OUT replay_channel bigint, OUT replay_id bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
                v_workspace bigint;
                v_parent_thread bigint;
            BEGIN
                SELECT workspace_id INTO v_workspace FROM channels WHERE id = p_channel;
                IF NOT FOUND THEN outcome := 'no_channel'; RETURN; END IF;
                PERFORM 1 FROM memberships WHERE channel_id = p_channel AND user_id = p_author;
                IF NOT FOUND THEN
                    -- A channel of another workspace is not confirmed to exist.
                    IF v_workspace IS DISTINCT FROM (SELECT workspace_id FROM users WHERE id = p_author) THEN
                        outcome := 'no_channel';
                    ELSE
                        outcome := 'not_a_member';
                    END IF;
                    RETURN;
                END IF;
                IF p_nonce IS NOT NULL THEN
                    -- A message deleted since does not answer a retry.
                    SELECT n.channel_id, n.message_id INTO replay_channel, replay_id
                    FROM nonces n JOIN messages m ON m.channel_id = n.channel_id AND m.id = n.message_id AND NOT m.deleted
                    WHERE n.user_id = p_author AND n.nonce = p_nonce AND n.created_at_ms + p_nonce_window >= p_now;
                    IF FOUND THEN outcome := 'replay'; RETURN; END IF;
                    DELETE FROM nonces WHERE user_id = p_author AND nonce = p_nonce;
                END IF;
                IF p_thread IS NOT NULL THEN
                    SELECT thread_id INTO v_parent_thread FROM messages
                    WHERE channel_id = p_channel AND id = p_thread AND NOT deleted;
                    IF NOT FOUND THEN outcome := 'no_parent'; RETURN; END IF;
                    IF v_parent_thread IS NOT NULL THEN outcome := 'parent_is_reply'; RETURN; END IF;
                END IF;
                -- Only the author's own uploads that no message has yet (locked: two posts racing for one).
                IF cardinality(p_attachments) > 0 AND cardinality(p_attachments) <> (
                    SELECT count(*) FROM (SELECT 1 FROM attachments WHERE id = ANY (p_attachments) AND uploader_id = p_author
                                          AND message_id IS NULL FOR UPDATE) AS mine) THEN
                    outcome := 'bad_attachment'; RETURN;
                END IF;
                INSERT INTO messages (channel_id, id, author_id, content, search, created_at_ms, thread_id, also_to_channel,
                                      mention_ids, mentions_here, mentions_channel)
                VALUES (p_channel, p_id, p_author, p_content, to_tsvector('simple', p_search), p_now, p_thread,
                        p_also_to_channel, p_mentions, p_here, p_everyone);
                INSERT INTO mentions (user_id, message_id, channel_id)
                    SELECT user_id, p_id, p_channel FROM memberships WHERE channel_id = p_channel AND user_id = ANY (p_mentions)
                    ON CONFLICT DO NOTHING;
                IF p_thread IS NOT NULL THEN
                    UPDATE messages SET reply_count = reply_count + 1, latest_reply_id = p_id
                    WHERE channel_id = p_channel AND id = p_thread;
                END IF;
                IF p_thread IS NULL OR p_also_to_channel THEN
                    UPDATE channels SET last_message_id = p_id WHERE id = p_channel;
                    -- Your own message is read by you.
                    UPDATE memberships SET last_read_id = GREATEST(last_read_id, p_id)
                    WHERE channel_id = p_channel AND user_id = p_author;
                END IF;
                UPDATE attachments SET channel_id = p_channel, message_id = p_id WHERE id = ANY (p_attachments);
                IF p_nonce IS NOT NULL THEN
                    INSERT INTO nonces (user_id, nonce, channel_id, message_id, created_at_ms)
                    VALUES (p_author, p_nonce, p_channel, p_id, p_now);
                END IF;
                PERFORM sb_append_event(v_workspace, 'message.created', p_channel, NULL, p_now, p_event);
                outcome := 'created';
            END $$;

            -- Posts a group of messages (a JSON array of sb_post_message's arguments) in one
            -- statement: one round trip for everything the group commit has gathered. Outcomes
            -- come back in the array's order.
            CREATE FUNCTION sb_post_messages(p_posts jsonb, p_nonce_window bigint)
                RETURNS TABLE (outcome text, replay_channel bigint, replay_id bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
                p record;
            BEGIN
                FOR p IN SELECT * FROM jsonb_to_recordset(p_posts) AS x(
                    channel_id bigint, id bigint, author_id bigint, content text, search text, now_ms bigint,
                    thread_id bigint, also_to_channel boolean, mentions bigint[], here boolean, everyone boolean,
                    nonce text, event text, attachments bigint[])
                LOOP
                    RETURN QUERY SELECT * FROM sb_post_message(
                        p.channel_id, p.id, p.author_id, p.content, p.search, p.now_ms, p.thread_id, p.also_to_channel,
                        p.mentions, p.here, p.everyone, p.nonce, p_nonce_window, convert_to(p.event, 'UTF8'), p.attachments);
                END LOOP;
            END $$;
            """),
        Migration(name: "v2-channel-order", sql: """
            -- sb_post_message refuses an id that is not above its channel's newest ('behind').
            CREATE OR REPLACE FUNCTION sb_post_message(
                p_channel bigint, p_id bigint, p_author bigint, p_content text, p_search text, p_now bigint,
                p_thread bigint, p_also_to_channel boolean, p_mentions bigint[], p_here boolean, p_everyone boolean,
                p_nonce text, p_nonce_window bigint, p_event bytea, p_attachments bigint[],
                OUT outcome text, OUT replay_channel bigint, OUT replay_id bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
                v_workspace bigint;
                v_parent_thread bigint;
            BEGIN
                SELECT workspace_id INTO v_workspace FROM channels WHERE id = p_channel;
                IF NOT FOUND THEN outcome := 'no_channel'; RETURN; END IF;
                PERFORM 1 FROM memberships WHERE channel_id = p_channel AND user_id = p_author;
                IF NOT FOUND THEN
                    -- A channel of another workspace is not confirmed to exist.
                    IF v_workspace IS DISTINCT FROM (SELECT workspace_id FROM users WHERE id = p_author) THEN
                        outcome := 'no_channel';
                    ELSE
                        outcome := 'not_a_member';
                    END IF;
                    RETURN;
                END IF;
                IF p_nonce IS NOT NULL THEN
                    -- A message deleted since does not answer a retry.
                    SELECT n.channel_id, n.message_id INTO replay_channel, replay_id
                    FROM nonces n JOIN messages m ON m.channel_id = n.channel_id AND m.id = n.message_id AND NOT m.deleted
                    WHERE n.user_id = p_author AND n.nonce = p_nonce AND n.created_at_ms + p_nonce_window >= p_now;
                    IF FOUND THEN outcome := 'replay'; RETURN; END IF;
                    DELETE FROM nonces WHERE user_id = p_author AND nonce = p_nonce;
                END IF;
                IF p_thread IS NOT NULL THEN
                    SELECT thread_id INTO v_parent_thread FROM messages
                    WHERE channel_id = p_channel AND id = p_thread AND NOT deleted;
                    IF NOT FOUND THEN outcome := 'no_parent'; RETURN; END IF;
                    IF v_parent_thread IS NOT NULL THEN outcome := 'parent_is_reply'; RETURN; END IF;
                END IF;
                -- Only the author's own uploads that no message has yet (locked: two posts racing for one).
                IF cardinality(p_attachments) > 0 AND cardinality(p_attachments) <> (
                    SELECT count(*) FROM (SELECT 1 FROM attachments WHERE id = ANY (p_attachments) AND uploader_id = p_author
                                          AND message_id IS NULL FOR UPDATE) AS mine) THEN
                    outcome := 'bad_attachment'; RETURN;
                END IF;
                -- Per channel, id order is commit order: the channel's row stays locked to the commit,
                -- and a post whose id is not above the channel's newest (another process's clock is
                -- ahead, or this one's stepped back across a restart) is answered 'behind' with that
                -- id, to be retried with an id above it.
                PERFORM 1 FROM channels WHERE id = p_channel FOR UPDATE;
                SELECT max(id) INTO replay_id FROM messages WHERE channel_id = p_channel;
                IF replay_id >= p_id THEN outcome := 'behind'; RETURN; END IF;
                replay_id := NULL;
                INSERT INTO messages (channel_id, id, author_id, content, search, created_at_ms, thread_id, also_to_channel,
                                      mention_ids, mentions_here, mentions_channel)
                VALUES (p_channel, p_id, p_author, p_content, to_tsvector('simple', p_search), p_now, p_thread,
                        p_also_to_channel, p_mentions, p_here, p_everyone);
                INSERT INTO mentions (user_id, message_id, channel_id)
                    SELECT user_id, p_id, p_channel FROM memberships WHERE channel_id = p_channel AND user_id = ANY (p_mentions)
                    ON CONFLICT DO NOTHING;
                IF p_thread IS NOT NULL THEN
                    UPDATE messages SET reply_count = reply_count + 1, latest_reply_id = p_id
                    WHERE channel_id = p_channel AND id = p_thread;
                END IF;
                IF p_thread IS NULL OR p_also_to_channel THEN
                    UPDATE channels SET last_message_id = p_id WHERE id = p_channel;
                    -- Your own message is read by you.
                    UPDATE memberships SET last_read_id = GREATEST(last_read_id, p_id)
                    WHERE channel_id = p_channel AND user_id = p_author;
                END IF;
                UPDATE attachments SET channel_id = p_channel, message_id = p_id WHERE id = ANY (p_attachments);
                IF p_nonce IS NOT NULL THEN
                    INSERT INTO nonces (user_id, nonce, channel_id, message_id, created_at_ms)
                    VALUES (p_author, p_nonce, p_channel, p_id, p_now);
                END IF;
                PERFORM sb_append_event(v_workspace, 'message.created', p_channel, NULL, p_now, p_event);
                outcome := 'created';
            END $$;
            """),
        Migration(name: "v3-administration", sql: """
            -- owner / admin / member / guest; tokens issued before sessions_valid_from_ms are refused.
            ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'member';
            ALTER TABLE users ADD COLUMN sessions_valid_from_ms bigint NOT NULL DEFAULT 0;
            -- The few users whose tokens are checked against the store's word (kept in memory).
            CREATE INDEX users_restricted ON users (id) WHERE deleted OR sessions_valid_from_ms > 0;
            ALTER TABLE channels ADD COLUMN purpose text NOT NULL DEFAULT '';
            ALTER TABLE channels ADD COLUMN archived boolean NOT NULL DEFAULT false;

            -- sb_post_message refuses posts to archived channels ('archived').
            CREATE OR REPLACE FUNCTION sb_post_message(
                p_channel bigint, p_id bigint, p_author bigint, p_content text, p_search text, p_now bigint,
                p_thread bigint, p_also_to_channel boolean, p_mentions bigint[], p_here boolean, p_everyone boolean,
                p_nonce text, p_nonce_window bigint, p_event bytea, p_attachments bigint[],
                OUT outcome text, OUT replay_channel bigint, OUT replay_id bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
                v_workspace bigint;
                v_parent_thread bigint;
            BEGIN
                SELECT workspace_id INTO v_workspace FROM channels WHERE id = p_channel;
                IF NOT FOUND THEN outcome := 'no_channel'; RETURN; END IF;
                PERFORM 1 FROM memberships WHERE channel_id = p_channel AND user_id = p_author;
                IF NOT FOUND THEN
                    -- A channel of another workspace is not confirmed to exist.
                    IF v_workspace IS DISTINCT FROM (SELECT workspace_id FROM users WHERE id = p_author) THEN
                        outcome := 'no_channel';
                    ELSE
                        outcome := 'not_a_member';
                    END IF;
                    RETURN;
                END IF;
                IF (SELECT archived FROM channels WHERE id = p_channel) THEN outcome := 'archived'; RETURN; END IF;
                IF p_nonce IS NOT NULL THEN
                    -- A message deleted since does not answer a retry.
                    SELECT n.channel_id, n.message_id INTO replay_channel, replay_id
                    FROM nonces n JOIN messages m ON m.channel_id = n.channel_id AND m.id = n.message_id AND NOT m.deleted
                    WHERE n.user_id = p_author AND n.nonce = p_nonce AND n.created_at_ms + p_nonce_window >= p_now;
                    IF FOUND THEN outcome := 'replay'; RETURN; END IF;
                    DELETE FROM nonces WHERE user_id = p_author AND nonce = p_nonce;
                END IF;
                IF p_thread IS NOT NULL THEN
                    SELECT thread_id INTO v_parent_thread FROM messages
                    WHERE channel_id = p_channel AND id = p_thread AND NOT deleted;
                    IF NOT FOUND THEN outcome := 'no_parent'; RETURN; END IF;
                    IF v_parent_thread IS NOT NULL THEN outcome := 'parent_is_reply'; RETURN; END IF;
                END IF;
                -- Only the author's own uploads that no message has yet (locked: two posts racing for one).
                IF cardinality(p_attachments) > 0 AND cardinality(p_attachments) <> (
                    SELECT count(*) FROM (SELECT 1 FROM attachments WHERE id = ANY (p_attachments) AND uploader_id = p_author
                                          AND message_id IS NULL FOR UPDATE) AS mine) THEN
                    outcome := 'bad_attachment'; RETURN;
                END IF;
                -- Per channel, id order is commit order: the channel's row stays locked to the commit,
                -- and a post whose id is not above the channel's newest (another process's clock is
                -- ahead, or this one's stepped back across a restart) is answered 'behind' with that
                -- id, to be retried with an id above it.
                PERFORM 1 FROM channels WHERE id = p_channel FOR UPDATE;
                SELECT max(id) INTO replay_id FROM messages WHERE channel_id = p_channel;
                IF replay_id >= p_id THEN outcome := 'behind'; RETURN; END IF;
                replay_id := NULL;
                INSERT INTO messages (channel_id, id, author_id, content, search, created_at_ms, thread_id, also_to_channel,
                                      mention_ids, mentions_here, mentions_channel)
                VALUES (p_channel, p_id, p_author, p_content, to_tsvector('simple', p_search), p_now, p_thread,
                        p_also_to_channel, p_mentions, p_here, p_everyone);
                INSERT INTO mentions (user_id, message_id, channel_id)
                    SELECT user_id, p_id, p_channel FROM memberships WHERE channel_id = p_channel AND user_id = ANY (p_mentions)
                    ON CONFLICT DO NOTHING;
                IF p_thread IS NOT NULL THEN
                    UPDATE messages SET reply_count = reply_count + 1, latest_reply_id = p_id
                    WHERE channel_id = p_channel AND id = p_thread;
                END IF;
                IF p_thread IS NULL OR p_also_to_channel THEN
                    UPDATE channels SET last_message_id = p_id WHERE id = p_channel;
                    -- Your own message is read by you.
                    UPDATE memberships SET last_read_id = GREATEST(last_read_id, p_id)
                    WHERE channel_id = p_channel AND user_id = p_author;
                END IF;
                UPDATE attachments SET channel_id = p_channel, message_id = p_id WHERE id = ANY (p_attachments);
                IF p_nonce IS NOT NULL THEN
                    INSERT INTO nonces (user_id, nonce, channel_id, message_id, created_at_ms)
                    VALUES (p_author, p_nonce, p_channel, p_id, p_now);
                END IF;
                PERFORM sb_append_event(v_workspace, 'message.created', p_channel, NULL, p_now, p_event);
                outcome := 'created';
            END $$;
            """),
        Migration(name: "v4-thread-follows", sql: """
            -- Who follows a thread (ThreadFollow); following = false remembers an unfollow.
            -- last_read_id: the newest reply the follower has read.
            CREATE TABLE thread_follows (
                thread_id bigint NOT NULL,
                user_id bigint NOT NULL,
                channel_id bigint NOT NULL,
                following boolean NOT NULL,
                last_read_id bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (thread_id, user_id)
            );
            CREATE INDEX thread_follows_by_user ON thread_follows (user_id, thread_id) WHERE following;
            -- Threads from before: their repliers and parents' authors follow.
            INSERT INTO thread_follows (thread_id, user_id, channel_id, following)
                SELECT DISTINCT thread_id, author_id, channel_id, true FROM messages WHERE thread_id IS NOT NULL
            ON CONFLICT DO NOTHING;
            INSERT INTO thread_follows (thread_id, user_id, channel_id, following)
                SELECT id, author_id, channel_id, true FROM messages WHERE reply_count > 0
            ON CONFLICT DO NOTHING;

            -- sb_post_message writes the follows a reply makes.
            CREATE OR REPLACE FUNCTION sb_post_message(
                p_channel bigint, p_id bigint, p_author bigint, p_content text, p_search text, p_now bigint,
                p_thread bigint, p_also_to_channel boolean, p_mentions bigint[], p_here boolean, p_everyone boolean,
                p_nonce text, p_nonce_window bigint, p_event bytea, p_attachments bigint[],
                OUT outcome text, OUT replay_channel bigint, OUT replay_id bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
                v_workspace bigint;
                v_parent_thread bigint;
                v_user bigint;
                v_changed bigint;
            BEGIN
                SELECT workspace_id INTO v_workspace FROM channels WHERE id = p_channel;
                IF NOT FOUND THEN outcome := 'no_channel'; RETURN; END IF;
                PERFORM 1 FROM memberships WHERE channel_id = p_channel AND user_id = p_author;
                IF NOT FOUND THEN
                    -- A channel of another workspace is not confirmed to exist.
                    IF v_workspace IS DISTINCT FROM (SELECT workspace_id FROM users WHERE id = p_author) THEN
                        outcome := 'no_channel';
                    ELSE
                        outcome := 'not_a_member';
                    END IF;
                    RETURN;
                END IF;
                IF (SELECT archived FROM channels WHERE id = p_channel) THEN outcome := 'archived'; RETURN; END IF;
                IF p_nonce IS NOT NULL THEN
                    -- A message deleted since does not answer a retry.
                    SELECT n.channel_id, n.message_id INTO replay_channel, replay_id
                    FROM nonces n JOIN messages m ON m.channel_id = n.channel_id AND m.id = n.message_id AND NOT m.deleted
                    WHERE n.user_id = p_author AND n.nonce = p_nonce AND n.created_at_ms + p_nonce_window >= p_now;
                    IF FOUND THEN outcome := 'replay'; RETURN; END IF;
                    DELETE FROM nonces WHERE user_id = p_author AND nonce = p_nonce;
                END IF;
                IF p_thread IS NOT NULL THEN
                    SELECT thread_id INTO v_parent_thread FROM messages
                    WHERE channel_id = p_channel AND id = p_thread AND NOT deleted;
                    IF NOT FOUND THEN outcome := 'no_parent'; RETURN; END IF;
                    IF v_parent_thread IS NOT NULL THEN outcome := 'parent_is_reply'; RETURN; END IF;
                END IF;
                -- Only the author's own uploads that no message has yet (locked: two posts racing for one).
                IF cardinality(p_attachments) > 0 AND cardinality(p_attachments) <> (
                    SELECT count(*) FROM (SELECT 1 FROM attachments WHERE id = ANY (p_attachments) AND uploader_id = p_author
                                          AND message_id IS NULL FOR UPDATE) AS mine) THEN
                    outcome := 'bad_attachment'; RETURN;
                END IF;
                -- Per channel, id order is commit order: the channel's row stays locked to the commit,
                -- and a post whose id is not above the channel's newest (another process's clock is
                -- ahead, or this one's stepped back across a restart) is answered 'behind' with that
                -- id, to be retried with an id above it.
                PERFORM 1 FROM channels WHERE id = p_channel FOR UPDATE;
                SELECT max(id) INTO replay_id FROM messages WHERE channel_id = p_channel;
                IF replay_id >= p_id THEN outcome := 'behind'; RETURN; END IF;
                replay_id := NULL;
                INSERT INTO messages (channel_id, id, author_id, content, search, created_at_ms, thread_id, also_to_channel,
                                      mention_ids, mentions_here, mentions_channel)
                VALUES (p_channel, p_id, p_author, p_content, to_tsvector('simple', p_search), p_now, p_thread,
                        p_also_to_channel, p_mentions, p_here, p_everyone);
                INSERT INTO mentions (user_id, message_id, channel_id)
                    SELECT user_id, p_id, p_channel FROM memberships WHERE channel_id = p_channel AND user_id = ANY (p_mentions)
                    ON CONFLICT DO NOTHING;
                IF p_thread IS NOT NULL THEN
                    UPDATE messages SET reply_count = reply_count + 1, latest_reply_id = p_id
                    WHERE channel_id = p_channel AND id = p_thread;
                END IF;
                IF p_thread IS NULL OR p_also_to_channel THEN
                    UPDATE channels SET last_message_id = p_id WHERE id = p_channel;
                    -- Your own message is read by you.
                    UPDATE memberships SET last_read_id = GREATEST(last_read_id, p_id)
                    WHERE channel_id = p_channel AND user_id = p_author;
                END IF;
                UPDATE attachments SET channel_id = p_channel, message_id = p_id WHERE id = ANY (p_attachments);
                IF p_nonce IS NOT NULL THEN
                    INSERT INTO nonces (user_id, nonce, channel_id, message_id, created_at_ms)
                    VALUES (p_author, p_nonce, p_channel, p_id, p_now);
                END IF;
                IF p_thread IS NOT NULL THEN
                    -- ThreadFollow.takingPart(in:): the author and the mentioned members follow, again if they
                    -- had unfollowed; then ThreadFollow.parentAuthorFollowsUnlessUnfollowed. Each change is
                    -- logged before the reply, so that whoever routes the reply knows its followers.
                    FOR v_user IN SELECT u FROM unnest(array_prepend(p_author, p_mentions)) WITH ORDINALITY AS x(u, n)
                                  WHERE u = p_author OR EXISTS (SELECT 1 FROM memberships WHERE channel_id = p_channel AND user_id = u)
                                  GROUP BY u ORDER BY min(n) LOOP
                        v_changed := NULL;
                        INSERT INTO thread_follows (thread_id, user_id, channel_id, following) VALUES (p_thread, v_user, p_channel, true)
                        ON CONFLICT (thread_id, user_id) DO UPDATE SET following = true WHERE NOT thread_follows.following
                        RETURNING user_id INTO v_changed;
                        IF v_changed IS NOT NULL THEN
                            PERFORM sb_append_event(v_workspace, 'thread.follow_changed', p_channel, v_user, p_now, convert_to(
                                json_build_object('channel_id', p_channel::text, 'thread_id', p_thread::text,
                                                  'user_id', v_user::text, 'following', true)::text, 'UTF8'));
                        END IF;
                    END LOOP;
                    v_changed := NULL;
                    INSERT INTO thread_follows (thread_id, user_id, channel_id, following)
                        SELECT p_thread, author_id, p_channel, true FROM messages WHERE channel_id = p_channel AND id = p_thread
                    ON CONFLICT DO NOTHING
                    RETURNING user_id INTO v_changed;
                    IF v_changed IS NOT NULL THEN
                        PERFORM sb_append_event(v_workspace, 'thread.follow_changed', p_channel, v_changed, p_now, convert_to(
                            json_build_object('channel_id', p_channel::text, 'thread_id', p_thread::text,
                                              'user_id', v_changed::text, 'following', true)::text, 'UTF8'));
                    END IF;
                END IF;
                PERFORM sb_append_event(v_workspace, 'message.created', p_channel, NULL, p_now, p_event);
                outcome := 'created';
            END $$;
            """),
        Migration(name: "v5-channel-preferences", sql: """
            -- ChannelPreferences: notify_level NULL until the member chooses ('all' / 'mentions' / 'nothing').
            ALTER TABLE memberships ADD COLUMN notify_level text;
            ALTER TABLE memberships ADD COLUMN muted boolean NOT NULL DEFAULT false;
            CREATE INDEX memberships_notify_all ON memberships (channel_id, user_id) WHERE notify_level = 'all';
            """),
        Migration(name: "v6-read-receipts", sql: """
            ALTER TABLE users ADD COLUMN shares_read_receipts boolean NOT NULL DEFAULT true;
            """),
        Migration(name: "v7-integrations", sql: """
            -- Outgoing webhooks and slash commands; the secret signs the calls (kept to sign them).
            CREATE TABLE integrations (
                id bigint PRIMARY KEY,
                workspace_id bigint NOT NULL,
                kind text NOT NULL,
                name text NOT NULL,
                channel_id bigint,
                url text NOT NULL,
                trigger_words text NOT NULL,
                secret text NOT NULL,
                bot_user_id bigint NOT NULL,
                created_at_ms bigint NOT NULL
            );
            CREATE INDEX integrations_by_workspace ON integrations (workspace_id, kind);
            CREATE UNIQUE INDEX integrations_commands ON integrations (workspace_id, name) WHERE kind = 'command';
            """),
        Migration(name: "v8-sign-in", sql: """
            -- Password hashes (scrypt, parameters inside), apart from profiles so no profile read carries one.
            CREATE TABLE passwords (
                user_id bigint PRIMARY KEY,
                hash text NOT NULL,
                updated_at_ms bigint NOT NULL
            );
            -- Sign-outs: a token's `sid` refused until the token would have expired anyway.
            CREATE TABLE revoked_sessions (
                session_id text PRIMARY KEY,
                workspace_id bigint NOT NULL,
                user_id bigint NOT NULL,
                expires_at_ms bigint NOT NULL
            );
            CREATE INDEX revoked_sessions_by_workspace ON revoked_sessions (workspace_id, session_id);
            -- One-time sign-up links: the code's SHA-256 only.
            CREATE TABLE invites (
                code_hash text PRIMARY KEY,
                workspace_id bigint NOT NULL,
                created_by bigint NOT NULL,
                expires_at_ms bigint NOT NULL,
                used_at_ms bigint,
                created_at_ms bigint NOT NULL
            );
            ALTER TABLE workspaces ADD COLUMN members_may_invite boolean NOT NULL DEFAULT false;
            CREATE INDEX users_by_email ON users (workspace_id, lower(email)) WHERE email <> '';
            """),
    ]
}
