/**
 * One Durable Object per user: holds all of the user's WebSockets (hibernation API, so idle devices
 * cost nothing), the user's append-only event log with cursors, and the chat list. This class only
 * wires the runtime — sockets, storage, alarm, other objects — to the modules with the rules:
 * ./frames.ts (the socket protocol), ./event-log.ts (log, replay, acks), ./chat-list.ts,
 * ./delivered-receipts.ts, ./presence.ts, ./push.ts, ./profiles.ts, over one store (./store.ts).
 *
 * Conversations push events here (`deliver`, idempotent on conversation + ev). Devices say
 * `hello {cursor}` and get exactly what they missed, in order, then live events; they `ack` what they
 * stored, which reports "delivered" back to the conversations. The Worker authenticates the user and
 * routes by user id, so everything here acts as that user.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type ChatListState,
  type ConversationSummary,
  type EventBody,
  type Message,
  type Presence,
  type PushSubscriptionBody,
  type ServerFrame,
  type User,
} from "../../client/sdk/protocol/index.ts";
import type { PresenceRecord, PresenceVisibility } from "../../lib/presence.ts";
import type { ProfileVisibility } from "../../lib/profile-visibility.ts";
import type { Result } from "../../lib/result.ts";
import { WS_TICKET_TTL_SECONDS } from "../../lib/ws-ticket.ts";
import type { Alarm } from "../shared/alarm.ts";
import type { Drain } from "../shared/drain.ts";
import { migrate } from "../shared/migrations.ts";
import { applyToChatList } from "./chat-list.ts";
import { asEvent, eventsFrame, type DeliveredEvent, type EventLog } from "./event-log.ts";
import type { FrameHandler, SendRequest } from "./frames.ts";
import type { ConversationCalls } from "./conversation-calls.ts";
import { wireHub } from "./parts.ts";
import type { HubBlocks } from "./blocks.ts";
import type { ChatStateChange, HubChatState } from "./chat-state.ts";
import type { HubAccountDeletion } from "./account-deletion.ts";
import type { HubPresence } from "./presence.ts";
import type { HubProfiles } from "./profiles.ts";
import type { HubPush } from "./push.ts";
import { HUB_MIGRATIONS } from "./schema.ts";
import type { HubSockets } from "./sockets.ts";
import type { HubStore } from "./store.ts";
import { claimTicket, revokeSessionTickets } from "./tickets.ts";

/**
 * If an in-line pass dies with the isolate, the alarm finishes it. Only that rare case waits this
 * long; a short net made every busy hub's alarm ring every few seconds to find nothing to do.
 */
const SAFETY_NET_MS = 30_000;
/**
 * Device cursors and receipts changed by acks are stored at the latest this long after (./store.ts);
 * the next delivery's write usually takes them sooner. A crash loses at most this much of them, and
 * the devices' hellos restore it.
 */
const LAZY_PERSIST_MS = 5_000;
/** How long an acked receipt waits for a delivery from its conversation to ride back with. */
const RECEIPT_DELAY_MS = 250;
/**
 * A group's receipts wait longer: its tick is "delivered to all", and in a big group with a message
 * every half second each member's hub would otherwise call the conversation once per message.
 */
const GROUP_RECEIPT_DELAY_MS = 1_000;

export class UserHubDO extends DurableObject<Env> {
  private readonly store: HubStore;
  private readonly log: EventLog;
  private readonly alarms: Alarm;
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  private reportTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly frames: FrameHandler;
  private readonly presenceState: HubPresence;
  private readonly push: HubPush;
  private readonly profiles: HubProfiles;
  private readonly blocks: HubBlocks;
  private readonly chatState: HubChatState;
  private readonly receipts: Drain;
  private readonly pushes: Drain;
  private readonly profileFanout: Drain;
  private readonly sockets: HubSockets;
  private readonly conversations: ConversationCalls;
  private readonly deletion: HubAccountDeletion;
  private readonly accountDeletion: Drain;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const parts = wireHub(ctx, env, {
      userId: () => this.userId,
      write: (fn) => this.write(fn),
      kick: (job) => this.kick(job),
      hello: (ws, deviceId, cursor) => this.hello(ws, deviceId, cursor),
      ack: (deviceId, cursor) => this.ack(deviceId, cursor),
      readHere: (conversationId, upTo) => this.readHere(conversationId, upTo),
      readTaken: (conversationId, upTo) => this.readTaken(conversationId, upTo),
    });
    ({ store: this.store, log: this.log, alarms: this.alarms, frames: this.frames, sockets: this.sockets } = parts);
    ({ presence: this.presenceState, push: this.push, profiles: this.profiles, blocks: this.blocks } = parts);
    ({ receipts: this.receipts, pushes: this.pushes, profileFanout: this.profileFanout } = parts);
    this.conversations = parts.conversations;
    this.chatState = parts.chatState;
    ({ deletion: this.deletion, accountDeletion: this.accountDeletion } = parts);
    // Keep-alives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, HUB_MIGRATIONS);
      this.store.load();
      this.log.wake();
      await this.alarms.load();
    });
  }

  /** The user (the object's name), read from the runtime once: the modules ask for it on every event. */
  private ownerId: string | null = null;

  private get userId(): string {
    if (this.ownerId !== null) return this.ownerId;
    const name = this.ctx.id.name;
    if (!name) throw new Error("UserHub must be addressed by name (the user id)");
    this.ownerId = name;
    return name;
  }

  // ---- WebSocket upgrade (from the Worker, already authenticated) --------------------------------

  override async fetch(request: Request): Promise<Response> {
    return this.sockets.upgrade(request, this.userId, {
      // Ticket upgrades (workers/routes/realtime.ts): each ticket opens one socket, ever.
      claim: (ticket) => this.write(() => claimTicket(this.store, ticket)),
      replaced: (gone) => this.write(() => gone.forEach((ws) => this.presenceState.socketGone(ws))),
    });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    return this.frames.handle(ws, this.sockets.state(ws), raw);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the close handshake; 1005/1006 are not valid codes to send back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
    this.write(() => this.presenceState.socketGone(ws));
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    // The runtime closes the socket; the device reconnects and resumes from its cursor.
    this.write(() => this.presenceState.socketGone(ws));
  }

  // ---- RPC from conversations ----------------------------------------------------------------------

  /**
   * Appends a conversation's events to the log (once each) and pushes the new ones to live devices.
   *
   * The frame leaves before the write when the cursor lease covers it: the runtime holds a message
   * sent after a write until that write is durable, and the events are durable already (in their
   * conversation, which retries until this answer, itself held for the write). A lost write then
   * costs a repeat the device drops by seq, never a reused cursor (./store.ts CURSOR_LEASE). This
   * takes one commit off the send → other device path.
   */
  async deliver(conversationId: string, events: DeliveredEvent[]): Promise<number | null> {
    const now = Date.now();
    let introduced = false;
    let newDirect = false;
    const planned = this.log.plan(conversationId, events, now);
    const last = planned[planned.length - 1];
    const early = last !== undefined && this.store.leaseCovers(last.cursor);
    if (early) this.sockets.broadcast(eventsFrame(planned));
    const fresh = this.write(() => {
      if (last && this.sockets.count > 0) this.store.leaseThrough(last.cursor);
      const logged = this.log.append(conversationId, planned);
      for (const e of logged) {
        applyToChatList(this.store, this.userId, conversationId, e.body, now);
        if (e.body.kind === "conversation" && e.body.conversation.peerId) {
          introduced = this.profiles.introduce(e.body.conversation.peerId) || introduced;
          newDirect = true;
        }
      }
      if (logged.length > 0 && this.push.watching()) this.push.onDeliver(conversationId, logged.map(asEvent));
      return logged;
    });
    if (!early && fresh.length > 0) this.sockets.broadcast(eventsFrame(fresh));
    if (introduced) this.kick(this.profileFanout); // a new direct peer gets this user's changed profile
    // A direct chat the peer opened reaches this user with its first message, after this user may
    // have turned read receipts off: the chat learns it now, before any read of theirs (same stub).
    if (newDirect && this.store.setting("read_receipts") === "off")
      this.ctx.waitUntil(this.conversations.call(conversationId, (c) => c.setPrivateReads(this.userId, true)));
    // What this user's devices acked of the conversation rides back with the answer.
    return this.store.claimReceipt(conversationId, now);
  }

  // ---- RPC from the Worker -------------------------------------------------------------------------

  /** A send over REST: the same budget and order as the user's WebSocket sends (./frames.ts). */
  async send(conversationId: string, input: SendRequest): Promise<Result<{ message: Message; duplicate: boolean }>> {
    return this.frames.send(conversationId, input);
  }

  /** Stores a browser's push subscription (already validated by the Worker). */
  async addPushSubscription(sub: PushSubscriptionBody): Promise<void> {
    this.write(() => this.push.subscribe(sub));
  }

  /** Forgets a push subscription. */
  async removePushSubscription(endpoint: string): Promise<void> {
    this.write(() => this.push.unsubscribe(endpoint));
  }

  /** Mutes pushes for one of the user's chats (logged for every device); false if the user has no such chat. */
  async mutePush(conversationId: string, until: number | "always" | null): Promise<boolean> {
    return this.chatState.mute(conversationId, until);
  }

  /** Pins, archives, marks unread or deletes a chat for this user (./chat-state.ts). */
  async changeChatState(conversationId: string, change: ChatStateChange): Promise<Result<ChatListState>> {
    return this.chatState.change(conversationId, change);
  }

  /** Private previews: `previews: false` makes pushes say only "New message". */
  async setPushPreviews(previews: boolean): Promise<boolean> {
    this.write(() => this.push.setPreviews(previews));
    return this.push.previews();
  }

  /** The user's notification preferences. */
  async pushPreviews(): Promise<boolean> {
    return this.push.previews();
  }

  /** The chat list (README "REST API": `GET /v1/conversations`). */
  async chatList(): Promise<ConversationSummary[]> {
    return this.store.chatList();
  }

  /**
   * This user changed their public profile (after the Postgres write); `version` orders changes,
   * `visibility` is who sees the picture and about (the row's, written with it).
   */
  async profileChanged(user: User, version: number, visibility?: ProfileVisibility): Promise<void> {
    this.profiles.changed(user, version, visibility);
  }

  /** Someone this user chats with changed their profile (their hub); logged if newer than known. */
  async peerProfile(user: User, version: number): Promise<void> {
    this.profiles.received(user, version);
  }

  /** Peer profiles the chat-list route read from Postgres, for peers this hub had none of. */
  async rememberPeers(users: User[]): Promise<void> {
    this.write(() => this.profiles.remember(users));
  }

  /** The newest cursor, connected devices, and profile deliveries still queued (tests, diagnostics). */
  async stats(): Promise<{ head: number; sockets: number; logSize: number; profileQueue: number }> {
    return {
      head: this.store.headCursor,
      sockets: this.sockets.count,
      logSize: this.store.logSize(),
      profileQueue: this.profiles.queued(),
    };
  }

  /** Logout: closes every socket opened with that session (4001: do not reconnect with it). */
  async closeSession(sessionId: string): Promise<number> {
    this.write(() => revokeSessionTickets(this.store, sessionId, (WS_TICKET_TTL_SECONDS + 60) * 1000));
    const sockets = this.sockets.ofSession(sessionId);
    for (const ws of sockets) this.sockets.close(ws, CLOSE_CODES.unauthorized, "logged out");
    this.write(() => sockets.forEach((ws) => this.presenceState.socketGone(ws)));
    return sockets.length;
  }

  /**
   * Deletes this account (README "Deleting an account"; the Worker checked the password): closes
   * every socket at once, then works the job (./account-deletion.ts) until the account's own rows
   * are done. True once they are (username free, sessions ended); false = still queued, retried by
   * the alarm; calling again is harmless.
   */
  async deleteAccount(): Promise<boolean> {
    this.deletion.begin(Date.now());
    this.alarms.schedule(Date.now() + SAFETY_NET_MS);
    await this.accountDeletion.run();
    return this.deletion.accountDone;
  }

  /** This user's presence record (the source of truth behind the Redis copy). */
  async presence(): Promise<PresenceRecord> {
    return this.presenceState.record();
  }

  /** The people this user has a direct chat with: "people I chat with" for presence privacy. */
  async directPeers(): Promise<string[]> {
    return this.store.directPeers();
  }

  /** Who may see this user's online state and last seen. Takes effect for everyone at once. */
  async setPresenceVisibility(visibility: PresenceVisibility): Promise<PresenceRecord> {
    return this.presenceState.setVisibility(visibility);
  }

  /** Whether this user sends and sees read receipts in direct chats (README "Privacy"). */
  async readReceipts(): Promise<boolean> {
    return this.store.setting("read_receipts") !== "off";
  }

  /**
   * Turns read receipts on or off; answers the direct chats to tell (the Worker tells each
   * conversation, which keeps a copy for its receipt path).
   */
  async setReadReceipts(on: boolean): Promise<string[]> {
    this.write(() => this.store.setSetting("read_receipts", on ? null : "off"));
    return this.store
      .chatList()
      .filter((c) => c.type === "direct")
      .map((c) => c.id);
  }

  /** This user blocks or unblocks `userId` (logged for their devices; ./blocks.ts). */
  async setBlock(userId: string, blocked: boolean): Promise<void> {
    this.blocks.set(userId, blocked);
  }

  /** `userId` blocked or unblocked this user (not shown to them). */
  async setBlockedBy(userId: string, blocked: boolean): Promise<void> {
    this.blocks.setBy(userId, blocked);
  }

  /** Who this user blocked, oldest first. */
  async blockedList(): Promise<string[]> {
    return this.blocks.blocked();
  }

  /**
   * What the Worker needs to show others to this user: whom they chat with directly ("contacts" for
   * privacy) and who blocked them (hidden presence and profile; cannot be added to a group by them).
   */
  async viewer(): Promise<{ contacts: string[]; blockedBy: string[] }> {
    return { contacts: this.store.directPeers(), blockedBy: this.blocks.blockers() };
  }

  // ---- RPC from other hubs and conversations (ephemeral, not logged) ------------------------------------

  /** A peer's presence changed: tell this user's live devices. */
  async presenceChanged(presence: Presence): Promise<void> {
    this.sockets.broadcast(JSON.stringify({ type: "presence", presence } satisfies ServerFrame));
  }

  /**
   * Someone in one of this user's conversations is typing. Answers whether this user has a connected
   * device: the conversation stops waking hubs that answer false for a while.
   */
  async typing(conversationId: string, userId: string, typing: boolean): Promise<boolean> {
    if (userId !== this.userId)
      this.sockets.broadcast(JSON.stringify({ type: "typing", conversationId, userId, typing } satisfies ServerFrame));
    return this.sockets.live().length > 0;
  }

  override async alarm(): Promise<void> {
    this.alarms.fired();
    await this.presenceState.settle();
    await this.receipts.run();
    await this.pushes.run();
    await this.profileFanout.run();
    if (this.deletion.started) await this.accountDeletion.run();
  }

  // ---- frames ----------------------------------------------------------------------------------------

  private hello(ws: WebSocket, deviceId: string, cursor: number): void {
    const replaced = this.sockets.hello(ws, deviceId);
    const acked = this.write(() => {
      this.store.deviceSeen(deviceId, Date.now());
      this.presenceState.online();
      replaced.forEach((gone) => this.presenceState.socketGone(gone));
      // The device has everything up to its cursor: an ack, which also restores one that a crash
      // lost before it was stored (acks are stored lazily). Not for a cursor from another log.
      return cursor >= this.store.oldestCursor - 1 && cursor <= this.store.headCursor
        ? this.log.ack(deviceId, cursor, Date.now())
        : null;
    });
    if (acked !== null) this.kick(this.receipts);
    const head = this.store.headCursor;
    const welcome: ServerFrame = { type: "welcome", v: PROTOCOL_VERSION, userId: this.userId, head };
    this.sockets.send(ws, JSON.stringify(welcome));
    // Synchronous reads and sends: no live event can interleave with the replay.
    const { reset } = this.log.replay(cursor, (frame) => this.sockets.send(ws, frame));
    this.sockets.send(ws, JSON.stringify({ type: "synced", cursor: head, reset } satisfies ServerFrame));
  }

  /** In memory only: stored with the next write or within LAZY_PERSIST_MS (./store.ts `persistLazy`). */
  private ack(deviceId: string, requested: number): void {
    const cursor = this.log.ack(deviceId, requested, Date.now());
    if (cursor === null) return;
    // This device has them: no notification needed (a write only when a burst is pending).
    if (this.store.hasPendingPushes) this.write(() => this.push.onAck(cursor));
    this.persistSoon();
    // An ack that owes nothing (a sender's devices acking their own echo and ticks) needs no timer:
    // it would wake the object only to find no receipt due.
    if (this.store.nextReceiptDue() !== null) this.reportSoon();
  }

  /**
   * A read from one of this user's devices: the read marker their devices (and the chat list) need
   * is logged here, before the conversation is told, so the conversation sends none back — one
   * delivery fewer per read. Up to the newest message this hub has of the chat (a device cannot have
   * read past it); nothing new when the chat already shows it read (a retried read). The marker
   * stands if the conversation call then fails: the user did read, and the retry finds it here.
   */
  private readHere(conversationId: string, upTo: number): boolean {
    const chat = this.store.chatReadState(conversationId);
    if (!chat || !chat.active) return false;
    const target = Math.min(upTo, chat.lastSeq);
    if (target <= chat.readUpto) return true;
    const now = Date.now();
    const body: EventBody = { kind: "read_marker", conversationId, upTo: target };
    // The ack a read frame carries is stored with the marker: this write happens anyway, and the
    // persist timer it leaves nothing to would be a turn of its own (LAZY_PERSIST_MS later).
    const event = this.write(() => {
      const logged = this.log.appendOwn(`read:${conversationId}:${target}`, body, now, conversationId);
      if (logged) applyToChatList(this.store, this.userId, conversationId, body, now);
      return logged;
    }, true);
    if (event) this.sockets.broadcast(eventsFrame([event]));
    return true;
  }

  /**
   * A read lifts delivered in its conversation, so it settles a receipt owed there (./store.ts);
   * with nothing else owed, the report timer has nothing to do and need not wake the object.
   */
  private readTaken(conversationId: string, upTo: number): void {
    this.store.receiptCoveredByRead(conversationId, upTo);
    if (this.reportTimer !== null && this.store.nextReceiptDue() === null) {
      clearTimeout(this.reportTimer);
      this.reportTimer = null;
    }
  }

  /**
   * Reports delivered receipts after RECEIPT_DELAY_MS (GROUP_RECEIPT_DELAY_MS when only groups are
   * owed) unless the conversations' next deliveries took them first (`deliver` answers with them):
   * in a busy chat a receipt costs no call of its own.
   */
  private reportSoon(): void {
    if (this.reportTimer !== null) return;
    this.reportTimer = setTimeout(() => {
      this.reportTimer = null;
      const due = this.store.receiptsDue(Date.now());
      if (due.length === 0) return;
      if (due.some((r) => !this.store.isGroup(r.conversation_id))) return this.kick(this.receipts);
      // Only groups are owed: they wait the rest of their delay, for a delivery to take them first.
      this.reportTimer = setTimeout(() => {
        this.reportTimer = null;
        if (this.store.receiptsDue(Date.now()).length > 0) this.kick(this.receipts);
      }, GROUP_RECEIPT_DELAY_MS - RECEIPT_DELAY_MS);
    }, RECEIPT_DELAY_MS);
  }

  /** Stores what is only in memory (cursors, receipts) unless another write does it first. */
  private persistSoon(): void {
    if (this.persistTimer !== null) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      if (this.store.hasLazyWrites) this.write(() => this.store.persistLazy(Date.now(), true));
    }, LAZY_PERSIST_MS);
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** One storage transaction; on failure the hot state is reloaded so memory never runs ahead. */
  private write<T>(fn: () => T, storeLazy = false): T {
    try {
      const result = this.ctx.storage.transactionSync(() => {
        const result = fn();
        this.store.persistLazy(Date.now(), storeLazy);
        return result;
      });
      // A write that took every lazy change along leaves the persist timer nothing to do.
      if (this.persistTimer !== null && !this.store.hasLazyWrites) {
        clearTimeout(this.persistTimer);
        this.persistTimer = null;
      }
      return result;
    } catch (error) {
      this.store.load();
      this.log.wake();
      throw error;
    }
  }

  /** Starts a background job now, with the alarm as a safety net if this isolate goes away first. */
  private kick(job: Drain): void {
    this.alarms.schedule(Date.now() + SAFETY_NET_MS);
    this.ctx.waitUntil(job.run());
  }
}
