/**
 * Every SQL statement of the UserHub DO, and the hot state it keeps in memory.
 *
 * The hub is single-threaded and the only writer of its storage, so what the message path reads on
 * every turn is read once per wake and kept here: the log's head cursor, each device's acked cursor,
 * the settings (presence, previews), how many push subscriptions and pending pushes exist. Writes
 * change memory and SQL together inside the caller's transaction; after a failed transaction the hub
 * reloads (`load`).
 */
import { iso } from "../../lib/time.ts";
import type { ConversationSummary, Message, User } from "../../client/sdk/protocol/index.ts";
import { chatStateOf, type ChatStateColumns } from "./chat-state-store.ts";

/** Events kept for devices that have not acked them; a device further behind gets `synced {reset}`. */
export const MAX_LOG_EVENTS = 20_000;
/** The log is trimmed once at least this many rows can go (one DELETE per step, not per ack). */
export const TRIM_STEP = 32;
/** A device not seen for this long no longer holds back log trimming. */
export const DEVICE_BACKLOG_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * Cursors are leased in blocks of this many: a delivery's frame may leave before its log rows are
 * stored (`leaseCovers`), so a cursor a device has seen must never be handed out again, even if
 * that write is lost. The stored lease is the floor of the next cursor after a wake; it is written
 * once per block.
 */
export const CURSOR_LEASE = 1_024;
/**
 * Device cursors and receipts ride with other writes at most this often: a busy hub stores them
 * about once a second, not with every delivery (the hub's timer stores them within LAZY_PERSIST_MS).
 */
export const LAZY_PIGGYBACK_MS = 1_000;
/** The `settings` key of the cursor lease. */
const LEASE_KEY = "cursor_lease";
/** The `settings` key of the head of a log from before the rebuild (./schema.ts), when it had one. */
const OLD_SEQUENCE_KEY = "log_sequence";

export type LogRow = { cursor: number; conversation_id: string; at: number; body: string };
export type ChatRow = {
  conversation_id: string;
  type: "direct" | "group";
  name: string | null;
  peer_id: string | null;
  active: number;
  last_message: string | null;
  last_seq: number;
  read_upto: number;
  updated_at: number;
  delivered_some: number;
  delivered_all: number;
  read_some: number;
  read_all: number;
  unread: number;
  peer_body: string | null;
};
export type ReceiptRow = { conversation_id: string; acked_upto: number; reported_upto: number; failures: number };
export type PendingPushRow = { conversation_id: string; seqs: string; last_cursor: number; due: number };
export type PushOutboxRow = {
  id: number;
  endpoint: string;
  conversation_id: string;
  payload: string;
  attempts: number;
};
export type SubscriptionRow = { endpoint: string; p256dh: string; auth: string };
export type ProfileQueueRow = { key: string; version: number; failures: number };

type Device = { acked: number; seenAt: number };

export class HubStore {
  private head = 0;
  private oldest = 1;
  /** The newest cursor with a row: trimming keeps it, so MAX(cursor) finds the head after a wake. */
  private newest = 0;
  /**
   * Rows in the log (cursors have gaps after a lease, so the cap counts rows), or null until a trim
   * needs it: counting reads the whole log (up to MAX_LOG_EVENTS rows), which no wake should pay for
   * while the cursor span alone shows the log is under the cap.
   */
  private rows: number | null = null;
  /** Cursors up to this one may have been shown to devices; stored in `settings` (CURSOR_LEASE). */
  private leased = 0;
  /** When device cursors and receipts were last stored (`persistLazy`). */
  private lazyStoredAt = 0;
  /** Receipts that have a row in `receipts` (a receipt settled before it was ever stored needs none). */
  private readonly receiptsStored = new Set<string>();
  private readonly devices = new Map<string, Device>();
  private readonly settings = new Map<string, string>();
  private readonly inbox = new Map<string, number>();
  private readonly groups = new Map<string, boolean>();
  private readonly receipts = new Map<string, ReceiptRow & { due: number }>();
  /** Receipts and device cursors changed in memory, not yet stored (see `persistLazy`). */
  private readonly receiptsDirty = new Set<string>();
  private readonly devicesDirty = new Set<string>();
  private subscriptions = 0;
  private pendingPushes = 0;

  constructor(private readonly sql: SqlStorage) {}

  /** (Re)reads the hot state: on wake, and after a failed transaction. */
  load(): void {
    // Trimming never removes the newest row, so it is the head (or a cursor nobody was shown above
    // it: an own event whose key was already there, which may be handed out again).
    // (MIN and MAX apart: each is one step down the primary key, together they scan the table.)
    this.newest = this.sql.exec<{ c: number | null }>("SELECT MAX(cursor) AS c FROM log").one().c ?? 0;
    this.head = this.newest;
    this.oldest = this.sql.exec<{ c: number | null }>("SELECT MIN(cursor) AS c FROM log").one().c ?? this.head + 1;
    this.rows = null;
    this.inbox.clear();
    this.receipts.clear();
    this.receiptsStored.clear();
    this.receiptsDirty.clear();
    this.devicesDirty.clear();
    for (const r of this.sql
      .exec<ReceiptRow & { due: number }>(
        "SELECT conversation_id, acked_upto, reported_upto, failures, due FROM receipts",
      )
      .toArray()) {
      this.receipts.set(r.conversation_id, r);
      this.receiptsStored.add(r.conversation_id);
    }
    this.devices.clear();
    for (const d of this.sql
      .exec<{ device_id: string; acked: number; seen_at: number }>("SELECT device_id, acked, seen_at FROM devices")
      .toArray())
      this.devices.set(d.device_id, { acked: d.acked, seenAt: d.seen_at });
    this.settings.clear();
    for (const s of this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM settings").toArray())
      this.settings.set(s.key, s.value);
    // Cursors a lost write had shown to devices are never reused: the log resumes above the lease.
    this.leased = Number(this.settings.get(LEASE_KEY) ?? 0);
    this.head = Math.max(this.head, this.leased, Number(this.settings.get(OLD_SEQUENCE_KEY) ?? 0));
    if (this.oldest > this.head) this.oldest = this.head + 1;
    this.subscriptions = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_subscriptions").one().n;
    this.pendingPushes = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_pending").one().n;
  }

  // ---- the event log ---------------------------------------------------------------------------------

  /** The newest cursor ever handed out. */
  get headCursor(): number {
    return this.head;
  }

  /** The oldest cursor still in the log (head + 1 when it is empty). */
  get oldestCursor(): number {
    return this.oldest;
  }

  /**
   * Appends a conversation's event at `cursor` (planned after the head; the `inbox` watermark has
   * already dropped repeats, so it needs no key). Call inside a transaction.
   */
  appendLog(conversationId: string, at: number, json: string, cursor: number): void {
    this.advanceHead(cursor);
    this.sql.exec(
      "INSERT INTO log (cursor, conversation_id, at, body) VALUES (?, ?, ?, ?)",
      cursor,
      conversationId,
      at,
      json,
    );
    this.rowAdded(cursor);
  }

  /**
   * Appends an event the hub makes itself under its idempotency key at the next cursor; the cursor,
   * or null if the key is already there (nothing was shown at that cursor, so it may be reused after
   * a wake). Call inside a transaction.
   */
  appendOwnLog(key: string, conversationId: string, at: number, json: string): number | null {
    const cursor = this.head + 1;
    this.advanceHead(cursor);
    const inserted = this.sql.exec(
      `INSERT INTO log (cursor, key, conversation_id, at, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING`,
      cursor,
      key,
      conversationId,
      at,
      json,
    );
    inserted.toArray();
    if (inserted.rowsWritten === 0) return null;
    this.rowAdded(cursor);
    return cursor;
  }

  private advanceHead(cursor: number): void {
    if (cursor <= this.head) throw new Error(`log cursor ${cursor} is not after the head ${this.head}`);
    this.head = cursor;
  }

  private rowAdded(cursor: number): void {
    if (this.rows !== null) this.rows++;
    if (this.oldest > cursor) this.oldest = cursor;
    this.newest = cursor;
  }

  /** Whether frames carrying cursors up to `cursor` may leave before their rows are stored. */
  leaseCovers(cursor: number): boolean {
    return cursor <= this.leased;
  }

  /**
   * Leases cursors through `cursor` (a new block when it is beyond the current one), so frames up to
   * it may leave before their writes from now on. Only a hub with sockets needs it: a lease makes
   * the head jump past the unused rest of the block when the hub wakes. Call inside a transaction.
   */
  leaseThrough(cursor: number): void {
    if (cursor <= this.leased) return;
    this.leased = cursor + CURSOR_LEASE;
    this.setSetting(LEASE_KEY, String(this.leased));
  }

  /** The newest event of `conversationId` this log holds (0 if none). */
  inboxEv(conversationId: string): number {
    let ev = this.inbox.get(conversationId);
    if (ev === undefined) {
      // The chat's row holds it since the rebuild (./schema.ts); `inbox` what came before, or first.
      ev =
        this.sql
          .exec<{ ev: number | null }>(
            `SELECT MAX(ev) AS ev FROM (SELECT inbox_ev AS ev FROM chats WHERE conversation_id = ?1
               UNION ALL SELECT ev FROM inbox WHERE conversation_id = ?1)`,
            conversationId,
          )
          .one().ev ?? 0;
      this.inbox.set(conversationId, ev);
    }
    return ev;
  }

  /** Stores the newest event logged of `conversationId`: in its chat row, or `inbox` when it has none yet. */
  setInboxEv(conversationId: string, ev: number): void {
    const updated = this.sql.exec("UPDATE chats SET inbox_ev = ? WHERE conversation_id = ?", ev, conversationId);
    updated.toArray();
    if (updated.rowsWritten === 0)
      this.sql.exec(
        "INSERT INTO inbox (conversation_id, ev) VALUES (?, ?) ON CONFLICT (conversation_id) DO UPDATE SET ev = excluded.ev",
        conversationId,
        ev,
      );
    this.inbox.set(conversationId, ev);
  }

  logPage(after: number, limit: number): LogRow[] {
    return this.sql
      .exec<LogRow>(
        "SELECT cursor, conversation_id, at, body FROM log WHERE cursor > ? ORDER BY cursor LIMIT ?",
        after,
        limit,
      )
      .toArray();
  }

  logRange(after: number, upTo: number): LogRow[] {
    return this.sql
      .exec<LogRow>("SELECT cursor, conversation_id, at, body FROM log WHERE cursor > ? AND cursor <= ?", after, upTo)
      .toArray();
  }

  logBody(cursor: number): string | null {
    return this.sql.exec<{ body: string }>("SELECT body FROM log WHERE cursor = ?", cursor).toArray()[0]?.body ?? null;
  }

  logSize(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM log").one().n;
  }

  /**
   * Drops what every recently seen device acked, and caps the backlog of absent devices at
   * MAX_LOG_EVENTS. Cheap when nothing is to drop: the bounds are in memory.
   */
  trimLog(now: number): void {
    let floor = Number.POSITIVE_INFINITY;
    for (const d of this.devices.values()) if (d.seenAt >= now - DEVICE_BACKLOG_MS) floor = Math.min(floor, d.acked);
    if (floor === Number.POSITIVE_INFINITY) floor = 0;
    // Trimmed in steps: a DELETE per ack was a statement on every ack for one row each time.
    // The cursor span bounds the rows from above: only a span past the cap needs them counted.
    if (this.head - this.oldest + 1 - MAX_LOG_EVENTS >= TRIM_STEP) {
      const excess = this.rowCount() - MAX_LOG_EVENTS;
      if (excess >= TRIM_STEP) floor = Math.max(floor, this.cursorOfRow(excess));
    }
    floor = Math.min(floor, this.newest - 1); // the newest row stays: it is the head after a wake
    if (floor - this.oldest + 1 < TRIM_STEP) return;
    const deleted = this.sql.exec("DELETE FROM log WHERE cursor <= ?", floor);
    deleted.toArray();
    if (this.rows !== null) this.rows -= deleted.rowsWritten;
    this.oldest = floor + 1;
  }

  private rowCount(): number {
    this.rows ??= this.logSize();
    return this.rows;
  }

  /** The cursor of the log's `n`th oldest row (1-based). */
  private cursorOfRow(n: number): number {
    return this.sql.exec<{ cursor: number }>("SELECT cursor FROM log ORDER BY cursor LIMIT 1 OFFSET ?", n - 1).one()
      .cursor;
  }

  // ---- devices -----------------------------------------------------------------------------------------

  acked(deviceId: string): number {
    return this.devices.get(deviceId)?.acked ?? 0;
  }

  /** The furthest any device of this user got (push: a device that has it needs no notification). */
  maxAcked(): number {
    let max = 0;
    for (const d of this.devices.values()) max = Math.max(max, d.acked);
    return max;
  }

  deviceSeen(deviceId: string, now: number): void {
    this.sql.exec(
      "INSERT INTO devices (device_id, acked, seen_at) VALUES (?, 0, ?) ON CONFLICT (device_id) DO UPDATE SET seen_at = excluded.seen_at",
      deviceId,
      now,
    );
    const d = this.devices.get(deviceId);
    if (d) d.seenAt = now;
    else this.devices.set(deviceId, { acked: 0, seenAt: now });
  }

  /** Remembered now, stored with the next write (`persistLazy`). */
  setAcked(deviceId: string, cursor: number, now: number): void {
    const d = this.devices.get(deviceId);
    if (!d) return; // only a device that said hello (and so has a row) acks
    Object.assign(d, { acked: cursor, seenAt: now });
    this.devicesDirty.add(deviceId);
  }

  // ---- delivered receipts owed to conversations ---------------------------------------------------------
  //
  // Owed and reported receipts live in memory and are stored lazily, with the hub's next write or
  // within LAZY_PERSIST_MS (`persistLazy`), like the device cursors they come from: an ack costs no
  // commit of its own. Losing them in a crash is repaired by the devices: the sockets drop, every
  // device says hello again with the cursor it stored, and that hello acks it again (UserHubDO).
  // Losing a "reported" only repeats a report, which a conversation ignores (watermarks never go back).

  oweReceipt(conversationId: string, upTo: number): void {
    const r = this.receipts.get(conversationId);
    if (r) r.acked_upto = Math.max(r.acked_upto, upTo);
    else
      this.receipts.set(conversationId, {
        conversation_id: conversationId,
        acked_upto: upTo,
        reported_upto: 0,
        failures: 0,
        due: 0,
      });
    this.receiptsDirty.add(conversationId);
  }

  receiptsDue(now: number): ReceiptRow[] {
    return [...this.receipts.values()]
      .filter((r) => r.acked_upto > r.reported_upto && r.due <= now)
      .map((r) => ({ ...r }));
  }

  /**
   * The receipt owed to `conversationId`, handed over to travel with the answer to its delivery:
   * reported from here on (like `receiptReported`). Null when nothing is owed or it is backing off.
   */
  claimReceipt(conversationId: string, now: number): number | null {
    const r = this.receipts.get(conversationId);
    if (!r || r.acked_upto <= r.reported_upto || r.due > now) return null;
    this.receiptReported(conversationId, r.acked_upto);
    return r.acked_upto;
  }

  /** The conversation has the watermark: remembered now, stored with the next write. */
  receiptReported(conversationId: string, upTo: number): void {
    const r = this.receipts.get(conversationId);
    if (!r) return;
    Object.assign(r, { reported_upto: Math.max(r.reported_upto, upTo), failures: 0, due: 0 });
    this.receiptsDirty.add(conversationId);
  }

  /**
   * The user read `conversationId` up to `upTo` (the conversation took it): a read lifts the
   * delivered watermark with it, so a receipt owed up to there is settled without a call of its own.
   * Only when it covers everything owed: a receipt above the read still goes as it would have.
   */
  receiptCoveredByRead(conversationId: string, upTo: number): void {
    const r = this.receipts.get(conversationId);
    if (r && r.acked_upto > r.reported_upto && r.acked_upto <= upTo) this.receiptReported(conversationId, r.acked_upto);
  }

  /** A report failed: its retry time is stored at once (it must survive an eviction); rare. */
  receiptFailed(conversationId: string, failures: number, due: number): void {
    const r = this.receipts.get(conversationId);
    if (!r) return;
    Object.assign(r, { failures, due });
    this.storeReceipt(r);
    this.receiptsDirty.delete(conversationId);
  }

  /** The earliest time a receipt still owed is due, or null when none is. */
  nextReceiptDue(): number | null {
    let next: number | null = null;
    for (const r of this.receipts.values()) if (r.acked_upto > r.reported_upto) next = Math.min(next ?? r.due, r.due);
    return next;
  }

  /** True when memory holds cursors or receipts not yet stored. */
  get hasLazyWrites(): boolean {
    return this.devicesDirty.size > 0 || this.receiptsDirty.size > 0;
  }

  /**
   * Stores the device cursors and receipts changed since the last call, forgets settled receipts,
   * and trims the log behind the stored cursors. Call inside a transaction: the hub's every write
   * calls it, and it acts at most once per LAZY_PIGGYBACK_MS unless `force`d (the hub's timer).
   */
  persistLazy(now: number, force = false): void {
    if (this.hasLazyWrites && (force || now - this.lazyStoredAt >= LAZY_PIGGYBACK_MS)) this.storeLazy(now);
    this.trimLog(now);
  }

  private storeLazy(now: number): void {
    this.lazyStoredAt = now;
    for (const id of this.devicesDirty) {
      const d = this.devices.get(id);
      if (d) this.sql.exec("UPDATE devices SET acked = ?, seen_at = ? WHERE device_id = ?", d.acked, d.seenAt, id);
    }
    this.devicesDirty.clear();
    for (const id of this.receiptsDirty) {
      const r = this.receipts.get(id);
      if (!r) continue;
      if (r.reported_upto >= r.acked_upto) {
        // Owed and reported between two stores (it rode on a delivery): it never needed a row.
        if (this.receiptsStored.delete(id)) this.sql.exec("DELETE FROM receipts WHERE conversation_id = ?", id);
        this.receipts.delete(id);
      } else this.storeReceipt(r);
    }
    this.receiptsDirty.clear();
  }

  private storeReceipt(r: ReceiptRow & { due: number }): void {
    this.receiptsStored.add(r.conversation_id);
    this.sql.exec(
      `INSERT INTO receipts (conversation_id, acked_upto, reported_upto, failures, due) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET acked_upto = excluded.acked_upto,
         reported_upto = excluded.reported_upto, failures = excluded.failures, due = excluded.due`,
      r.conversation_id,
      r.acked_upto,
      r.reported_upto,
      r.failures,
      r.due,
    );
  }

  // ---- settings (presence, privacy, previews) ---------------------------------------------------------

  setting(key: string): string | null {
    return this.settings.get(key) ?? null;
  }

  setSetting(key: string, value: string | null): void {
    if (this.setting(key) === value) return;
    if (value === null) {
      this.sql.exec("DELETE FROM settings WHERE key = ?", key);
      this.settings.delete(key);
    } else {
      this.sql.exec(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value,
      );
      this.settings.set(key, value);
    }
  }

  // ---- chat list ---------------------------------------------------------------------------------------

  upsertChat(
    c: { id: string; type: string; name: string | null; peerId: string | null; active: boolean },
    now: number,
  ): void {
    this.sql.exec(
      `INSERT INTO chats (conversation_id, type, name, peer_id, active, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET name = excluded.name, active = excluded.active`,
      c.id,
      c.type,
      c.name,
      c.peerId,
      c.active ? 1 : 0,
      now,
    );
  }

  /**
   * A newer message becomes the chat's last one (an older one arriving late changes nothing). The
   * same statement brings an archived chat back unless it is muted (./chat-state.ts): no extra one.
   */
  chatMessage(conversationId: string, messageJson: string, seq: number, sentAt: number): void {
    this.sql.exec(
      `UPDATE chats SET last_message = ?1, last_seq = ?2, updated_at = ?3,
         archived = (archived = 1 AND EXISTS (SELECT 1 FROM push_mutes WHERE conversation_id = ?4 AND until > ?3))
       WHERE conversation_id = ?4 AND last_seq < ?2`,
      messageJson,
      seq,
      sentAt,
      conversationId,
    );
  }

  /** Counts `seq` unread unless the user already read past it. */
  markUnread(conversationId: string, seq: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO unread (conversation_id, seq)
       SELECT ?1, ?2 WHERE ?2 > COALESCE((SELECT read_upto FROM chats WHERE conversation_id = ?1), 0)`,
      conversationId,
      seq,
    );
  }

  clearUnread(conversationId: string, seq: number): void {
    this.sql.exec("DELETE FROM unread WHERE conversation_id = ? AND seq = ?", conversationId, seq);
  }

  /** The chat's last message, if it is `seq` (to turn it into a tombstone). */
  chatLastMessage(conversationId: string, seq: number): string | null {
    return (
      this.sql
        .exec<{ last_message: string | null }>(
          "SELECT last_message FROM chats WHERE conversation_id = ? AND last_seq = ?",
          conversationId,
          seq,
        )
        .toArray()[0]?.last_message ?? null
    );
  }

  setChatLastMessage(conversationId: string, messageJson: string): void {
    this.sql.exec("UPDATE chats SET last_message = ? WHERE conversation_id = ?", messageJson, conversationId);
  }

  chatRead(conversationId: string, upTo: number): void {
    this.sql.exec(
      "UPDATE chats SET read_upto = MAX(read_upto, ?), marked_unread = 0 WHERE conversation_id = ?",
      upTo,
      conversationId,
    );
    this.sql.exec("DELETE FROM unread WHERE conversation_id = ? AND seq <= ?", conversationId, upTo);
  }

  /** Monotonic by construction; MAX keeps a late or repeated status event harmless. */
  chatStatus(
    conversationId: string,
    s: { deliveredSome: number; deliveredAll: number; readSome: number; readAll: number },
  ): void {
    this.sql.exec(
      `UPDATE chats SET delivered_some = MAX(delivered_some, ?), delivered_all = MAX(delivered_all, ?),
         read_some = MAX(read_some, ?), read_all = MAX(read_all, ?) WHERE conversation_id = ?`,
      s.deliveredSome,
      s.deliveredAll,
      s.readSome,
      s.readAll,
      conversationId,
    );
  }

  /** Whether `conversationId` is a group chat here (read once, cached: a chat never changes type). */
  isGroup(conversationId: string): boolean {
    let group = this.groups.get(conversationId);
    if (group === undefined) {
      const row = this.sql
        .exec<{ type: string }>("SELECT type FROM chats WHERE conversation_id = ?", conversationId)
        .toArray()[0];
      group = row?.type === "group";
      if (row) this.groups.set(conversationId, group);
    }
    return group;
  }

  /** The chat list, most recent activity first; chats deleted for me show again with a newer message. */
  chatList(): ConversationSummary[] {
    return this.sql
      .exec<ChatRow & ChatStateColumns>(
        `SELECT c.*, (SELECT COUNT(*) FROM unread u WHERE u.conversation_id = c.conversation_id) AS unread,
           p.body AS peer_body, m.until AS muted_until
         FROM chats c LEFT JOIN profiles p ON c.type = 'direct' AND p.user_id = c.peer_id
           LEFT JOIN push_mutes m ON m.conversation_id = c.conversation_id
         WHERE c.cleared_upto IS NULL OR c.last_seq > c.cleared_upto
         ORDER BY updated_at DESC, conversation_id`,
      )
      .toArray()
      .map((r) => ({
        id: r.conversation_id,
        type: r.type,
        name: r.name,
        peerId: r.peer_id,
        lastMessage: r.last_message ? (JSON.parse(r.last_message) as Message) : null,
        unreadCount: r.unread,
        updatedAt: iso(r.updated_at),
        active: r.active === 1,
        peer: r.peer_body ? (JSON.parse(r.peer_body) as User) : null,
        status: {
          deliveredSome: r.delivered_some,
          deliveredAll: r.delivered_all,
          readSome: r.read_some,
          readAll: r.read_all,
        },
        listState: chatStateOf(r, Date.now()),
      }));
  }

  hasChat(conversationId: string): boolean {
    return this.sql.exec("SELECT 1 FROM chats WHERE conversation_id = ?", conversationId).toArray().length > 0;
  }

  /** What a read needs to know of a chat: its newest message here, how far it is read, whether the user is in it. */
  chatReadState(conversationId: string): { lastSeq: number; readUpto: number; active: boolean } | null {
    const row = this.sql
      .exec<{ last_seq: number; read_upto: number; active: number }>(
        "SELECT last_seq, read_upto, active FROM chats WHERE conversation_id = ?",
        conversationId,
      )
      .toArray()[0];
    return row ? { lastSeq: row.last_seq, readUpto: row.read_upto, active: row.active === 1 } : null;
  }

  chat(conversationId: string): { type: string; name: string | null } | null {
    return (
      this.sql
        .exec<{ type: string; name: string | null }>(
          "SELECT type, name FROM chats WHERE conversation_id = ?",
          conversationId,
        )
        .toArray()[0] ?? null
    );
  }

  unreadCount(conversationId: string): number {
    return this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM unread WHERE conversation_id = ?", conversationId)
      .one().n;
  }

  directPeers(): string[] {
    return this.sql
      .exec<{ peer_id: string }>("SELECT peer_id FROM chats WHERE type = 'direct' AND peer_id IS NOT NULL")
      .toArray()
      .map((r) => r.peer_id);
  }

  // ---- blocks (blocks.ts; read only off the message path) ---------------------------------------------

  /** Ids this user blocked ('out') or who blocked this user ('in'), oldest first. */
  blockIds(direction: "out" | "in"): string[] {
    return this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM blocks WHERE direction = ? ORDER BY at, user_id", direction)
      .toArray()
      .map((r) => r.user_id);
  }

  isBlock(direction: "out" | "in", userId: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM blocks WHERE direction = ? AND user_id = ?", direction, userId).toArray().length > 0
    );
  }

  /** Adds or removes one block; true if that changed anything. */
  setBlock(direction: "out" | "in", userId: string, blocked: boolean, at: number): boolean {
    if (this.isBlock(direction, userId) === blocked) return false;
    if (blocked) this.sql.exec("INSERT INTO blocks (direction, user_id, at) VALUES (?, ?, ?)", direction, userId, at);
    else this.sql.exec("DELETE FROM blocks WHERE direction = ? AND user_id = ?", direction, userId);
    return true;
  }

  // ---- WebSocket tickets (single use) ---------------------------------------------------------------------

  forgetExpiredTickets(now: number): void {
    this.sql.exec("DELETE FROM ws_tickets WHERE exp <= ?", now);
  }

  ticketSessionRevoked(sessionId: string): boolean {
    return this.sql.exec("SELECT 1 FROM ws_tickets WHERE nonce = ?", `revoked:${sessionId}`).toArray().length > 0;
  }

  /** True the first time a nonce is claimed. */
  claimNonce(nonce: string, exp: number): boolean {
    return (
      this.sql
        .exec(
          "INSERT INTO ws_tickets (nonce, exp) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
          nonce,
          exp,
        )
        .toArray().length === 1
    );
  }

  revokeTicketsOf(sessionId: string, until: number): void {
    this.sql.exec(
      "INSERT INTO ws_tickets (nonce, exp) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET exp = excluded.exp",
      `revoked:${sessionId}`,
      until,
    );
  }

  // ---- push ------------------------------------------------------------------------------------------------

  get subscriptionCount(): number {
    return this.subscriptions;
  }

  get hasPendingPushes(): boolean {
    return this.pendingPushes > 0;
  }

  subscribe(sub: { endpoint: string; p256dh: string; auth: string }, now: number, keep: number): void {
    this.sql.exec(
      `INSERT INTO push_subscriptions (endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
      sub.endpoint,
      sub.p256dh,
      sub.auth,
      now,
    );
    this.sql.exec(
      `DELETE FROM push_subscriptions WHERE endpoint NOT IN
         (SELECT endpoint FROM push_subscriptions ORDER BY created_at DESC LIMIT ?)`,
      keep,
    );
    this.subscriptions = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_subscriptions").one().n;
  }

  /** Every push subscription's endpoint (account deletion forgets them all). */
  pushEndpoints(): string[] {
    return this.sql
      .exec<{ endpoint: string }>("SELECT endpoint FROM push_subscriptions")
      .toArray()
      .map((r) => r.endpoint);
  }

  unsubscribe(endpoint: string): void {
    this.sql.exec("DELETE FROM push_subscriptions WHERE endpoint = ?", endpoint);
    this.sql.exec("DELETE FROM push_outbox WHERE endpoint = ?", endpoint);
    this.subscriptions = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_subscriptions").one().n;
  }

  subscription(endpoint: string): SubscriptionRow | null {
    return (
      this.sql
        .exec<SubscriptionRow>("SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE endpoint = ?", endpoint)
        .toArray()[0] ?? null
    );
  }

  muteUntil(conversationId: string): number | null {
    return (
      this.sql
        .exec<{ until: number }>("SELECT until FROM push_mutes WHERE conversation_id = ?", conversationId)
        .toArray()[0]?.until ?? null
    );
  }

  setMute(conversationId: string, until: number | null): void {
    if (until === null) this.sql.exec("DELETE FROM push_mutes WHERE conversation_id = ?", conversationId);
    else
      this.sql.exec(
        "INSERT INTO push_mutes (conversation_id, until) VALUES (?, ?) ON CONFLICT (conversation_id) DO UPDATE SET until = excluded.until",
        conversationId,
        until,
      );
  }

  pendingPush(conversationId: string): PendingPushRow | null {
    return (
      this.sql
        .exec<PendingPushRow>(
          "SELECT conversation_id, seqs, last_cursor, due FROM push_pending WHERE conversation_id = ?",
          conversationId,
        )
        .toArray()[0] ?? null
    );
  }

  pendingPushesDue(now: number): PendingPushRow[] {
    return this.sql
      .exec<PendingPushRow>("SELECT conversation_id, seqs, last_cursor, due FROM push_pending WHERE due <= ?", now)
      .toArray();
  }

  putPendingPush(row: PendingPushRow): void {
    this.sql.exec(
      `INSERT INTO push_pending (conversation_id, seqs, last_cursor, due) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET seqs = excluded.seqs, last_cursor = excluded.last_cursor`,
      row.conversation_id,
      row.seqs,
      row.last_cursor,
      row.due,
    );
    this.countPendingPushes();
  }

  setPendingPushSeqs(conversationId: string, seqs: string): void {
    this.sql.exec("UPDATE push_pending SET seqs = ? WHERE conversation_id = ?", seqs, conversationId);
  }

  dropPendingPush(conversationId: string): void {
    this.sql.exec("DELETE FROM push_pending WHERE conversation_id = ?", conversationId);
    this.countPendingPushes();
  }

  /** A device stored everything up to `cursor`: pushes for those messages are no longer needed. */
  dropPendingPushesUpTo(cursor: number): void {
    if (this.pendingPushes === 0) return;
    this.sql.exec("DELETE FROM push_pending WHERE last_cursor <= ?", cursor);
    this.countPendingPushes();
  }

  /** One payload per subscription for a conversation (a newer one replaces an unsent older one). */
  queuePushPayloads(conversationId: string, payload: string, due: number): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO push_outbox (endpoint, conversation_id, payload, attempts, due)
       SELECT endpoint, ?, ?, 0, ? FROM push_subscriptions`,
      conversationId,
      payload,
      due,
    );
  }

  pushOutboxDue(now: number): PushOutboxRow[] {
    return this.sql
      .exec<PushOutboxRow>(
        "SELECT id, endpoint, conversation_id, payload, attempts FROM push_outbox WHERE due <= ? ORDER BY id",
        now,
      )
      .toArray();
  }

  clearPushOutbox(): void {
    this.sql.exec("DELETE FROM push_outbox");
  }

  retryPush(id: number, attempts: number, due: number): void {
    this.sql.exec("UPDATE push_outbox SET attempts = ?, due = ? WHERE id = ?", attempts, due, id);
  }

  dropPush(id: number): void {
    this.sql.exec("DELETE FROM push_outbox WHERE id = ?", id);
  }

  /** The earliest pending or queued push, or null. */
  nextPushDue(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(at) AS at FROM (SELECT due AS at FROM push_pending UNION ALL SELECT due AS at FROM push_outbox)",
      )
      .one().at;
  }

  private countPendingPushes(): void {
    this.pendingPushes = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_pending").one().n;
  }

  // ---- profiles -----------------------------------------------------------------------------------------------

  profile(userId: string): { version: number; body: string } | null {
    return (
      this.sql
        .exec<{ version: number; body: string }>("SELECT version, body FROM profiles WHERE user_id = ?", userId)
        .toArray()[0] ?? null
    );
  }

  putProfile(userId: string, version: number, body: string): void {
    this.sql.exec(
      `INSERT INTO profiles (user_id, version, body) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, body = excluded.body`,
      userId,
      version,
      body,
    );
  }

  /** A profile read from Postgres, kept only where nothing is known yet (version 0). */
  rememberProfile(userId: string, body: string): void {
    this.sql.exec("INSERT OR IGNORE INTO profiles (user_id, version, body) VALUES (?, 0, ?)", userId, body);
  }

  /** Queues `version` for every direct peer and every active group (the user's own profile changed). */
  queueProfileFanout(version: number, me: string): void {
    const requeue = "DO UPDATE SET version = excluded.version, failures = 0, due = 0";
    this.sql.exec(
      `INSERT INTO profile_outbox (user_id, version)
       SELECT DISTINCT peer_id, ? FROM chats WHERE type = 'direct' AND peer_id IS NOT NULL AND peer_id != ?
       ON CONFLICT (user_id) ${requeue}`,
      version,
      me,
    );
    this.sql.exec(
      `INSERT INTO profile_groups (conversation_id, version)
       SELECT conversation_id, ? FROM chats WHERE type = 'group' AND active = 1
       ON CONFLICT (conversation_id) ${requeue}`,
      version,
    );
  }

  /** Queues the newest own profile for a new direct peer; true if a row was queued. */
  introduceProfile(peerId: string, me: string): boolean {
    return (
      this.sql.exec(
        `INSERT INTO profile_outbox (user_id, version) SELECT ?, version FROM profiles WHERE user_id = ?
         ON CONFLICT (user_id) DO NOTHING`,
        peerId,
        me,
      ).rowsWritten > 0
    );
  }

  queueProfileFor(userId: string, version: number): void {
    this.sql.exec(
      `INSERT INTO profile_outbox (user_id, version) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, failures = 0, due = 0
       WHERE excluded.version > profile_outbox.version`,
      userId,
      version,
    );
  }

  profileGroupListed(conversationId: string, version: number): void {
    this.sql.exec("DELETE FROM profile_groups WHERE conversation_id = ? AND version <= ?", conversationId, version);
  }

  /** A profile delivery the peer's hub refuses for good: kept aside with its error, out of the queue. */
  deadLetterProfile(userId: string, version: number, error: string, now: number): void {
    this.sql.exec(
      "INSERT INTO dead_letters (queue, item, error, at) VALUES ('profile', ?, ?, ?)",
      JSON.stringify({ userId, version }),
      error,
      now,
    );
    this.profileDelivered(userId, version);
  }

  deadLetterCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dead_letters").one().n;
  }

  profileDelivered(userId: string, version: number): void {
    this.sql.exec("DELETE FROM profile_outbox WHERE user_id = ? AND version <= ?", userId, version);
  }

  profileQueueDue(table: "profile_groups" | "profile_outbox", now: number, limit: number): ProfileQueueRow[] {
    const key = table === "profile_groups" ? "conversation_id" : "user_id";
    return this.sql
      .exec<ProfileQueueRow>(
        `SELECT ${key} AS key, version, failures FROM ${table} WHERE due <= ? ORDER BY due, ${key} LIMIT ?`,
        now,
        limit,
      )
      .toArray();
  }

  profileBackOff(table: "profile_groups" | "profile_outbox", rowKey: string, failures: number, due: number): void {
    const key = table === "profile_groups" ? "conversation_id" : "user_id";
    this.sql.exec(`UPDATE ${table} SET failures = ?, due = ? WHERE ${key} = ?`, failures, due, rowKey);
  }

  profileQueueSize(): number {
    return this.sql
      .exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM profile_groups) + (SELECT COUNT(*) FROM profile_outbox) AS n")
      .one().n;
  }

  nextProfileDue(): number | null {
    return this.sql
      .exec<{ due: number | null }>(
        "SELECT MIN(due) AS due FROM (SELECT due FROM profile_groups UNION ALL SELECT due FROM profile_outbox)",
      )
      .one().due;
  }
}
