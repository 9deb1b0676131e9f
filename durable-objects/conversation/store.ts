/**
 * Every SQL statement of the Conversation DO, and the hot state it keeps in memory.
 *
 * The object is single-threaded and the only writer of its storage, so what every turn needs — the
 * meta row with its counters (`last_seq`, `last_ev`), the member rows with their watermarks, the
 * events still to fan out, each sender's newest seq — is read once when the object wakes and kept
 * here. A write changes the memory copy and the SQL row together, inside the caller's transaction;
 * if that transaction throws, the object reloads (`load`) so memory never runs ahead of storage.
 *
 * Two things are written lazily, in the next transaction or by the alarm, because losing them costs
 * nothing but a repeat: the counters go with every write anyway (`flush`), and each member's
 * fan-out watermark (`fanout_ev`), which only saves re-sending events a hub already has (hubs drop
 * repeats by conversation + ev). A fan-out pass therefore commits nothing.
 */
import type { EventBody } from "../../client/sdk/protocol/index.ts";
import { earliest } from "./expiry.ts";
import type { EventRow, MemberRow, MessageRow, MetaRow } from "./rows.ts";

/** An event waiting for fan-out; `json` is the body serialized once for every hub it goes to. */
export interface PendingEvent {
  ev: number;
  target: string | null;
  json: string;
  /** The member whose hub may get this a little later, with their next events (./fanout.ts). */
  lazyFor: string | null;
  /** How long it may wait for company, when `lazyFor` is set. */
  lazyMs: number;
}

/**
 * How long an event that only the member it is for may get late waits to travel with their next
 * events (./fanout.ts): their own message coming back or a tick a quarter second; their own read
 * marker, which only moves the unread count on their other devices, up to two seconds (an open
 * chat reads every message, and most of those markers then ride with the next message).
 */
export const LAZY_DELAY_MS = 250;
export const READ_MARKER_DELAY_MS = 2_000;

/** How often fan-out progress is stored with an ordinary write (the alarm stores the rest). */
const FANOUT_FLUSH_MS = 1_000;

const META_COLUMNS = new Set<keyof MetaRow>([
  "name",
  "picture_media_id",
  "hot_floor",
  "blocked_by",
  "private_reads",
  "description",
  "only_admins_send",
  "only_admins_edit",
  "invite_secret",
  "disappearing_seconds",
]);
const MEMBER_COLUMNS = new Set<keyof MemberRow>([
  "role",
  "joined_at",
  "joined_seq",
  "joined_ev",
  "left_seq",
  "left_ev",
  "delivered_upto",
  "delivered_at",
  "read_upto",
  "read_at",
  "fanout_ev",
  "fanout_due",
  "fanout_failures",
  "status_sent",
  "left_view",
]);

/**
 * Who may get this event a little late: the sender of a user's message (their sending device has
 * it already), and the one member a status or read marker is for (ticks and read state of their
 * own devices, which tolerate a quarter second). Anyone else gets it at once. Null: everyone at once.
 */
function lazyFor(target: string | null, body: EventBody): string | null {
  if (body.kind === "status" || body.kind === "read_marker") return target;
  return body.kind === "message" && body.message.system === null ? body.message.senderId : null;
}

/** An event's place in the fan-out queue, with how long it may wait (see LAZY_DELAY_MS). */
function pending(ev: number, target: string | null, json: string, body: EventBody, waitMs?: number): PendingEvent {
  const lazyMs = waitMs ?? (body.kind === "read_marker" ? READ_MARKER_DELAY_MS : LAZY_DELAY_MS);
  return { ev, target, json, lazyFor: lazyFor(target, body), lazyMs };
}

export class ConversationStore {
  private metaRow: MetaRow | null = null;
  private readonly memberRows = new Map<string, MemberRow>();
  /** Events after the lowest fan-out watermark, in ev order. */
  private pendingEvents: PendingEvent[] = [];
  private readonly senders = new Map<string, number>();
  private countersDirty = false;
  private readonly fanoutDirty = new Set<string>();
  private fanoutFlushedAt = 0;
  /**
   * Rows queued for the archive since its last pass began (after a wake: the rows still waiting):
   * paces the archive, nothing more (ConversationDO `archiveDue`).
   */
  archiveQueuedSincePass = 0;
  /**
   * Content was removed (deleted for everyone, or a disappearing message's time came) and Postgres
   * still holds it: the archive then runs as soon as a busy chat's would, not at the quiet pace.
   */
  archiveUrgent = false;
  /**
   * When the oldest message still waiting for the archive was sent, as found by the last `load`
   * (null: none waited). After a wake the quiet pace counts from here, so a chat the runtime evicts
   * between messages is archived at that pace, not once per wake.
   */
  archiveWaitingSince: number | null = null;
  /** The earliest deadline of a disappearing message, or null: kept so a send never reads it. */
  private nextExpiryAt: number | null = null;

  constructor(private readonly sql: SqlStorage) {}

  // ---- wake ---------------------------------------------------------------------------------------

  /** (Re)reads the hot state from storage: on wake, and after a failed transaction. */
  load(): void {
    this.metaRow = this.sql.exec<MetaRow>("SELECT * FROM meta").toArray()[0] ?? null;
    this.memberRows.clear();
    for (const m of this.sql.exec<MemberRow>("SELECT * FROM members").toArray()) this.memberRows.set(m.user_id, m);
    this.pendingEvents = this.sql
      .exec<EventRow>("SELECT ev, target, body FROM events ORDER BY ev")
      .toArray()
      .map((r) => pending(r.ev, r.target, r.body, JSON.parse(r.body) as EventBody));
    // Each member's newest send, one index lookup apiece: a wake costs a few reads per member, not a
    // scan of every idempotency key the chat ever kept (GROUP BY over `sends` read them all).
    this.senders.clear();
    for (const userId of this.memberRows.keys()) {
      const { last } = this.sql
        .exec<{ last: number | null }>("SELECT MAX(seq) AS last FROM sends WHERE sender_id = ?", userId)
        .one();
      if (last !== null) this.senders.set(userId, last);
    }
    this.countersDirty = false;
    this.fanoutDirty.clear();
    this.nextExpiryAt = this.readNextExpiry();
    this.loadArchiveBacklog();
  }

  /**
   * What waits for the archive, by key lookups only (the outbox grows while Postgres is down): its
   * seq span stands in for the row count (it only paces), and the lowest seq is the oldest message
   * (an edit re-queues an older one, which then simply goes at the next alarm).
   */
  private loadArchiveBacklog(): void {
    const lo = this.sql.exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM archive_outbox").one().seq;
    const hi = this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM archive_outbox").one().seq;
    this.archiveQueuedSincePass = lo === null || hi === null ? 0 : hi - lo + 1;
    this.archiveWaitingSince =
      lo === null
        ? null
        : (this.sql.exec<{ sent_at: number }>("SELECT sent_at FROM messages WHERE seq = ?", lo).toArray()[0]?.sent_at ??
          null);
    // Removed content still in Postgres: a disappeared message's removal, or the newest tombstone
    // (a delete for everyone) not yet written over its text.
    this.archiveUrgent =
      this.sql.exec("SELECT 1 FROM archive_removals LIMIT 1").toArray().length > 0 ||
      this.sql.exec("SELECT 1 FROM archive_outbox WHERE seq = (SELECT MAX(seq) FROM deleted_seqs)").toArray().length >
        0;
  }

  // ---- hot state (memory) ---------------------------------------------------------------------------

  get meta(): MetaRow | null {
    return this.metaRow;
  }

  member(userId: string): MemberRow | null {
    return this.memberRows.get(userId) ?? null;
  }

  /** Every member row, current and former. */
  members(): IterableIterator<MemberRow> {
    return this.memberRows.values();
  }

  /** Current members, in no particular order (receipts, typing: no sort on a hot path). */
  currentMembers(): MemberRow[] {
    const out: MemberRow[] = [];
    for (const m of this.memberRows.values()) if (m.left_seq === null) out.push(m);
    return out;
  }

  /** Current members, in the order they joined. */
  activeMembers(): MemberRow[] {
    return [...this.memberRows.values()]
      .filter((m) => m.left_seq === null)
      .sort((a, b) => a.joined_at - b.joined_at || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
  }

  /** Events still to fan out (ev order). */
  get events(): readonly PendingEvent[] {
    return this.pendingEvents;
  }

  /** Sender → their newest seq (user messages only). */
  lastSent(): ReadonlyMap<string, number> {
    return this.senders;
  }

  // ---- writes (inside a transaction) -----------------------------------------------------------------

  createMeta(row: Pick<MetaRow, "id" | "type" | "name" | "picture_media_id" | "created_by" | "created_at">): void {
    this.sql.exec(
      "INSERT INTO meta (id, type, name, picture_media_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      row.id,
      row.type,
      row.name,
      row.picture_media_id,
      row.created_by,
      row.created_at,
    );
    this.metaRow = {
      ...row,
      last_seq: 0,
      last_ev: 0,
      hot_floor: 1,
      blocked_by: null,
      private_reads: null,
      description: null,
      only_admins_send: 0,
      only_admins_edit: 1,
      invite_secret: null,
      disappearing_seconds: 0,
    };
  }

  updateMeta(
    patch: Partial<Omit<MetaRow, "id" | "type" | "created_by" | "created_at" | "last_seq" | "last_ev">>,
  ): void {
    const meta = this.requireMeta();
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    for (const key of keys) if (!META_COLUMNS.has(key)) throw new Error(`not a meta column: ${key}`);
    if (keys.length === 0) return;
    this.sql.exec(`UPDATE meta SET ${keys.map((k) => `${k} = ?`).join(", ")}`, ...keys.map((k) => patch[k] ?? null));
    Object.assign(meta, patch);
  }

  /** Inserts a member, or brings a former member back with the row given. */
  putMember(row: MemberRow): void {
    this.sql.exec(
      `INSERT INTO members (user_id, role, joined_at, joined_seq, joined_ev, left_seq, left_ev, delivered_upto,
         delivered_at, read_upto, read_at, fanout_ev, fanout_due, fanout_failures, status_sent, left_view)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, joined_at = excluded.joined_at,
         joined_seq = excluded.joined_seq, joined_ev = excluded.joined_ev, left_seq = excluded.left_seq,
         left_ev = excluded.left_ev, delivered_upto = excluded.delivered_upto, delivered_at = excluded.delivered_at,
         read_upto = excluded.read_upto, read_at = excluded.read_at, fanout_ev = excluded.fanout_ev,
         fanout_due = excluded.fanout_due, fanout_failures = excluded.fanout_failures, status_sent = excluded.status_sent,
         left_view = excluded.left_view`,
      row.user_id,
      row.role,
      row.joined_at,
      row.joined_seq,
      row.joined_ev,
      row.left_seq,
      row.left_ev,
      row.delivered_upto,
      row.delivered_at,
      row.read_upto,
      row.read_at,
      row.fanout_ev,
      row.fanout_due,
      row.fanout_failures,
      row.status_sent,
      row.left_view,
    );
    this.memberRows.set(row.user_id, { ...row });
    this.fanoutDirty.delete(row.user_id);
  }

  updateMember(userId: string, patch: Partial<Omit<MemberRow, "user_id">>): void {
    const member = this.memberRows.get(userId);
    if (!member) throw new Error(`no member ${userId}`);
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    for (const key of keys) if (!MEMBER_COLUMNS.has(key)) throw new Error(`not a member column: ${key}`);
    if (keys.length === 0) return;
    this.sql.exec(
      `UPDATE members SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE user_id = ?`,
      ...keys.map((k) => patch[k] ?? null),
      userId,
    );
    Object.assign(member, patch);
  }

  /** The next seq; stored with the other counters at the end of the transaction (`flush`). */
  nextSeq(): number {
    const meta = this.requireMeta();
    meta.last_seq++;
    this.countersDirty = true;
    return meta.last_seq;
  }

  /**
   * Appends one event for fan-out; `target` null = every member in the conversation at that point.
   * `waitMs`: how long it may wait for company instead of its kind's default (0: none).
   */
  appendEvent(target: string | null, body: EventBody, waitMs?: number): number {
    const meta = this.requireMeta();
    const ev = ++meta.last_ev;
    this.countersDirty = true;
    const json = JSON.stringify(body);
    this.sql.exec("INSERT INTO events (ev, target, body) VALUES (?, ?, ?)", ev, target, json);
    this.pendingEvents.push(pending(ev, target, json, body, waitMs));
    return ev;
  }

  /** Stores a new message with its idempotency key; queued for the archive. */
  insertMessage(row: MessageRow): void {
    // A disappearing message carries its deadline in the same INSERT; an ordinary one is unchanged.
    const expiring = row.expires_at !== null;
    this.sql.exec(
      expiring
        ? "INSERT INTO messages (seq, client_id, sender_id, text, media, system, sent_at, reply, forwarded, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        : "INSERT INTO messages (seq, client_id, sender_id, text, media, system, sent_at, reply, forwarded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      row.seq,
      row.client_id,
      row.sender_id,
      row.text,
      row.media,
      row.system,
      row.sent_at,
      row.reply,
      row.forwarded,
      ...(expiring ? [row.expires_at] : []),
    );
    if (expiring) this.nextExpiryAt = earliest(this.nextExpiryAt, row.expires_at);
    this.sql.exec(
      "INSERT INTO sends (sender_id, client_id, seq, sent_at) VALUES (?, ?, ?, ?)",
      row.sender_id,
      row.client_id,
      row.seq,
      row.sent_at,
    );
    this.queueForArchive(row.seq, 0);
    if (row.system === null) this.senders.set(row.sender_id, row.seq);
  }

  /**
   * Deletes a message's content for everyone: the hot row becomes a tombstone (or, past the hot
   * window, a tombstone row is written for the archive), its media references end, and the new
   * version is queued for the archive. Returns the media ids whose reference ended.
   */
  tombstone(seq: number, sent: { client_id: string; sender_id: string; sent_at: number }, now: number): string[] {
    const existing = this.messageRow(seq);
    if (existing) {
      this.sql.exec(
        "UPDATE messages SET text = NULL, media = NULL, deleted_at = ?, version = version + 1 WHERE seq = ?",
        now,
        seq,
      );
    } else {
      // Older than the hot window: a tombstone row carries the deletion to the archive, then goes.
      this.sql.exec(
        "INSERT INTO messages (seq, client_id, sender_id, sent_at, deleted_at, version) VALUES (?, ?, ?, ?, ?, 1000000)",
        seq,
        sent.client_id,
        sent.sender_id,
        sent.sent_at,
        now,
      );
    }
    this.sql.exec("INSERT OR IGNORE INTO deleted_seqs (seq) VALUES (?)", seq);
    const version = existing ? existing.version + 1 : 1_000_000;
    this.queueForArchive(seq, version);
    this.archiveUrgent = true;
    return this.releaseMedia(seq);
  }

  /** Ends `seq`'s media references here and queues their release (the global count may free R2). */
  private releaseMedia(seq: number): string[] {
    const media = this.sql
      .exec<{ media_id: string }>("SELECT media_id FROM media_refs WHERE seq = ?", seq)
      .toArray()
      .map((r) => r.media_id);
    for (const mediaId of media) this.queueMediaJob(mediaId, seq, "remove");
    this.sql.exec("DELETE FROM media_refs WHERE seq = ?", seq);
    return media;
  }

  /** A message carries `mediaId`: members may read it, and the global reference count goes up. */
  addMediaRef(mediaId: string, seq: number): void {
    this.sql.exec("INSERT INTO media_refs (media_id, seq) VALUES (?, ?)", mediaId, seq);
    this.queueMediaJob(mediaId, seq, "add");
  }

  hide(userId: string, seq: number): void {
    this.sql.exec("INSERT OR IGNORE INTO hidden (user_id, seq) VALUES (?, ?)", userId, seq);
  }

  /** Each advance of a watermark, so "when did X reach seq N" stays exact. */
  recordReceiptStep(userId: string, kind: "delivered" | "read", upto: number, at: number): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO receipt_steps (user_id, kind, upto, at) VALUES (?, ?, ?, ?)",
      userId,
      kind,
      upto,
      at,
    );
  }

  // ---- fan-out watermarks (memory first, stored lazily) ------------------------------------------------

  /** A member's hub acknowledged events up to `ev` (or failed: `due`/`failures` set the retry). */
  setFanout(userId: string, fields: Pick<MemberRow, "fanout_ev" | "fanout_due" | "fanout_failures">): void {
    const member = this.memberRows.get(userId);
    if (!member) return;
    Object.assign(member, fields);
    this.fanoutDirty.add(userId);
  }

  /** Whether fan-out progress is waiting to be stored (the alarm stores it if no write comes). */
  get hasUnflushedFanout(): boolean {
    return this.fanoutDirty.size > 0;
  }

  /**
   * Stores what was kept in memory: the counters always, the fan-out watermarks (with the events
   * every hub now has) at most once per FANOUT_FLUSH_MS — in a 200-member group every receipt batch
   * would otherwise rewrite 200 member rows. Call at the end of every transaction (the object's
   * `write` does); the alarm calls `flushFanout` for what is left.
   */
  flush(now = Date.now()): void {
    const meta = this.metaRow;
    if (!meta) return;
    if (this.countersDirty) {
      this.sql.exec("UPDATE meta SET last_seq = ?, last_ev = ?", meta.last_seq, meta.last_ev);
      this.countersDirty = false;
    }
    if (now - this.fanoutFlushedAt >= FANOUT_FLUSH_MS) this.flushFanout(now);
  }

  /** Stores the fan-out watermarks kept in memory and drops the events every hub has. In a transaction. */
  flushFanout(now = Date.now()): void {
    this.fanoutFlushedAt = now;
    if (this.fanoutDirty.size === 0) return;
    for (const userId of this.fanoutDirty) {
      const m = this.memberRows.get(userId);
      if (!m) continue;
      this.sql.exec(
        "UPDATE members SET fanout_ev = ?, fanout_due = ?, fanout_failures = ? WHERE user_id = ?",
        m.fanout_ev,
        m.fanout_due,
        m.fanout_failures,
        userId,
      );
    }
    this.fanoutDirty.clear();
    this.sql.exec("DELETE FROM events WHERE ev <= ?", this.fanoutFloor());
  }

  /** The highest ev every member's hub has (or, for former members, every ev they were owed). */
  fanoutFloor(): number {
    const meta = this.requireMeta();
    let floor = meta.last_ev;
    for (const m of this.memberRows.values()) {
      const upper = Math.min(m.left_ev ?? meta.last_ev, meta.last_ev);
      if (m.fanout_ev < upper) floor = Math.min(floor, m.fanout_ev);
    }
    return floor;
  }

  /** Drops from memory the events every hub now has (after a fan-out pass). */
  trimPendingEvents(): void {
    const floor = this.fanoutFloor();
    let drop = 0;
    while (drop < this.pendingEvents.length && (this.pendingEvents[drop] as PendingEvent).ev <= floor) drop++;
    if (drop > 0) this.pendingEvents = this.pendingEvents.slice(drop);
  }

  // ---- reads (SQL) -------------------------------------------------------------------------------------

  /** The idempotency record of a send, by sender and client id. */
  sendByClientId(senderId: string, clientId: string): { seq: number; sent_at: number } | null {
    return (
      this.sql
        .exec<{ seq: number; sent_at: number }>(
          "SELECT seq, sent_at FROM sends WHERE sender_id = ? AND client_id = ?",
          senderId,
          clientId,
        )
        .toArray()[0] ?? null
    );
  }

  /**
   * Who sent seq `seq`, and when (kept beyond the hot window). The hot window answers by primary key;
   * only an older message is looked up in `sends`, which has no index by seq alone (one would cost
   * every send a page): a reaction, a status or a delete in a chat with a long history no longer
   * scans every send the chat ever kept.
   */
  sendBySeq(seq: number): { sender_id: string; client_id: string; sent_at: number } | null {
    type Sent = { sender_id: string; client_id: string; sent_at: number };
    return (
      this.sql.exec<Sent>("SELECT sender_id, client_id, sent_at FROM messages WHERE seq = ?", seq).toArray()[0] ??
      this.sql.exec<Sent>("SELECT sender_id, client_id, sent_at FROM sends WHERE seq = ?", seq).toArray()[0] ??
      null
    );
  }

  messageRow(seq: number): MessageRow | null {
    return this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0] ?? null;
  }

  /** The newest `limit` hot messages in [low, high] that `userId` has not hidden, ascending. */
  hotPage(userId: string, low: number, high: number, limit: number): MessageRow[] {
    return this.sql
      .exec<MessageRow>(
        `SELECT * FROM messages WHERE seq >= ? AND seq <= ?
         AND seq NOT IN (SELECT seq FROM hidden WHERE user_id = ?)
         AND (expires_at IS NULL OR expires_at > ?) ORDER BY seq DESC LIMIT ?`,
        low,
        high,
        userId,
        Date.now(), // a disappearing message past its time is gone, even before the alarm removes it
        limit,
      )
      .toArray()
      .reverse();
  }

  /** Seqs `userId` hid in [low, before). */
  hiddenSeqs(userId: string, low: number, before: number): number[] {
    return this.sql
      .exec<{ seq: number }>("SELECT seq FROM hidden WHERE user_id = ? AND seq >= ? AND seq < ?", userId, low, before)
      .toArray()
      .map((r) => r.seq);
  }

  /** Whether a message in [low, high] references `mediaId`. */
  mediaReferenced(mediaId: string, low: number, high: number): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM media_refs WHERE media_id = ? AND seq >= ? AND seq <= ? LIMIT 1", mediaId, low, high)
        .toArray().length > 0
    );
  }

  /** Per recipient of `seq` (members then, but `senderId`): the first time it was delivered and read. */
  receiptTimes(
    seq: number,
    senderId: string,
  ): Array<{ user_id: string; delivered_at: number | null; read_at: number | null }> {
    return this.sql
      .exec<{ user_id: string; delivered_at: number | null; read_at: number | null }>(
        `SELECT user_id,
           (SELECT MIN(at) FROM receipt_steps s WHERE s.user_id = m.user_id AND s.upto >= ?1) AS delivered_at,
           (SELECT MIN(at) FROM receipt_steps s WHERE s.user_id = m.user_id AND s.kind = 'read' AND s.upto >= ?1) AS read_at
         FROM members m WHERE user_id != ?2 AND joined_seq < ?1 AND (left_seq IS NULL OR left_seq >= ?1)
         ORDER BY user_id`,
        seq,
        senderId,
      )
      .toArray();
  }

  // ---- archive outbox ------------------------------------------------------------------------------------

  /** Queues `seq` at `version` for the archive (a newer version replaces one not yet written). */
  private queueForArchive(seq: number, version: number): void {
    this.sql.exec("INSERT OR REPLACE INTO archive_outbox (seq, version) VALUES (?, ?)", seq, version);
    this.archiveQueuedSincePass++;
  }

  /** The oldest `limit` messages waiting for the archive, with the version to write. */
  archiveBatch(limit: number): Array<MessageRow & { outbox_version: number }> {
    return this.sql
      .exec<MessageRow & { outbox_version: number }>(
        `SELECT m.*, o.version AS outbox_version FROM archive_outbox o JOIN messages m ON m.seq = o.seq
         ORDER BY o.seq LIMIT ?`,
        limit,
      )
      .toArray();
  }

  /** The archive has `seq` at `version`: done, unless a newer version was queued meanwhile. */
  archived(seq: number, version: number): void {
    this.sql.exec("DELETE FROM archive_outbox WHERE seq = ? AND version = ?", seq, version);
  }

  /** A row the archive refuses for good: kept aside with its error, out of the outbox. */
  deadLetterArchive(row: MessageRow, error: string, now: number): void {
    this.sql.exec(
      "INSERT INTO dead_letters (queue, item, error, at) VALUES ('archive', ?, ?, ?)",
      JSON.stringify(row),
      error,
      now,
    );
    this.sql.exec("DELETE FROM archive_outbox WHERE seq = ?", row.seq);
  }

  /** Keeps the newest `hotWindow` messages once everything older is archived. */
  trimHotWindow(hotWindow: number): void {
    const meta = this.requireMeta();
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM archive_outbox").one().n;
    if (pending > 0) return;
    const floor = meta.last_seq - hotWindow + 1;
    // Disappearing messages leaving the hot window keep their deadline (./disappearing.ts).
    this.sql.exec(
      "INSERT OR IGNORE INTO expiring (seq, expires_at) SELECT seq, expires_at FROM messages WHERE seq < ? AND expires_at IS NOT NULL",
      floor,
    );
    this.sql.exec("DELETE FROM messages WHERE seq < ?", floor);
    if (floor > meta.hot_floor) this.updateMeta({ hot_floor: floor });
  }

  // ---- media reference jobs ----------------------------------------------------------------------------------

  mediaJobs(limit: number): Array<{ id: number; media_id: string; seq: number; op: "add" | "remove" }> {
    return this.sql
      .exec<{ id: number; media_id: string; seq: number; op: "add" | "remove" }>(
        "SELECT * FROM media_jobs ORDER BY id LIMIT ?",
        limit,
      )
      .toArray();
  }

  mediaJobsDone(ids: readonly number[]): void {
    for (const id of ids) this.sql.exec("DELETE FROM media_jobs WHERE id = ?", id);
  }

  deadLetterMediaJob(job: { id: number; media_id: string; seq: number; op: string }, error: string, now: number): void {
    this.sql.exec(
      "INSERT INTO dead_letters (queue, item, error, at) VALUES ('media', ?, ?, ?)",
      JSON.stringify(job),
      error,
      now,
    );
    this.sql.exec("DELETE FROM media_jobs WHERE id = ?", job.id);
  }

  /** An event a member's hub refuses for good (its code throws on it): kept aside, out of their way. */
  deadLetterFanout(userId: string, event: { ev: number; json: string }, error: string, now: number): void {
    this.sql.exec(
      "INSERT INTO dead_letters (queue, item, error, at) VALUES ('fanout', ?, ?, ?)",
      JSON.stringify({ userId, ev: event.ev, body: event.json }),
      error,
      now,
    );
  }

  deadLetterCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dead_letters").one().n;
  }

  // ---- replies, reactions, edits (./message-extras.ts) ----------------------------------------------------------

  /** Whether `seq` was deleted for everyone (kept beyond the hot window). */
  isDeleted(seq: number): boolean {
    return this.sql.exec("SELECT 1 FROM deleted_seqs WHERE seq = ?", seq).toArray().length > 0;
  }

  /** Of the quoted seqs of `rows`, those deleted for everyone. */
  deletedAmong(seqs: readonly number[]): Set<number> {
    if (seqs.length === 0) return new Set();
    const marks = seqs.map(() => "?").join(",");
    return new Set(
      this.sql
        .exec<{ seq: number }>(`SELECT seq FROM deleted_seqs WHERE seq IN (${marks})`, ...seqs)
        .toArray()
        .map((r) => r.seq),
    );
  }

  /** Reactions on messages in [low, high], in reaction order. */
  reactionsIn(low: number, high: number): Array<{ seq: number; user_id: string; emoji: string }> {
    return this.sql
      .exec<{ seq: number; user_id: string; emoji: string }>(
        "SELECT seq, user_id, emoji FROM reactions WHERE seq >= ? AND seq <= ? ORDER BY seq, at, user_id",
        low,
        high,
      )
      .toArray();
  }

  /** Sets (emoji) or removes (null) `userId`'s reaction to `seq`. */
  setReaction(seq: number, userId: string, emoji: string | null, now: number): void {
    if (emoji === null) this.sql.exec("DELETE FROM reactions WHERE seq = ? AND user_id = ?", seq, userId);
    else
      this.sql.exec(
        `INSERT INTO reactions (seq, user_id, emoji, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (seq, user_id) DO UPDATE SET emoji = excluded.emoji, at = excluded.at`,
        seq,
        userId,
        emoji,
        now,
      );
  }

  /** The sender's new text; the new version is queued for the archive. */
  editText(seq: number, text: string, now: number): void {
    this.sql.exec("UPDATE messages SET text = ?, edited_at = ?, version = version + 1 WHERE seq = ?", text, now, seq);
    const version = this.sql.exec<{ version: number }>("SELECT version FROM messages WHERE seq = ?", seq).one().version;
    this.queueForArchive(seq, version);
  }

  // ---- disappearing messages (./disappearing.ts) -----------------------------------------------------------

  /** The earliest deadline of a disappearing message still here, or null (memory). */
  get nextExpiry(): number | null {
    return this.nextExpiryAt;
  }

  /** Up to `limit` seqs whose deadline is at or before `now`, oldest deadline first (both indexes). */
  dueExpiries(now: number, limit: number): number[] {
    return this.sql
      .exec<{ seq: number }>(
        `SELECT seq FROM (
           SELECT seq, expires_at FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ?1
           UNION SELECT seq, expires_at FROM expiring WHERE expires_at <= ?1)
         ORDER BY expires_at, seq LIMIT ?2`,
        now,
        limit,
      )
      .toArray()
      .map((r) => r.seq);
  }

  /**
   * Removes a disappearing message whose time came, here and (queued) everywhere else: its row,
   * deadline, reactions and hidden marks go; its media references end (the global count may free
   * the R2 bytes); Postgres deletes its row (`archive_removals`). The seq is recorded as deleted, so a
   * reply quoting it shows "deleted". The idempotency key stays (a late retry does not resend it).
   */
  expireMessage(seq: number): void {
    this.releaseMedia(seq);
    this.sql.exec("DELETE FROM messages WHERE seq = ?", seq);
    this.sql.exec("DELETE FROM expiring WHERE seq = ?", seq);
    this.sql.exec("DELETE FROM reactions WHERE seq = ?", seq);
    this.sql.exec("DELETE FROM hidden WHERE seq = ?", seq);
    this.sql.exec("DELETE FROM archive_outbox WHERE seq = ?", seq);
    this.sql.exec("INSERT OR IGNORE INTO deleted_seqs (seq) VALUES (?)", seq);
    this.sql.exec("INSERT OR IGNORE INTO archive_removals (seq) VALUES (?)", seq);
    this.archiveUrgent = true;
  }

  /** After a pass of `expireMessage`s: the next deadline, from the indexes. */
  refreshNextExpiry(): void {
    this.nextExpiryAt = this.readNextExpiry();
  }

  /** Seqs still to delete from the Postgres archive, oldest first. */
  archiveRemovals(limit: number): number[] {
    return this.sql
      .exec<{ seq: number }>("SELECT seq FROM archive_removals ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((r) => r.seq);
  }

  /** Postgres no longer has these seqs. */
  archiveRemoved(seqs: readonly number[]): void {
    for (const seq of seqs) this.sql.exec("DELETE FROM archive_removals WHERE seq = ?", seq);
  }

  private readNextExpiry(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(expires_at) AS at FROM messages WHERE expires_at IS NOT NULL
           UNION ALL SELECT MIN(expires_at) FROM expiring)`,
      )
      .one().at;
  }

  private queueMediaJob(mediaId: string, seq: number, op: "add" | "remove"): void {
    this.sql.exec("INSERT INTO media_jobs (media_id, seq, op) VALUES (?, ?, ?)", mediaId, seq, op);
  }

  private requireMeta(): MetaRow {
    if (!this.metaRow) throw new Error("conversation not initialised");
    return this.metaRow;
  }
}
