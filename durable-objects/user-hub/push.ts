/**
 * The hub's notification decisions, kept out of the class file. A message from someone else opens
 * (or joins) a pending push for its conversation, due PUSH_DELAY_MS later; a device ack covering it,
 * a mute, or a delete-for-everyone of its only message cancels it. When the alarm finds it still due,
 * ONE payload per conversation ("3 new messages") goes into an outbox row per subscription, which is
 * sent with retries (429/5xx, honouring Retry-After, bounded); 404/410 delete the subscription.
 *
 * Everything is SQLite rows, so a hibernated or evicted hub resumes where it was; the only timer is
 * the DO alarm (`schedule`), never setTimeout.
 */
import { MUTED_FOREVER } from "./chat-state-store.ts";
import type { Event, EventBody, PushPayload, PushSubscriptionBody } from "../../client/sdk/protocol/index.ts";
import { withUserStore } from "../../db/user-store.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { loadVapidKeys, vapidProblem } from "../../lib/webpush/keys.ts";
import { sendWebPush, topicFor } from "../../lib/webpush/send.ts";
import { log } from "../../lib/log.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import type { PassOutcome } from "../shared/drain.ts";
import type { HubStore, PendingPushRow } from "./store.ts";

/** How long a device has to ack a message before its owner gets a push: long enough for a live socket. */
export const PUSH_DELAY_MS = 3_000;
/** Send attempts per push before it is dropped (429/5xx/network). */
export const MAX_PUSH_ATTEMPTS = 5;
/** A notification older than this is stale: the push service drops it, and so do our retries. */
export const PUSH_TTL_SECONDS = 24 * 3600;
/** Browsers/devices per user; registering one more forgets the oldest. */
export const MAX_PUSH_SUBSCRIPTIONS = 20;
/** Preview text cut (characters): a notification shows two lines at most. */
const PREVIEW_CHARS = 120;
/** Parallel requests from one hub. */
const SEND_CONCURRENCY = 6;
/** Key in the hub's `settings` table. */
const PREVIEWS_KEY = "push_previews";

type PendingRow = PendingPushRow;

/** Push state of one user; the hub constructs one and calls the hooks below. */
export class HubPush {
  constructor(
    private readonly store: HubStore,
    private readonly env: Env,
    private readonly userId: () => string,
    private readonly schedule: (at: number) => void,
  ) {}

  // ---- settings (RPC from the Worker) -----------------------------------------------------------

  /** Stores (or refreshes) one browser's subscription; the oldest beyond the cap is forgotten. */
  subscribe(sub: PushSubscriptionBody): void {
    this.store.subscribe(
      { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth },
      Date.now(),
      MAX_PUSH_SUBSCRIPTIONS,
    );
  }

  /** Forgets a subscription and anything queued for it. */
  unsubscribe(endpoint: string): void {
    this.store.unsubscribe(endpoint);
  }

  /** How many subscriptions this user has (kept in memory: checked for every message). */
  subscriptionCount(): number {
    return this.store.subscriptionCount;
  }

  /** Mutes until `until` (ms), forever ("always") or unmutes (null). False if not one of the user's chats. */
  mute(conversationId: string, until: number | "always" | null): boolean {
    if (!this.store.hasChat(conversationId)) return false;
    if (until === null) this.store.setMute(conversationId, null);
    else {
      this.store.setMute(conversationId, until === "always" ? MUTED_FOREVER : until);
      this.store.dropPendingPush(conversationId);
    }
    return true;
  }

  /** False = private previews: pushes say only "New message". Default true. */
  previews(): boolean {
    return this.store.setting(PREVIEWS_KEY) !== "0";
  }

  /** Stores the private-previews choice in the hub's `settings` table. */
  setPreviews(previews: boolean): void {
    this.store.setSetting(PREVIEWS_KEY, previews ? "1" : "0");
  }

  // ---- hooks -----------------------------------------------------------------------------------

  /** After `deliver` logged fresh events: open/extend pending pushes, or cancel on delete-for-everyone. */
  /** Whether delivered events can matter to push at all (a subscription, or a push pending). */
  watching(): boolean {
    return this.store.subscriptionCount > 0 || this.store.hasPendingPushes;
  }

  onDeliver(conversationId: string, fresh: readonly Event[]): void {
    if (!this.watching()) return;
    let opened = false;
    for (const event of fresh) {
      if (event.kind === "message_deleted") {
        this.cancelSeq(conversationId, event.seq);
        continue;
      }
      if (event.kind === "messages_expired") {
        for (const seq of event.seqs) this.cancelSeq(conversationId, seq);
        continue;
      }
      if (event.kind !== "message") continue;
      const m = event.message;
      if (m.senderId === this.userId() || m.system !== null || m.deleted) continue;
      if (!opened && (this.subscriptionCount() === 0 || this.isMuted(conversationId))) return;
      opened = true;
      const pending = this.pending(conversationId);
      const seqs = pending ? [...(JSON.parse(pending.seqs) as number[]), m.seq] : [m.seq];
      const due = pending?.due ?? Date.now() + PUSH_DELAY_MS;
      this.store.putPendingPush({
        conversation_id: conversationId,
        seqs: JSON.stringify(seqs),
        last_cursor: event.cursor,
        due,
      });
      this.schedule(due);
    }
  }

  /** A device stored everything up to `cursor`: pushes for those messages are no longer needed. */
  onAck(cursor: number): void {
    this.store.dropPendingPushesUpTo(cursor);
  }

  /**
   * One pass of the hub's drain loop (from the alarm): turn due pending pushes into outbox rows,
   * send what is due, and say when the rest is due.
   */
  async pass(): Promise<PassOutcome> {
    // Without subscriptions or pending bursts nothing can be due (the outbox only fills from
    // subscriptions): most hubs, most alarms, so no query at all.
    if (!this.watching()) return {};
    const now = Date.now();
    const previews = this.previews();
    const due = this.store.pendingPushesDue(now);
    // Any device that acked past the burst already has it; the ack hook normally got there first.
    const acked = this.store.maxAcked();
    for (const row of due) {
      const drop = () => this.store.dropPendingPush(row.conversation_id);
      if (row.last_cursor <= acked || this.isMuted(row.conversation_id)) {
        drop();
        continue;
      }
      const payload = JSON.stringify(await this.payload(row, previews));
      // The name lookup awaited: an ack, mute or delete may have cancelled the burst meanwhile, or
      // more messages joined it (then the next pass sends the fuller one).
      const still = this.pending(row.conversation_id);
      if (!still || still.last_cursor !== row.last_cursor || still.seqs !== row.seqs) continue;
      drop();
      this.store.queuePushPayloads(row.conversation_id, payload, now);
    }
    await this.sendDue();
    return { dueAt: this.store.nextPushDue() };
  }

  private async sendDue(): Promise<void> {
    const rows = this.store.pushOutboxDue(Date.now());
    if (rows.length === 0) return;
    const problem = vapidProblem(this.env);
    const loading = problem ? null : loadVapidKeys(this.env);
    if (!loading) {
      // Push not configured, or refused (VAPID_SUBJECT): nothing can be sent until a deploy fixes it.
      if (problem) log("error", "push_misconfigured", { problem, dropped: rows.length });
      this.store.clearPushOutbox();
      return;
    }
    const vapid = await loading;
    await forEachBounded(rows, SEND_CONCURRENCY, async (row) => {
      const sub = this.store.subscription(row.endpoint);
      if (!sub) return this.store.dropPush(row.id);
      const outcome = await sendWebPush(sub, row.payload, vapid, {
        ttlSeconds: PUSH_TTL_SECONDS,
        urgency: "high",
        topic: await topicFor(row.conversation_id),
      });
      // By id: a newer payload for the same conversation may have replaced this row meanwhile.
      if (outcome.kind === "gone") return this.unsubscribe(row.endpoint);
      if (outcome.kind === "retry") {
        const attempts = row.attempts + 1;
        const delay = Math.max(outcome.retryAfterMs ?? 0, backoffMs(attempts));
        if (attempts < MAX_PUSH_ATTEMPTS && delay < PUSH_TTL_SECONDS * 1000) {
          this.store.retryPush(row.id, attempts, Date.now() + delay);
          return;
        }
      }
      if (outcome.kind === "rejected" || outcome.kind === "retry") {
        // Status code only: never the payload or the endpoint (it is a bearer capability).
        log("warn", "push dropped", { status: outcome.status });
      }
      this.store.dropPush(row.id);
    });
  }

  /**
   * What the notification says. Previews on: direct chats are titled with the sender's name
   * ("3 new messages from alice" / the text of a single message), groups with the group name
   * ("alice: hi"). Private previews: "New message" only, no name, no text.
   */
  private async payload(row: PendingRow, previews: boolean): Promise<PushPayload> {
    const id = row.conversation_id;
    const burst = (JSON.parse(row.seqs) as number[]).length;
    const unread = this.store.unreadCount(id);
    const count = Math.max(burst, unread, 1);
    if (!previews) return { conversationId: id, title: "New message", body: "New message", count };
    const chat = this.store.chat(id);
    // The newest message of the burst (still in the log: nothing acked it, or it would be cancelled).
    const logged = this.store.logBody(row.last_cursor);
    const event = logged ? (JSON.parse(logged) as EventBody) : null;
    const last = event?.kind === "message" ? event.message : null;
    const sender = last ? await this.displayName(last.senderId) : null;
    const preview = last?.text ? last.text.slice(0, PREVIEW_CHARS) : last?.media ? "Sent an attachment" : "New message";
    if (chat?.type === "group") {
      const body = count === 1 ? (sender ? `${sender}: ${preview}` : preview) : `${count} new messages`;
      return { conversationId: id, title: chat.name ?? "New message", body, count };
    }
    const body = count === 1 ? preview : `${count} new messages${sender ? ` from ${sender}` : ""}`;
    return { conversationId: id, title: sender ?? "New message", body, count };
  }

  /** The sender's display name: Redis-cached profile, else Postgres; null if neither answers. */
  private async displayName(userId: string): Promise<string | null> {
    try {
      const user = await ProfileCache.fromEnv(this.env).getProfile(userId, () =>
        withUserStore(this.env, (store) => store.getUser(userId)),
      );
      return user?.displayName ?? null;
    } catch {
      return null; // the push still goes out, just without a name
    }
  }

  private pending(conversationId: string): PendingRow | null {
    return this.store.pendingPush(conversationId);
  }

  /** Delete for everyone before the push left: drop that message; no messages left → no push. */
  private cancelSeq(conversationId: string, seq: number): void {
    const pending = this.pending(conversationId);
    if (!pending) return;
    const seqs = (JSON.parse(pending.seqs) as number[]).filter((s) => s !== seq);
    if (seqs.length === 0) this.store.dropPendingPush(conversationId);
    else this.store.setPendingPushSeqs(conversationId, JSON.stringify(seqs));
  }

  private isMuted(conversationId: string): boolean {
    const until = this.store.muteUntil(conversationId);
    if (until === null) return false;
    if (until > Date.now()) return true;
    this.store.setMute(conversationId, null);
    return false;
  }
}
