/**
 * One Durable Object per conversation (direct or group): the single writer of its members, its
 * message order (`seq`), deletions and receipts. This class only wires the runtime — storage,
 * alarm, hub stubs — to the modules that hold the rules (./messages.ts, ./watermarks.ts,
 * ./group-ops.ts, ./fanout.ts, ./archiver.ts, ./media-jobs.ts) over one store (./store.ts) that keeps
 * the hot state in memory. Every state change is one synchronous SQLite transaction; the answer
 * leaves only after it is durable (output gate). Work that crosses objects (fan-out to hubs,
 * archiving to Postgres, media references) is queued in the same transaction and drained after,
 * retried by alarm.
 *
 * Callers are the Worker and UserHubs; they pass the *authenticated* user id, and every method
 * checks membership itself. A non-member gets exactly the answer a missing conversation gets.
 */
import { DurableObject } from "cloudflare:workers";
import type {
  Conversation,
  InvitePreview,
  Message,
  MessageStatus,
  ReactionSummary,
} from "../../client/sdk/protocol/index.ts";
import { countDeadLetter, type DeadLetterQueue } from "../../db/cache/dead-letters.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { archiveQuietMs, deleteWindowSeconds, disappearingTestSeconds } from "../../lib/config.ts";
import { SENDS_PER_CONVERSATION, TokenBuckets, rateLimitsEnabled } from "../../lib/rate-limits.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { Alarm } from "../shared/alarm.ts";
import { WakeTimer } from "../shared/wake-timer.ts";
import { Batch } from "../shared/batch.ts";
import { Drain } from "../shared/drain.ts";
import { migrate } from "../shared/migrations.ts";
import { archivePass, postgresArchive } from "./archiver.ts";
import { setBlock, withheldFrom } from "./blocks.ts";
import type { ConversationContext } from "./context.ts";
import * as disappearing from "./disappearing.ts";
import { expiryAlarm } from "./expiry.ts";
import { fanoutPass } from "./fanout.ts";
import * as groups from "./group-ops.ts";
import * as invites from "./invites.ts";
import type { GroupPatch } from "./group-settings.ts";
import * as extras from "./message-extras.ts";
import { mediaJobsPass } from "./media-jobs.ts";
import * as messages from "./messages.ts";
import { NOT_FOUND } from "./rows.ts";
import { CONVERSATION_MIGRATIONS } from "./schema.ts";
import { ConversationStore } from "./store.ts";
import { TypingRelay, type TypingRelayed } from "./typing-relay.ts";
import { setPrivateReads } from "./read-privacy.ts";
import { emitStatusChanges, messageStatus, moveWatermarks, type WatermarkMove } from "./watermarks.ts";

export type { HistoryPlan, OpenInput, SendInput } from "./messages.ts";

/**
 * Safety-net delay: if the in-line fan-out dies with the isolate, the alarm finishes it. Only that
 * rare case waits this long; a short net rang every busy conversation's alarm to find nothing to do.
 */
const SAFETY_NET_MS = 30_000;
/** Fan-out waits up to this long run on a timer while the object is awake; longer ones on the alarm. */
const TIMER_WAIT_MS = 2_000;
const DEFAULT_HOT_WINDOW = 1_000;
/**
 * How long a group's read or delivered receipt waits for others to join its transaction: its members
 * read a message within a few ms of each other (each on their own device), and each transaction
 * is a commit and a fan-out pass over every member. A lone read is answered this much later.
 */
const RECEIPT_WINDOW_MS = 25;
/**
 * Archive pacing. Each pass opens a Postgres connection, and that costs far more than the rows it
 * writes (a dozen turns of the connection's protocol, each an event of its own): a quiet chat (most
 * chats) writes a batch at most every `ARCHIVE_QUIET_SECONDS` (lib/config.ts, 2 minutes by default)
 * so one connection carries many messages. The fan-out's safety-net alarm (30 s) rings in between
 * and leaves the archive alone until its time. A chat with ARCHIVE_BUSY_ROWS waiting, or with
 * removed content still in Postgres (a delete for everyone, a disappearing message), goes every
 * ARCHIVE_INTERVAL_MS. Nothing waits on the archive: history reads the hot window first, and the
 * window is trimmed only once archived.
 */
const ARCHIVE_INTERVAL_MS = 2_000;
const ARCHIVE_BUSY_ROWS = 20;

export class ConversationDO extends DurableObject<Env> {
  private readonly store: ConversationStore;
  private readonly context: ConversationContext;
  private readonly alarms: Alarm;
  private readonly fanout: Drain;
  /** Runs the fan-out when held-back events fall due (one timer, however many passes ask). */
  private readonly fanoutTimer = new WakeTimer(() => void this.fanout.run());
  private readonly archive: Drain;
  private readonly mediaJobs: Drain;
  /** How long a quiet chat's messages wait for their archive pass (see ARCHIVE_INTERVAL_MS). */
  private readonly archiveQuietMs: number;
  /**
   * Where the quiet wait counts from: the last archive pass; after a wake, the oldest message still
   * waiting (or the wake, when none waits). Not stored: the outbox says it well enough.
   */
  private archivedAt = 0;
  /** Sends per conversation, all members together: exact here, the object is single-threaded. */
  private readonly sendLimit = new TokenBuckets(SENDS_PER_CONVERSATION, 1);
  /**
   * Receipts that arrive within RECEIPT_WINDOW_MS of each other are applied in one transaction, one
   * fan-out pass and at most one status event per sender (../shared/batch.ts).
   */
  private readonly receipts = new Batch<WatermarkMove, Result<null>>(
    (moves) => moveWatermarks(this.context, moves),
    // A direct chat has one reader: nobody to wait for, and a timer would be a wake-up of its own.
    () => (this.store.meta?.type === "group" ? RECEIPT_WINDOW_MS : 0),
  );
  /** Who was recently offline, for typing only: in memory, rebuilt from hub answers after a wake. */
  private readonly typingRelay: TypingRelay;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ConversationStore(ctx.storage.sql);
    this.alarms = new Alarm(ctx.storage);
    const schedule = (at: number) => this.alarms.schedule(at);
    const hot = Number(env.HOT_WINDOW_MESSAGES ?? DEFAULT_HOT_WINDOW) || DEFAULT_HOT_WINDOW;
    this.archiveQuietMs = archiveQuietMs(env);
    // Set-aside rows are counted in Redis for `/health/ready` (best effort).
    const setAside = (queue: DeadLetterQueue) => {
      const redis = redisFromEnv(env);
      if (redis) ctx.waitUntil(countDeadLetter(redis, queue).catch(() => undefined));
    };
    this.fanout = new Drain(
      "fan-out",
      async () => {
        const outcome = await fanoutPass(
          this.store,
          (u) => env.USER_HUB.getByName(u),
          Date.now(),
          // A pass's receipts go in one batch: one transaction, even when applied at once.
          (receipts) => void this.receipts.addAll(receipts.map((r) => ({ ...r, kind: "delivered" as const }))),
          () => setAside("fanout"),
        );
        // Nothing held back any more (a read took a sender's echo along): the timer set for it
        // would only wake the object to find that out.
        if (!outcome.more && outcome.dueAt == null) this.fanoutTimer.cancel();
        return outcome;
      },
      (at) => this.scheduleFanout(at),
    );
    const archive = postgresArchive(env);
    this.archive = new Drain("archive", () => archivePass(this.store, archive, hot, setAside), schedule);
    this.mediaJobs = new Drain("media references", () => mediaJobsPass(this.store, env, setAside), schedule);
    this.typingRelay = new TypingRelay((userId) => env.USER_HUB.getByName(userId));
    this.context = {
      store: this.store,
      config: {
        deleteWindowMs: deleteWindowSeconds(env) * 1000,
        hotWindow: hot,
        disappearingTestSeconds: disappearingTestSeconds(env),
      },
      write: (fn) => this.write(fn),
      committed: () => this.committed(),
    };
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, CONVERSATION_MIGRATIONS);
      this.store.load();
      // Counting from 0 here made every wake archive at once: locally a chat is evicted ~10 s after
      // its last message, so a quiet chat paid a Postgres connection per message.
      this.archivedAt = this.store.archiveWaitingSince ?? Date.now();
      await this.alarms.load();
      // Disappearing messages: an alarm no later than the next deadline, whatever happened before.
      this.scheduleExpiry();
    });
  }

  // ---- lifecycle and access -----------------------------------------------------------------------

  /** Creates the conversation, or returns it if it exists; the creator must be among its members. */
  async open(input: messages.OpenInput): Promise<Result<{ conversation: Conversation; created: boolean }>> {
    return messages.open(this.context, input, (creatorId, name, now) =>
      groups.recordCreated(this.context, creatorId, name, now),
    );
  }

  /** The conversation with its current members, for a member (or a former member, read-only). */
  async describe(userId: string): Promise<Result<Conversation>> {
    const member = this.store.meta ? this.store.member(userId) : null;
    if (!member) return err("not_found", NOT_FOUND);
    return ok(messages.describeFor(this.context, member));
  }

  /** Whether `userId` may read media `mediaId`: a message they can see here carries it, undeleted. */
  async mediaAccess(userId: string, mediaId: string): Promise<boolean> {
    return messages.mediaAccess(this.context, userId, mediaId);
  }

  /** Whether `userId` is (or was) a member, and up to which seq they may read. */
  async access(userId: string): Promise<{ member: boolean; active: boolean; maxSeq: number }> {
    return messages.access(this.context, userId);
  }

  // ---- messages ------------------------------------------------------------------------------------

  /** Stores a message (idempotent on `clientId`) and answers with it once durable. */
  async send(userId: string, input: messages.SendInput): Promise<Result<{ message: Message; duplicate: boolean }>> {
    return messages.send(this.context, userId, input, () => this.admitSend());
  }

  /** A page of history for `userId`, newest `limit` before `before`, from the hot window first. */
  async history(userId: string, opts: { before?: number; limit: number }): Promise<Result<messages.HistoryPlan>> {
    return messages.history(this.context, userId, opts);
  }

  /** Deletes a message for `userId` only, or for everyone (sender or group admin, within the window). */
  async deleteMessage(userId: string, seq: number, scope: "me" | "everyone"): Promise<Result<null>> {
    return messages.deleteMessage(this.context, userId, seq, scope);
  }

  /** The sender edits a text within the edit window (./message-extras.ts). */
  async editMessage(userId: string, seq: number, text: string): Promise<Result<Message>> {
    return extras.edit(this.context, userId, seq, text);
  }

  /** Sets, changes (`emoji`) or removes (null) `userId`'s one reaction to `seq`. */
  async react(userId: string, seq: number, emoji: string | null): Promise<Result<{ reactions: ReactionSummary[] }>> {
    return extras.react(this.context, userId, seq, emoji);
  }

  /** The message `userId` forwards from here, if they can see it (or `archived`: read it from Postgres). */
  async forwardSource(userId: string, seq: number): Promise<Result<{ message: Message } | { archived: true }>> {
    return extras.forwardSource(this.context, userId, seq);
  }

  /** Sets the chat's disappearing-messages timer (./disappearing.ts has who may). */
  async setDisappearing(actorId: string, seconds: number): Promise<Result<Conversation>> {
    return disappearing.setTimer(this.context, actorId, seconds);
  }

  // ---- groups ----------------------------------------------------------------------------------------

  /** An admin adds people. Past 200 members nothing changes and the answer is `group_full`. */
  async addMembers(actorId: string, userIds: string[]): Promise<Result<Conversation>> {
    return groups.addMembers(this.context, actorId, userIds);
  }

  /** An admin removes someone, or a member leaves (actor = target); the chat stays read-only for them. */
  async removeMember(actorId: string, targetId: string): Promise<Result<null>> {
    return groups.removeMember(this.context, actorId, targetId);
  }

  /** An admin promotes or demotes a member. */
  async setRole(actorId: string, targetId: string, role: "admin" | "member"): Promise<Result<Conversation>> {
    return groups.setRole(this.context, actorId, targetId, role);
  }

  /** Changes the group's name, picture, description or settings (./group-settings.ts has who may). */
  async updateGroup(actorId: string, patch: GroupPatch): Promise<Result<Conversation>> {
    return groups.updateGroup(this.context, actorId, patch);
  }

  /** `blockerId` blocks or unblocks the other member of this direct chat (./blocks.ts). */
  async setBlock(blockerId: string, blocked: boolean): Promise<Result<null>> {
    return setBlock(this.context, blockerId, blocked);
  }

  /** `userId` turned read receipts off or on (direct chats only; ./read-privacy.ts). */
  async setPrivateReads(userId: string, off: boolean): Promise<Result<null>> {
    return setPrivateReads(this.context, userId, off, emitStatusChanges);
  }

  /** An admin makes a new invite link (./invites.ts); answers its token. */
  async createInvite(actorId: string): Promise<Result<string>> {
    return invites.createInvite(this.context, actorId);
  }

  /** An admin revokes the invite link. */
  async revokeInvite(actorId: string): Promise<Result<null>> {
    return invites.revokeInvite(this.context, actorId);
  }

  /** What an invite link with `secret` shows; not_found unless it is the current one. */
  async invitePreview(secret: string): Promise<Result<InvitePreview>> {
    return invites.invitePreview(this.context, secret);
  }

  /** `userId` joins with the invite link's `secret`. */
  async joinByInvite(userId: string, secret: string): Promise<Result<Conversation>> {
    return invites.joinByInvite(this.context, userId, secret);
  }

  // ---- receipts --------------------------------------------------------------------------------------

  /** A device of `userId` stored everything up to `upTo` (reported by their hub). */
  async markDelivered(userId: string, upTo: number): Promise<Result<null>> {
    return this.receipts.add({ userId, upTo, kind: "delivered" });
  }

  /**
   * `userId` has seen everything up to `upTo` (opened the chat). Read lifts delivered. `markerLogged`:
   * their hub logged the read marker for their devices itself (a read over the socket), so none is
   * sent back to them.
   */
  async markRead(userId: string, upTo: number, markerLogged = false): Promise<Result<null>> {
    return this.receipts.add({ userId, upTo, kind: "read", markerLogged });
  }

  /** The "message info" screen: each recipient's delivered/read time and the aggregates. */
  async messageStatus(userId: string, seq: number): Promise<Result<MessageStatus>> {
    return messageStatus(this.context, userId, seq);
  }

  /**
   * Relays a typing indicator to the other members' devices: ephemeral, never stored, not retried
   * (./typing-relay.ts). Resolves once the called hubs have answered; the typist's hub does not wait.
   */
  async typing(userId: string, typing: boolean): Promise<Result<TypingRelayed>> {
    const meta = this.store.meta;
    const me = meta ? this.store.member(userId) : null;
    if (!meta || !me || me.left_seq !== null) return err("not_found", NOT_FOUND);
    const others = this.store
      .currentMembers()
      .map((m) => m.user_id)
      .filter((id) => id !== userId && id !== withheldFrom(meta, userId));
    return ok(await this.typingRelay.relay(meta.id, userId, typing, others, meta.type === "group"));
  }

  /** Queue depths and set-aside items (tests, diagnostics). */
  async stats(): Promise<{ pendingEvents: number; deadLetters: number }> {
    return { pendingEvents: this.store.events.length, deadLetters: this.store.deadLetterCount() };
  }

  // ---- alarm -----------------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.alarms.fired();
    if (!this.store.meta) return;
    this.expireDue();
    await this.fanout.run();
    // Fan-out progress is stored lazily; with no write to carry it, the alarm stores it.
    if (this.store.hasUnflushedFanout) this.write(() => this.store.flushFanout());
    // Postgres is written in batches (see ARCHIVE_INTERVAL_MS), however often the alarm rings.
    const archiveDue = this.archiveDue();
    if (Date.now() < archiveDue) return this.alarms.schedule(archiveDue);
    this.archivedAt = Date.now();
    this.store.archiveQueuedSincePass = 0;
    this.store.archiveUrgent = false;
    await this.archive.run();
    await this.mediaJobs.run();
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** One storage transaction; on failure the hot state is reloaded so memory never runs ahead. */
  private write<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(() => {
        const result = fn();
        this.store.flush();
        return result;
      });
    } catch (error) {
      this.store.load();
      throw error;
    }
  }

  /**
   * A fan-out retry or a held-back echo is due at `at`: a short wait runs on a timer while the object
   * is awake (the alarm, a little later, covers an eviction); a long one (a hub's backoff) on the alarm.
   */
  private scheduleFanout(at: number): void {
    const wait = at - Date.now();
    if (wait > TIMER_WAIT_MS) return this.alarms.schedule(at);
    this.fanoutTimer.schedule(at);
    this.alarms.schedule(at + SAFETY_NET_MS);
  }

  /** After a committed write: arm the safety-net alarm and start fan-out without delaying the answer. */
  private committed(): void {
    // The alarm also runs the archive and media references (paced by `archiveDue`): a change is
    // archived by then, and the fan-out's safety net is covered by the same alarm.
    const now = Date.now();
    this.alarms.schedule(Math.min(now + SAFETY_NET_MS, Math.max(now, this.archiveDue())));
    this.ctx.waitUntil(this.fanout.run());
  }

  /** When the next archive pass may run: soon for a busy chat, later for a quiet one (see ARCHIVE_INTERVAL_MS). */
  private archiveDue(): number {
    const busy = this.store.archiveQueuedSincePass >= ARCHIVE_BUSY_ROWS || this.store.archiveUrgent;
    return this.archivedAt + (busy ? ARCHIVE_INTERVAL_MS : this.archiveQuietMs);
  }

  /** Removes the disappearing messages whose time came, and asks the alarm for the next deadline. */
  private expireDue(): void {
    while (disappearing.expirePass(this.context, Date.now()).more);
    this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    const at = expiryAlarm(this.store.nextExpiry, Date.now());
    if (at !== null) this.alarms.schedule(at);
  }

  /** The per-conversation send limit, last check before a send's write. */
  private admitSend(): Result<null> {
    if (!rateLimitsEnabled(this.env)) return ok(null);
    const verdict = this.sendLimit.take("all");
    if (verdict.ok) return ok(null);
    return err("rate_limited", `too many messages in this conversation; retry in ${verdict.retryAfterSeconds} s`, {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }
}
