/**
 * The UserHub DO's SQLite schema: one object per user, holding what that user's devices need.
 */
export const HUB_MIGRATIONS = [
  // The user's append-only event log (rebuilt without AUTOINCREMENT and conversation keys below).
  `CREATE TABLE log (
     cursor INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
     conversation_id TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL)`,
  `CREATE TABLE devices (device_id TEXT PRIMARY KEY, acked INTEGER NOT NULL DEFAULT 0, seen_at INTEGER NOT NULL)`,
  // The chat list, kept up to date from the events as they arrive.
  `CREATE TABLE chats (
     conversation_id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT, peer_id TEXT,
     active INTEGER NOT NULL DEFAULT 1, last_message TEXT, last_seq INTEGER NOT NULL DEFAULT 0,
     read_upto INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL)`,
  // Messages from others not yet read: the unread count is exact, and a read marker clears a range.
  `CREATE TABLE unread (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq))`,
  // Delivered receipts owed to conversations: acked by a device, not yet reported. Retried by alarm.
  `CREATE TABLE receipts (
     conversation_id TEXT PRIMARY KEY, acked_upto INTEGER NOT NULL DEFAULT 0,
     reported_upto INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL DEFAULT 0)`,
  // Presence and privacy: online, last_seen_at, offline_since (grace pending), visibility.
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // ---- push notifications (push.ts; README "Notifications") ----
  // One row per browser subscription (endpoint = the push service URL, a bearer capability).
  `CREATE TABLE push_subscriptions (
     endpoint TEXT PRIMARY KEY, p256dh TEXT NOT NULL, auth TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  // Muted conversations: until = ms epoch (MAX_SAFE_INTEGER = always).
  `CREATE TABLE push_mutes (conversation_id TEXT PRIMARY KEY, until INTEGER NOT NULL)`,
  // A burst waiting for its deadline: seqs = JSON array of message seqs, last_cursor = newest log cursor.
  `CREATE TABLE push_pending (
     conversation_id TEXT PRIMARY KEY, seqs TEXT NOT NULL, last_cursor INTEGER NOT NULL, due INTEGER NOT NULL)`,
  // Payloads to send, one per subscription × conversation (a newer one replaces: new id). Retried by alarm.
  `CREATE TABLE push_outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, conversation_id TEXT NOT NULL,
     payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL,
     UNIQUE (endpoint, conversation_id))`,
  // ---- profile changes (durable-objects/user-hub/profiles.ts) ----
  // Public profiles this hub knows, newest version each: the user's own (the source of its fan-out)
  // and the people they chat with (direct chats show them in the chat list). version = the Postgres
  // updated_at in µs, or 0 for a copy read from Postgres without one (any real change beats it).
  `CREATE TABLE profiles (user_id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL)`,
  // Hubs still owed this user's newest profile: one row per person, however many chats are shared.
  `CREATE TABLE profile_outbox (
     user_id TEXT PRIMARY KEY, version INTEGER NOT NULL,
     failures INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL DEFAULT 0)`,
  // Groups whose members still have to be listed (asked of the Conversation DO) into profile_outbox.
  `CREATE TABLE profile_groups (
     conversation_id TEXT PRIMARY KEY, version INTEGER NOT NULL,
     failures INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL DEFAULT 0)`,
  // ---- receipt watermarks in the chat list (chat-list.ts, from `status` events) ----
  // Hubs that existed before this step start at 0 and catch up with the next status event.
  `ALTER TABLE chats ADD COLUMN delivered_some INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE chats ADD COLUMN delivered_all INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE chats ADD COLUMN read_some INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE chats ADD COLUMN read_all INTEGER NOT NULL DEFAULT 0`,
  // ---- single use of WebSocket tickets (tickets.ts); hubs that made it on first use keep theirs ----
  `CREATE TABLE IF NOT EXISTS ws_tickets (nonce TEXT PRIMARY KEY, exp INTEGER NOT NULL)`,
  // The newest event number logged per conversation. A conversation sends its events to a hub in
  // ascending order (a retry resends from an older watermark), so anything at or below it is a
  // repeat — also after the log rows that would have caught it by key were trimmed.
  `CREATE TABLE inbox (conversation_id TEXT PRIMARY KEY, ev INTEGER NOT NULL)`,
  // ---- blocking (blocks.ts) ----
  // direction 'out' = this user blocked user_id (their list, synced to their devices);
  // 'in' = user_id blocked this user (never shown to them; hides the blocker's presence and profile).
  `CREATE TABLE blocks (
     direction TEXT NOT NULL, user_id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (direction, user_id))`,
  // Profile deliveries a peer's hub refused for good (its code threw, 3 times): set aside with the
  // error so the queue moves on (./profiles.ts); item = JSON { userId, version }.
  `CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, item TEXT NOT NULL, error TEXT NOT NULL,
     at INTEGER NOT NULL)`,
  // ---- the user's own state of each chat (chat-state.ts; README "Chat list state") ----
  // pinned_at: ms, null = not pinned; cleared_upto: last seq when deleted for me, null = never.
  `ALTER TABLE chats ADD COLUMN pinned_at INTEGER`,
  `ALTER TABLE chats ADD COLUMN archived INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE chats ADD COLUMN marked_unread INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE chats ADD COLUMN cleared_upto INTEGER`,
  // ---- account deletion (account-deletion.ts): the job's items, each retried until done ----
  `CREATE TABLE deletion_queue (
     item TEXT PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0, refusals INTEGER NOT NULL DEFAULT 0,
     due INTEGER NOT NULL DEFAULT 0)`,
  // ---- the log without AUTOINCREMENT and without a key per conversation event ----
  // Every delivered event paid for a sqlite_sequence update and a unique text index it did not need:
  // the `inbox` watermark already makes a redelivery a no-op. Only the hub's own events (read
  // markers, profiles, chat state) keep a key; the store hands out cursors itself (./store.ts) and
  // trimming keeps the newest row, so MAX(cursor) is the head after a wake. The old sequence is kept
  // in `settings` for a log that was trimmed empty before this step.
  `CREATE TABLE log_v2 (
     cursor INTEGER PRIMARY KEY, key TEXT, conversation_id TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL)`,
  `INSERT INTO log_v2 (cursor, key, conversation_id, at, body) SELECT cursor, key, conversation_id, at, body FROM log`,
  `INSERT INTO settings (key, value) SELECT 'log_sequence', CAST(seq AS TEXT) FROM sqlite_sequence WHERE name = 'log'
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  `DROP TABLE log`,
  `ALTER TABLE log_v2 RENAME TO log`,
  `CREATE UNIQUE INDEX log_own_keys ON log (key) WHERE key IS NOT NULL`,
  // ---- fewer pages per delivery: each page a transaction dirties is a WAL frame at its commit ----
  // The newest event logged per conversation lives in the chat's row, which a delivery updates
  // anyway; `inbox` keeps what was there before, and events for a chat without a row yet.
  `ALTER TABLE chats ADD COLUMN inbox_ev INTEGER NOT NULL DEFAULT 0`,
  // Unread messages clustered by their key: one b-tree page per insert, not a table and an index.
  `CREATE TABLE unread_v2 (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq))
     WITHOUT ROWID`,
  `INSERT INTO unread_v2 (conversation_id, seq) SELECT conversation_id, seq FROM unread`,
  `DROP TABLE unread`,
  `ALTER TABLE unread_v2 RENAME TO unread`,
] as const;
