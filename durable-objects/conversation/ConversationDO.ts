/**
 * One Durable Object per conversation (direct or group): the single writer of its members, its
 * message order (`seq`), deletions and receipts. Every state change is one synchronous SQLite
 * transaction; the answer leaves only after it is durable (output gate). Work that crosses objects
 * (fan-out to hubs, archiving to Postgres) is queued in the same transaction and retried by alarm.
 *
 * Callers are the Worker and UserHubs; they pass the *authenticated* user id, and every method checks
 * membership itself. A non-member gets exactly the answer a missing conversation gets.
 */
import { DurableObject } from "cloudflare:workers";
import type {
  Conversation,
  EventBody,
  Media,
  Message,
  MessageStatus,
  SystemEvent,
} from "../../client/sdk/protocol/index.ts";
import {
  DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS,
  MAX_GROUP_MEMBERS,
  MAX_HISTORY_PAGE,
  MAX_TEXT_BYTES,
} from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { SENDS_PER_CONVERSATION, TokenBuckets, rateLimitsEnabled } from "../../lib/rate-limits.ts";
import { migrate } from "../shared/migrations.ts";
import { iso } from "../../lib/time.ts";
import { Archiver } from "./archiver.ts";
import { groupPictureUrl } from "../../db/pictures.ts";
import { Fanout } from "./fanout.ts";
import { MediaJobs } from "./media-jobs.ts";
import { aggregate, advance, sameView, viewsFor, type SenderView } from "./receipts.ts";
import { CONVERSATION_MIGRATIONS } from "./schema.ts";
import { NOT_FOUND, toMessage, type MemberRow, type MessageRow, type MetaRow } from "./rows.ts";
import { GroupOps } from "./group-ops.ts";
import { TypingRelay, type TypingRelayed } from "./typing-relay.ts";

/** Safety-net delay: if the in-line fan-out dies with the isolate, the alarm finishes it. */
const SAFETY_NET_MS = 2_000;
const DEFAULT_HOT_WINDOW = 1_000;

export interface OpenInput {
  id: string;
  type: "direct" | "group";
  creatorId: string;
  memberIds: string[];
  name?: string;
  pictureMediaId?: string;
}

export interface SendInput {
  clientId: string;
  text?: string;
  media?: Media;
}

/** A history page: messages from the hot window, plus what the caller must read from Postgres. */
export interface HistoryPlan {
  messages: Message[];
  /** Older messages to fetch from the archive (`minSeq ≤ seq < before`, newest `limit`), or null. */
  archive: { before: number; minSeq: number; limit: number } | null;
  /** Seqs this user deleted for themselves within the archive range. */
  hidden: number[];
}

const utf8 = new TextEncoder();

export class ConversationDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private meta: MetaRow | null = null;
  private alarmAt: number | null = null;
  /** Sends per conversation, all members together: exact here, the object is single-threaded. */
  private readonly sendLimit = new TokenBuckets(SENDS_PER_CONVERSATION, 1);
  private lastSentBy: Map<string, number> | null = null;
  private readonly fanout: Fanout;
  private readonly archiver: Archiver;
  private readonly mediaJobs: MediaJobs;
  private readonly groups: GroupOps;
  /** Who was recently offline, for typing only: in memory, rebuilt from hub answers after a wake. */
  private readonly typingRelay: TypingRelay;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    const id = () => this.requireMeta().id;
    const schedule = (at: number) => this.scheduleAlarm(at);
    this.fanout = new Fanout(this.sql, id, (userId) => env.USER_HUB.getByName(userId), schedule);
    const hot = Number(env.HOT_WINDOW_MESSAGES ?? DEFAULT_HOT_WINDOW) || DEFAULT_HOT_WINDOW;
    this.archiver = new Archiver(this.sql, env, id, hot, schedule);
    this.mediaJobs = new MediaJobs(this.sql, env, id, schedule);
    this.typingRelay = new TypingRelay((userId) => env.USER_HUB.getByName(userId));
    this.groups = new GroupOps(this.sql, {
      meta: () => this.meta,
      member: (userId) => this.member(userId),
      activeMember: (userId) => this.activeMember(userId),
      transaction: (write) => this.ctx.storage.transactionSync(write),
      appendEvent: (target, body) => this.appendEvent(target, body),
      appendMessage: (input, now) => this.appendMessage(input, now),
      committed: () => {
        this.loadMeta();
        this.afterWrite();
      },
      describe: () => this.describeFor(),
    });
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, CONVERSATION_MIGRATIONS);
      this.loadMeta();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /**
   * Creates the conversation, or returns it if it exists (idempotent: a direct chat opened twice is
   * the same chat). The creator must be among its members.
   */
  async open(input: OpenInput): Promise<Result<{ conversation: Conversation; created: boolean }>> {
    if (this.meta) {
      if (!this.activeMember(input.creatorId)) return err("not_found", NOT_FOUND);
      return ok({ conversation: this.describeFor(), created: false });
    }
    const memberIds = [...new Set([input.creatorId, ...input.memberIds])];
    if (memberIds.length > MAX_GROUP_MEMBERS)
      return err("group_full", `a group has at most ${MAX_GROUP_MEMBERS} members`);
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "INSERT INTO meta (id, type, name, picture_media_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        input.id,
        input.type,
        input.type === "group" ? (input.name ?? null) : null,
        input.pictureMediaId ?? null,
        input.creatorId,
        now,
      );
      for (const userId of memberIds) {
        const role = input.type === "group" && userId === input.creatorId ? "admin" : "member";
        this.sql.exec(
          "INSERT INTO members (user_id, role, joined_at, joined_seq, joined_ev) VALUES (?, ?, ?, 0, 1)",
          userId,
          role,
          now,
        );
      }
      for (const userId of memberIds) this.appendEvent(userId, this.conversationEvent(userId, input, memberIds, true));
      if (input.type === "group") this.groups.recordCreated(input.creatorId, input.name, now);
    });
    this.loadMeta();
    this.afterWrite();
    return ok({ conversation: this.describeFor(), created: true });
  }

  /** The conversation with its current members, for a member (or a former member, read-only). */
  async describe(userId: string): Promise<Result<Conversation>> {
    if (!this.meta || !this.member(userId)) return err("not_found", NOT_FOUND);
    return ok(this.describeFor());
  }

  /** Whether `userId` may read media `mediaId`: a message they can see here carries it, undeleted. */
  async mediaAccess(userId: string, mediaId: string): Promise<boolean> {
    const meta = this.meta;
    const m = meta ? this.member(userId) : null;
    if (!meta || !m) return false;
    // The group's picture: every member (current or former) may see it.
    if (meta.picture_media_id === mediaId) return true;
    const ref = this.sql
      .exec(
        "SELECT 1 FROM media_refs WHERE media_id = ? AND seq >= ? AND seq <= ? LIMIT 1",
        mediaId,
        Math.max(1, m.joined_seq),
        m.left_seq ?? meta.last_seq,
      )
      .toArray();
    return ref.length > 0;
  }

  /** Whether `userId` is (or was) a member, and up to which seq they may read. */
  async access(userId: string): Promise<{ member: boolean; active: boolean; maxSeq: number }> {
    const m = this.meta ? this.member(userId) : null;
    if (!m || !this.meta) return { member: false, active: false, maxSeq: 0 };
    return { member: true, active: m.left_seq === null, maxSeq: m.left_seq ?? this.meta.last_seq };
  }

  // ---- messages ----------------------------------------------------------------------------------

  /**
   * Stores a message and answers with it, after the write is durable. A retry with the same
   * `clientId` answers with the original message (`duplicate: true`) and stores nothing.
   */
  async send(userId: string, input: SendInput): Promise<Result<{ message: Message; duplicate: boolean }>> {
    if (!this.meta) return err("not_found", NOT_FOUND);
    const m = this.member(userId);
    if (!m) return err("not_found", NOT_FOUND);
    const earlier = this.earlierSend(userId, input);
    if (earlier) return ok({ message: earlier, duplicate: true });
    if (m.left_seq !== null) return err("forbidden", "you are no longer a member of this group");
    if (input.text !== undefined && utf8.encode(input.text).length > MAX_TEXT_BYTES) {
      return err("message_too_large", `text is over ${MAX_TEXT_BYTES} bytes`);
    }
    if (input.text === undefined && input.media === undefined)
      return err("invalid_request", "text or media is required");
    // Last check before the write: a refused send consumes no seq (retries of stored ones pass above).
    const verdict = rateLimitsEnabled(this.env) ? this.sendLimit.take("all") : { ok: true as const };
    if (!verdict.ok)
      return err("rate_limited", `too many messages in this conversation; retry in ${verdict.retryAfterSeconds} s`);
    const now = Date.now();
    let message: Message | null = null;
    this.ctx.storage.transactionSync(() => {
      message = this.appendMessage(
        { senderId: userId, clientId: input.clientId, text: input.text, media: input.media },
        now,
      );
    });
    this.loadMeta();
    this.afterWrite();
    return ok({ message: message as unknown as Message, duplicate: false });
  }

  /** A page of history for `userId`, newest `limit` before `before`, from the hot window first. */
  async history(userId: string, opts: { before?: number; limit: number }): Promise<Result<HistoryPlan>> {
    const meta = this.meta;
    const m = meta ? this.member(userId) : null;
    if (!meta || !m) return err("not_found", NOT_FOUND);
    const limit = Math.min(Math.max(1, opts.limit), MAX_HISTORY_PAGE);
    const minSeq = Math.max(1, m.joined_seq);
    const maxSeq = m.left_seq ?? meta.last_seq;
    const upper = Math.min(opts.before !== undefined ? opts.before - 1 : maxSeq, maxSeq);
    if (upper < minSeq) return ok({ messages: [], archive: null, hidden: [] });
    // hot_floor moves when the archiver trims, outside the writes that refresh `this.meta`.
    const hotFloor = this.sql.exec<{ hot_floor: number }>("SELECT hot_floor FROM meta").one().hot_floor;
    const hotLow = Math.max(minSeq, hotFloor);
    const rows =
      upper >= hotLow
        ? this.sql
            .exec<MessageRow>(
              `SELECT * FROM messages WHERE seq >= ? AND seq <= ?
               AND seq NOT IN (SELECT seq FROM hidden WHERE user_id = ?) ORDER BY seq DESC LIMIT ?`,
              hotLow,
              upper,
              userId,
              limit,
            )
            .toArray()
        : [];
    const messages = rows.reverse().map((r) => toMessage(meta.id, r));
    const remaining = limit - messages.length;
    const archiveBefore = messages[0]?.seq ?? Math.min(upper + 1, hotLow);
    if (remaining <= 0 || archiveBefore <= minSeq || hotLow <= minSeq) {
      return ok({ messages, archive: null, hidden: [] });
    }
    const hidden = this.sql
      .exec<{ seq: number }>(
        "SELECT seq FROM hidden WHERE user_id = ? AND seq >= ? AND seq < ?",
        userId,
        minSeq,
        archiveBefore,
      )
      .toArray()
      .map((r) => r.seq);
    return ok({ messages, archive: { before: archiveBefore, minSeq, limit: remaining }, hidden });
  }

  /**
   * Deletes a message for `userId` only (hidden on all their devices), or for everyone (the sender,
   * or a group admin, within the window): the seq stays, as a tombstone without content, everywhere.
   */
  async deleteMessage(userId: string, seq: number, scope: "me" | "everyone"): Promise<Result<null>> {
    const meta = this.meta;
    const m = meta ? this.member(userId) : null;
    if (!meta || !m) return err("not_found", NOT_FOUND);
    if (seq < Math.max(1, m.joined_seq) || seq > (m.left_seq ?? meta.last_seq))
      return err("not_found", "message not found");
    const sent = this.sql
      .exec<{ sender_id: string; client_id: string; sent_at: number }>(
        "SELECT sender_id, client_id, sent_at FROM sends WHERE seq = ?",
        seq,
      )
      .toArray()[0];
    if (!sent) return err("not_found", "message not found");
    if (scope === "me") {
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("INSERT OR IGNORE INTO hidden (user_id, seq) VALUES (?, ?)", userId, seq);
        this.appendEvent(userId, { kind: "message_hidden", conversationId: meta.id, seq });
      });
      this.afterWrite();
      return ok(null);
    }
    const isAdmin = meta.type === "group" && m.role === "admin" && m.left_seq === null;
    if (sent.sender_id !== userId && !isAdmin)
      return err("forbidden", "only the sender or a group admin can delete for everyone");
    const windowMs =
      1000 * (Number(this.env.DELETE_FOR_EVERYONE_WINDOW_SECONDS) || DEFAULT_DELETE_FOR_EVERYONE_WINDOW_SECONDS);
    if (Date.now() - sent.sent_at > windowMs) return err("forbidden", "too late to delete this message for everyone");
    const existing = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0];
    if (existing?.deleted_at != null) return ok(null);
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
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
      // The media goes for everyone: this reference ends now; the object itself once no message holds it.
      for (const ref of this.sql
        .exec<{ media_id: string }>("SELECT media_id FROM media_refs WHERE seq = ?", seq)
        .toArray()) {
        this.sql.exec("INSERT INTO media_jobs (media_id, seq, op) VALUES (?, ?, 'remove')", ref.media_id, seq);
      }
      this.sql.exec("DELETE FROM media_refs WHERE seq = ?", seq);
      const version = this.sql
        .exec<{ version: number }>("SELECT version FROM messages WHERE seq = ?", seq)
        .one().version;
      this.sql.exec("INSERT OR REPLACE INTO archive_outbox (seq, version) VALUES (?, ?)", seq, version);
      this.appendEvent(null, { kind: "message_deleted", conversationId: meta.id, seq });
    });
    this.afterWrite();
    return ok(null);
  }

  // ---- groups (rules in ./group-ops.ts) ----------------------------------------------------------

  /** An admin adds people. Past 200 members nothing changes and the answer is `group_full`. */
  async addMembers(actorId: string, userIds: string[]): Promise<Result<Conversation>> {
    return this.groups.addMembers(actorId, userIds);
  }

  /** An admin removes someone, or a member leaves (actor = target); the chat stays read-only for them. */
  async removeMember(actorId: string, targetId: string): Promise<Result<null>> {
    return this.groups.removeMember(actorId, targetId);
  }

  /** An admin promotes or demotes a member. */
  async setRole(actorId: string, targetId: string, role: "admin" | "member"): Promise<Result<Conversation>> {
    return this.groups.setRole(actorId, targetId, role);
  }

  /** An admin renames the group or changes its picture. */
  async updateGroup(
    actorId: string,
    patch: { name?: string; pictureMediaId?: string | null },
  ): Promise<Result<Conversation>> {
    return this.groups.updateGroup(actorId, patch);
  }

  // ---- receipts ----------------------------------------------------------------------------------

  /** A device of `userId` stored everything up to `upTo` (reported by their hub). */
  async markDelivered(userId: string, upTo: number): Promise<Result<null>> {
    return this.moveWatermark(userId, upTo, "delivered");
  }

  /** `userId` has seen everything up to `upTo` (opened the chat). Read lifts delivered. */
  async markRead(userId: string, upTo: number): Promise<Result<null>> {
    return this.moveWatermark(userId, upTo, "read");
  }

  /** The "message info" screen: each recipient's delivered/read time and the aggregates. */
  async messageStatus(userId: string, seq: number): Promise<Result<MessageStatus>> {
    const meta = this.meta;
    const m = meta ? this.member(userId) : null;
    if (!meta || !m || seq < Math.max(1, m.joined_seq) || seq > (m.left_seq ?? meta.last_seq)) {
      return err("not_found", "message not found");
    }
    const sent = this.sql
      .exec<{ sender_id: string; sent_at: number }>("SELECT sender_id, sent_at FROM sends WHERE seq = ?", seq)
      .toArray()[0];
    if (!sent) return err("not_found", "message not found");
    if (sent.sender_id !== userId) return err("forbidden", "only the sender can see who received a message");
    // Recipients: everyone who was a member when it was sent, but the sender.
    const recipients = this.sql
      .exec<{ user_id: string; delivered_at: number | null; read_at: number | null }>(
        `SELECT user_id,
           (SELECT MIN(at) FROM receipt_steps s WHERE s.user_id = m.user_id AND s.upto >= ?1) AS delivered_at,
           (SELECT MIN(at) FROM receipt_steps s WHERE s.user_id = m.user_id AND s.kind = 'read' AND s.upto >= ?1) AS read_at
         FROM members m WHERE user_id != ?2 AND joined_seq < ?1 AND (left_seq IS NULL OR left_seq >= ?1)
         ORDER BY user_id`,
        seq,
        userId,
      )
      .toArray();
    const delivered = recipients.filter((r) => r.delivered_at !== null).length;
    const read = recipients.filter((r) => r.read_at !== null).length;
    return ok({
      seq,
      sentAt: iso(sent.sent_at),
      delivered: aggregate(delivered, recipients.length),
      read: aggregate(read, recipients.length),
      recipients: recipients.map((r) => ({
        userId: r.user_id,
        deliveredAt: r.delivered_at === null ? null : iso(r.delivered_at),
        readAt: r.read_at === null ? null : iso(r.read_at),
      })),
    });
  }

  /**
   * Relays a typing indicator to the other members' devices. Ephemeral: never stored, not retried;
   * receivers expire it by themselves after a few seconds. In groups, members whose hub recently
   * had no connected device are not woken (./typing-relay.ts); a direct chat always tries its one
   * peer, whose indicator matters most right after they come back and costs a single wake.
   * Resolves once the called hubs have answered; the caller (the typist's hub) does not wait for it.
   */
  async typing(userId: string, typing: boolean): Promise<Result<TypingRelayed>> {
    const meta = this.meta;
    if (!meta || !this.activeMember(userId)) return err("not_found", NOT_FOUND);
    const others = this.sql
      .exec<{ user_id: string }>("SELECT user_id FROM members WHERE left_seq IS NULL AND user_id != ?", userId)
      .toArray()
      .map((m) => m.user_id);
    return ok(await this.typingRelay.relay(meta.id, userId, typing, others, meta.type === "group"));
  }

  // ---- alarm -------------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (!this.meta) return;
    await this.fanout.run();
    await this.archiver.run();
    await this.mediaJobs.run();
  }

  // ---- internals ---------------------------------------------------------------------------------

  private loadMeta(): void {
    this.meta = this.sql.exec<MetaRow>("SELECT * FROM meta").toArray()[0] ?? null;
  }

  private requireMeta(): MetaRow {
    if (!this.meta) throw new Error("conversation not initialised");
    return this.meta;
  }

  private member(userId: string): MemberRow | null {
    return this.sql.exec<MemberRow>("SELECT * FROM members WHERE user_id = ?", userId).toArray()[0] ?? null;
  }

  private activeMember(userId: string): MemberRow | null {
    const m = this.member(userId);
    return m && m.left_seq === null ? m : null;
  }

  private describeFor(): Conversation {
    const meta = this.requireMeta();
    const members = this.sql
      .exec<{ user_id: string; role: "admin" | "member"; joined_at: number }>(
        "SELECT user_id, role, joined_at FROM members WHERE left_seq IS NULL ORDER BY joined_at, user_id",
      )
      .toArray();
    return {
      id: meta.id,
      type: meta.type,
      name: meta.name,
      pictureUrl: meta.picture_media_id ? groupPictureUrl(meta.id, meta.picture_media_id) : null,
      createdAt: iso(meta.created_at),
      members: members.map((r) => ({ userId: r.user_id, role: r.role, joinedAt: iso(r.joined_at) })),
    };
  }

  private conversationEvent(
    userId: string,
    input: { id: string; type: "direct" | "group"; name?: string },
    memberIds: string[],
    active: boolean,
  ): EventBody {
    return {
      kind: "conversation",
      conversation: {
        id: input.id,
        type: input.type,
        name: input.type === "group" ? (input.name ?? null) : null,
        peerId: input.type === "direct" ? (memberIds.find((id) => id !== userId) ?? null) : null,
        active,
      },
    };
  }

  /** Appends one event for fan-out; `target` null = every current member. Call inside a transaction. */
  private appendEvent(target: string | null, body: EventBody): number {
    const ev = this.sql
      .exec<{ last_ev: number }>("UPDATE meta SET last_ev = last_ev + 1 RETURNING last_ev")
      .one().last_ev;
    this.sql.exec("INSERT INTO events (ev, target, body) VALUES (?, ?, ?)", ev, target, JSON.stringify(body));
    return ev;
  }

  /** Assigns the next seq and stores a message with its idempotency key, outbox row and event. */
  private appendMessage(
    input: { senderId: string; clientId: string; text?: string; media?: Media; system?: SystemEvent },
    now: number,
  ): Message {
    const seq = this.sql
      .exec<{ last_seq: number }>("UPDATE meta SET last_seq = last_seq + 1 RETURNING last_seq")
      .one().last_seq;
    const row: MessageRow = {
      seq,
      client_id: input.clientId,
      sender_id: input.senderId,
      text: input.text ?? null,
      media: input.media ? JSON.stringify(input.media) : null,
      system: input.system ? JSON.stringify(input.system) : null,
      sent_at: now,
      deleted_at: null,
      version: 0,
    };
    this.sql.exec(
      "INSERT INTO messages (seq, client_id, sender_id, text, media, system, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      row.seq,
      row.client_id,
      row.sender_id,
      row.text,
      row.media,
      row.system,
      row.sent_at,
    );
    if (!input.system) this.senders().set(input.senderId, seq);
    this.sql.exec(
      "INSERT INTO sends (sender_id, client_id, seq, sent_at) VALUES (?, ?, ?, ?)",
      row.sender_id,
      row.client_id,
      seq,
      now,
    );
    this.sql.exec("INSERT INTO archive_outbox (seq, version) VALUES (?, 0)", seq);
    if (input.media) {
      this.sql.exec("INSERT INTO media_refs (media_id, seq) VALUES (?, ?)", input.media.id, seq);
      this.sql.exec("INSERT INTO media_jobs (media_id, seq, op) VALUES (?, ?, 'add')", input.media.id, seq);
    }
    const id = this.sql.exec<{ id: string }>("SELECT id FROM meta").one().id;
    const message = toMessage(id, row);
    this.appendEvent(null, { kind: "message", message });
    return message;
  }

  /** The original message of an earlier send with the same client id, if any. */
  private earlierSend(userId: string, input: SendInput): Message | null {
    const meta = this.requireMeta();
    const sent = this.sql
      .exec<{ seq: number; sent_at: number }>(
        "SELECT seq, sent_at FROM sends WHERE sender_id = ? AND client_id = ?",
        userId,
        input.clientId,
      )
      .toArray()[0];
    if (!sent) return null;
    const row = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq = ?", sent.seq).toArray()[0];
    if (row) return toMessage(meta.id, row);
    // Past the hot window: rebuild the acknowledgement from the retry (same sender, same content).
    return {
      conversationId: meta.id,
      seq: sent.seq,
      clientId: input.clientId,
      senderId: userId,
      text: input.text ?? null,
      media: input.media ?? null,
      system: null,
      sentAt: iso(sent.sent_at),
      deleted: false,
    };
  }

  private moveWatermark(userId: string, upTo: number, kind: "delivered" | "read"): Result<null> {
    const meta = this.meta;
    const m = meta ? this.member(userId) : null;
    if (!meta || !m) return err("not_found", NOT_FOUND);
    const ceiling = m.left_seq ?? meta.last_seq;
    const current = kind === "read" ? m.read_upto : Math.max(m.delivered_upto, m.read_upto);
    const next = advance(current, upTo, ceiling);
    if (next === null) return ok(null);
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      if (kind === "read") {
        this.sql.exec("UPDATE members SET read_upto = ?, read_at = ? WHERE user_id = ?", next, now, userId);
        this.sql.exec(
          "INSERT OR IGNORE INTO receipt_steps (user_id, kind, upto, at) VALUES (?, 'read', ?, ?)",
          userId,
          next,
          now,
        );
        this.appendEvent(userId, { kind: "read_marker", conversationId: meta.id, upTo: next });
      }
      if (next > m.delivered_upto) {
        this.sql.exec("UPDATE members SET delivered_upto = ?, delivered_at = ? WHERE user_id = ?", next, now, userId);
        this.sql.exec(
          "INSERT OR IGNORE INTO receipt_steps (user_id, kind, upto, at) VALUES (?, 'delivered', ?, ?)",
          userId,
          next,
          now,
        );
      }
      this.emitStatusChanges(meta.id, userId);
    });
    this.afterWrite();
    return ok(null);
  }

  /**
   * After `changedUserId`'s watermarks moved, tells each other member whose aggregate view changed,
   * and only if they have messages the change is about. Coalesced by construction: one event per
   * member whose view moved, whatever the group size.
   */
  private emitStatusChanges(conversationId: string, changedUserId: string): void {
    const marks = this.sql
      .exec<{ user_id: string; delivered_upto: number; read_upto: number }>(
        "SELECT user_id, delivered_upto, read_upto FROM members WHERE left_seq IS NULL",
      )
      .toArray()
      .map((r) => ({ userId: r.user_id, delivered: r.delivered_upto, read: r.read_upto }));
    const views = viewsFor(marks);
    // Only people who sent something can have a status to see change: usually a few, not 200.
    for (const [userId, lastSent] of this.senders()) {
      const view = views.get(userId);
      if (userId === changedUserId || !view) continue;
      const sent = this.sql
        .exec<{ status_sent: string | null }>("SELECT status_sent FROM members WHERE user_id = ?", userId)
        .one();
      const before = sent.status_sent ? (JSON.parse(sent.status_sent) as SenderView) : null;
      if (sameView(before, view)) continue;
      const low = before ? Math.min(before.readAll, before.readSome, before.deliveredAll, before.deliveredSome) : 0;
      if (lastSent <= low) continue; // none of their messages is in the range that moved
      this.sql.exec("UPDATE members SET status_sent = ? WHERE user_id = ?", JSON.stringify(view), userId);
      this.appendEvent(userId, { kind: "status", conversationId, ...view });
    }
  }

  /** Sender → their newest seq, loaded once per wake and kept current by `appendMessage`. */
  private senders(): Map<string, number> {
    if (!this.lastSentBy) {
      this.lastSentBy = new Map(
        this.sql
          .exec<{ sender_id: string; last: number }>("SELECT sender_id, MAX(seq) AS last FROM sends GROUP BY sender_id")
          .toArray()
          .map((r) => [r.sender_id, r.last]),
      );
    }
    return this.lastSentBy;
  }

  /** After a committed write: arm the safety-net alarm and start fan-out without delaying the answer. */
  private afterWrite(): void {
    this.scheduleAlarm(Date.now() + SAFETY_NET_MS);
    this.ctx.waitUntil(this.fanout.run());
  }

  private scheduleAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
