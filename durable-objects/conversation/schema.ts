/**
 * The Conversation DO's SQLite schema. One object per conversation is the single writer of its
 * order: `messages.seq` is assigned here, gap-free, and every change is one transaction.
 */
export const CONVERSATION_MIGRATIONS = [
  `CREATE TABLE meta (
     id TEXT NOT NULL, type TEXT NOT NULL, name TEXT, picture_media_id TEXT,
     created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
     last_seq INTEGER NOT NULL DEFAULT 0, last_ev INTEGER NOT NULL DEFAULT 0,
     hot_floor INTEGER NOT NULL DEFAULT 1)`,
  // Watermarks: delivered_upto / read_upto are monotonic; *_at is when each last advanced.
  // fanout_ev = the last conversation event this member's hub has acknowledged.
  // joined_ev/left_ev bound which events a member receives; left_seq bounds the history they may read.
  `CREATE TABLE members (
     user_id TEXT PRIMARY KEY, role TEXT NOT NULL, joined_at INTEGER NOT NULL,
     joined_seq INTEGER NOT NULL, joined_ev INTEGER NOT NULL,
     left_seq INTEGER, left_ev INTEGER,
     delivered_upto INTEGER NOT NULL DEFAULT 0, delivered_at INTEGER,
     read_upto INTEGER NOT NULL DEFAULT 0, read_at INTEGER,
     fanout_ev INTEGER NOT NULL DEFAULT 0, fanout_due INTEGER NOT NULL DEFAULT 0,
     fanout_failures INTEGER NOT NULL DEFAULT 0, status_sent TEXT)`,
  // The hot window: every message with seq ≥ meta.hot_floor (older ones live in Postgres once
  // archived; an older row may reappear briefly as a tombstone on its way to the archive).
  `CREATE TABLE messages (
     seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL, sender_id TEXT NOT NULL,
     text TEXT, media TEXT, system TEXT, sent_at INTEGER NOT NULL,
     deleted_at INTEGER, version INTEGER NOT NULL DEFAULT 0)`,
  // Idempotency keys of sends, kept beyond the hot window so a late retry still gets its seq.
  `CREATE TABLE sends (
     sender_id TEXT NOT NULL, client_id TEXT NOT NULL, seq INTEGER NOT NULL, sent_at INTEGER NOT NULL,
     PRIMARY KEY (sender_id, client_id))`,
  `CREATE INDEX sends_by_sender ON sends (sender_id, seq)`,
  // Every change members must hear about, in order; fanned out to hubs and trimmed once all have it.
  // target = one user id, or NULL for every member in the conversation at that point.
  `CREATE TABLE events (ev INTEGER PRIMARY KEY, target TEXT, body TEXT NOT NULL)`,
  // Each advance of a watermark, so "when was seq N read by X" is exact without a row per message.
  `CREATE TABLE receipt_steps (
     user_id TEXT NOT NULL, kind TEXT NOT NULL, upto INTEGER NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (user_id, kind, upto))`,
  `CREATE TABLE hidden (user_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (user_id, seq))`,
  // Messages (new or changed) still to be written to Postgres, with the version to write.
  `CREATE TABLE archive_outbox (seq INTEGER PRIMARY KEY, version INTEGER NOT NULL)`,
  // Which messages carry which media (kept beyond the hot window): members of this conversation may
  // read a media object while a visible, undeleted message here references it.
  `CREATE TABLE media_refs (media_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (media_id, seq))`,
  // Reference changes still to be applied to the global media reference count (Postgres), in order.
  `CREATE TABLE media_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, media_id TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL)`,
  // Items a background job could not apply for a non-transient reason (Postgres refused the row),
  // set aside so the rest of the queue moves on; counted in the object's stats. item = the row as JSON.
  `CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, item TEXT NOT NULL, error TEXT NOT NULL,
     at INTEGER NOT NULL)`,
  // What a removed member still sees of the group (name, picture, members) as of their removal.
  `ALTER TABLE members ADD COLUMN left_view TEXT`,
  // Direct chats: the members who blocked the other one, comma-separated (./blocks.ts); null = none.
  `ALTER TABLE meta ADD COLUMN blocked_by TEXT`,
  // Direct chats: the members who turned read receipts off, comma-separated (./read-privacy.ts).
  `ALTER TABLE meta ADD COLUMN private_reads TEXT`,
  // Groups: description and settings (./group-settings.ts). Editing info was admins' only before this.
  `ALTER TABLE meta ADD COLUMN description TEXT`,
  `ALTER TABLE meta ADD COLUMN only_admins_send INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE meta ADD COLUMN only_admins_edit INTEGER NOT NULL DEFAULT 1`,
  // Groups: the secret of the current invite link (./invites.ts); null = no link.
  `ALTER TABLE meta ADD COLUMN invite_secret TEXT`,
  // Replies carry a quoted snapshot (JSON `ReplyQuote` without `deleted`, worked out when read).
  `ALTER TABLE messages ADD COLUMN reply TEXT`,
  `ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE messages ADD COLUMN edited_at INTEGER`,
  // One reaction per member per message, for every message ever (not only the hot window): history
  // pages, hot or archived, take their reactions from here.
  `CREATE TABLE reactions (
     seq INTEGER NOT NULL, user_id TEXT NOT NULL, emoji TEXT NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (seq, user_id))`,
  // Which seqs were deleted for everyone, beyond the hot window too: a reply's quote shows "deleted".
  `CREATE TABLE deleted_seqs (seq INTEGER PRIMARY KEY)`,
  // Disappearing messages (./disappearing.ts): the chat's timer, and each message's time to go, in
  // the message row (the same INSERT as the send). Rows that leave the hot window before their time
  // keep their deadline in `expiring`; the seqs removed still to be deleted from Postgres wait in
  // `archive_removals`.
  `ALTER TABLE meta ADD COLUMN disappearing_seconds INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE messages ADD COLUMN expires_at INTEGER`,
  `CREATE INDEX messages_by_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL`,
  `CREATE TABLE expiring (seq INTEGER PRIMARY KEY, expires_at INTEGER NOT NULL)`,
  `CREATE INDEX expiring_by_time ON expiring (expires_at)`,
  `CREATE TABLE archive_removals (seq INTEGER PRIMARY KEY)`,
] as const;
