/**
 * One Durable Object per user: holds all of the user's WebSockets (hibernation API, so idle devices
 * cost nothing), the user's append-only event log with cursors, and the chat list.
 *
 * Conversations push events here (`deliver`, idempotent on conversation + ev). Devices say
 * `hello {cursor}` and get exactly what they missed, in order, then live events; they `ack` what they
 * stored, which reports "delivered" back to the conversations (retried by alarm until it lands).
 * The Worker authenticates the user and routes by user id, so everything here acts as that user.
 */
import { errorSummary } from "../../lib/log.ts";
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_CODES,
  ClientFrame,
  MAX_FRAME_BYTES,
  MAX_REPLAY_EVENTS,
  PROTOCOL_VERSION,
  WS_SUBPROTOCOL,
  type ConversationSummary,
  type ErrorBody,
  type ErrorCode,
  type Event,
  type EventBody,
  type Media,
  type Presence,
  type ServerFrame,
  type User,
} from "../../client/sdk/protocol/index.ts";
import type { Result } from "../../lib/result.ts";
import type { ConversationDO } from "../conversation/ConversationDO.ts";
import type { ConversationEvent } from "../conversation/rows.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import { migrate } from "../shared/migrations.ts";
import { iso } from "../../lib/time.ts";
import { applyToChatList, readChatList } from "./chat-list.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { writePresence } from "../../db/cache/presence-cache.ts";
import {
  OFFLINE_GRACE_MS,
  isVisibility,
  presenceAsSeenBy,
  type PresenceRecord,
  type PresenceVisibility,
} from "../../lib/presence.ts";
import { HUB_MIGRATIONS } from "./schema.ts";
import { readSocketState, writeSocketState } from "./socket-state.ts";
import { SendGates } from "./send-gates.ts";
import { AppError, asAppError } from "../../lib/errors.ts";
import { resolveMediaForSend } from "../../db/media-resolve.ts";
import { SENDS_PER_USER, TokenBuckets, rateLimitsEnabled } from "../../lib/rate-limits.ts";
import { WS_TICKET_TTL_SECONDS } from "../../lib/ws-ticket.ts";
import { claimTicket, revokeSessionTickets } from "./tickets.ts";
import type { PushSubscriptionBody } from "../../client/sdk/protocol/index.ts";
import { HubPush } from "./push.ts"; // push notifications (issue 8)
import { HubProfiles } from "./profiles.ts";

/** Events kept for devices that have not acked them; a device further behind gets `synced {reset}`. */
const MAX_LOG_EVENTS = 20_000;
/** A device not seen for this long no longer holds back log trimming. */
const DEVICE_BACKLOG_MS = 30 * 24 * 60 * 60 * 1000;

export class UserHubDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly conversations = new Map<string, DurableObjectStub<ConversationDO>>();
  private alarmAt: number | null = null;
  private flushingReceipts: Promise<void> | null = null;
  private readonly sendGates = new SendGates();
  /** Sends per user (all devices): exact here, the object is single-threaded. */
  private readonly sendLimit = new TokenBuckets(SENDS_PER_USER, 1);
  /** Push notifications (issue 8): decisions and sending live in ./push.ts. */
  private readonly push: HubPush;
  /** Profile changes: announcing this user's, receiving peers' (./profiles.ts). */
  private readonly profiles: HubProfiles;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.push = new HubPush(
      this.sql,
      env,
      () => this.userId,
      (at) => this.scheduleAlarm(at),
    );
    this.profiles = new HubProfiles(this.sql, {
      userId: () => this.userId,
      transaction: (write) => ctx.storage.transactionSync(write),
      log: (key, body) => this.appendToLog(key, body),
      broadcast: (events) => this.broadcast({ type: "events", events }),
      hub: (userId) => env.USER_HUB.getByName(userId),
      conversation: (conversationId) => env.CONVERSATION.getByName(conversationId),
      scheduleAlarm: (at) => this.scheduleAlarm(at),
      waitUntil: (work) => ctx.waitUntil(work),
    });
    // Keep-alives are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, HUB_MIGRATIONS);
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private get userId(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("UserHub must be addressed by name (the user id)");
    return name;
  }

  // ---- WebSocket upgrade (from the Worker, already authenticated) --------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    if (request.headers.get("x-user-id") !== this.userId) return new Response("wrong hub", { status: 403 });
    // Ticket upgrades (workers/routes/realtime.ts): each ticket opens one socket, ever.
    const nonce = request.headers.get("x-ticket-nonce");
    if (nonce !== null) {
      const ticket = {
        nonce,
        exp: Number(request.headers.get("x-ticket-exp")),
        sessionId: request.headers.get("x-session-id") ?? "",
      };
      if (!claimTicket(this.sql, ticket)) {
        const body: ErrorBody = { error: { code: "unauthorized", message: "ticket already used or expired" } };
        return new Response(JSON.stringify(body), { status: 401, headers: { "content-type": "application/json" } });
      }
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    writeSocketState(server, { v: 1, deviceId: null, sessionId: request.headers.get("x-session-id") });
    const headers = new Headers();
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    if (offered.split(",").some((p) => p.trim() === WS_SUBPROTOCOL))
      headers.set("sec-websocket-protocol", WS_SUBPROTOCOL);
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const size = typeof raw === "string" ? raw.length : raw.byteLength;
    if (size > MAX_FRAME_BYTES)
      return this.sendError(ws, "frame_too_large", `frames are at most ${MAX_FRAME_BYTES} bytes`);
    if (typeof raw !== "string") return this.sendError(ws, "invalid_request", "frames are JSON text");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.sendError(ws, "invalid_json", "frame is not valid JSON");
    }
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) {
      const id = typeof (json as { id?: unknown } | null)?.id === "string" ? (json as { id: string }).id : undefined;
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return this.sendError(ws, "invalid_request", `${where}${issue?.message ?? "invalid frame"}`, id);
    }
    const frame = parsed.data;
    const state = readSocketState(ws);
    if (frame.type === "hello") return this.onHello(ws, frame.deviceId, frame.cursor);
    if (state.deviceId === null) return this.sendError(ws, "invalid_request", "say hello first");
    switch (frame.type) {
      case "ack":
        return this.onAck(state.deviceId, frame.cursor);
      case "ping":
        return this.send(ws, { type: "pong" });
      case "send": {
        // Over the per-user rate: refused before the conversation sees it, so no seq is consumed.
        const verdict = rateLimitsEnabled(this.env) ? this.sendLimit.take(this.userId) : { ok: true as const };
        if (!verdict.ok)
          return this.sendError(
            ws,
            "rate_limited",
            `too many messages; retry in ${verdict.retryAfterSeconds} s`,
            frame.id,
          );
        // A media id is resolved (uploader only, else not_found) before the conversation sees the send.
        const gate = this.sendGates.enter(frame.conversationId, frame.mediaId !== undefined);
        let media: Media | undefined;
        try {
          if (gate.prior) await gate.prior;
          if (frame.mediaId !== undefined) {
            media = await resolveMediaForSend(this.env, this.userId, frame.mediaId, frame.conversationId, (p) =>
              this.ctx.waitUntil(p),
            );
          }
        } catch (error) {
          gate.issued();
          const failure = asAppError(error) ?? new AppError("unavailable", "media temporarily unavailable, retry");
          return this.sendError(ws, failure.code, failure.message, frame.id);
        }
        const sending = this.callConversation(frame.conversationId, (c) =>
          c.send(this.userId, { clientId: frame.clientId, text: frame.text, media }),
        );
        gate.issued();
        const result = await sending;
        if (!result.ok) return this.sendError(ws, result.error.code, result.error.message, frame.id);
        return this.send(ws, { type: "sent", id: frame.id, message: result.value.message });
      }
      case "read": {
        const result = await this.callConversation(frame.conversationId, (c) => c.markRead(this.userId, frame.upTo));
        if (!result.ok) return this.sendError(ws, result.error.code, result.error.message, frame.id);
        if (frame.id) this.send(ws, { type: "ok", id: frame.id });
        return;
      }
      case "delete": {
        const result = await this.callConversation(frame.conversationId, (c) =>
          c.deleteMessage(this.userId, frame.seq, frame.for),
        );
        if (!result.ok) return this.sendError(ws, result.error.code, result.error.message, frame.id);
        return this.send(ws, { type: "ok", id: frame.id });
      }
      case "typing": {
        const { conversationId, typing } = frame;
        this.ctx.waitUntil(this.callConversation(conversationId, (c) => c.typing(this.userId, typing)));
        return;
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the close handshake; 1005/1006 are not valid codes to send back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
    this.onSocketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    // The runtime closes the socket; the device reconnects and resumes from its cursor.
    this.onSocketGone(ws);
  }

  // ---- RPC from conversations and the Worker --------------------------------------------------------

  /** Appends a conversation's events to the log (once each) and pushes the new ones to live devices. */
  async deliver(conversationId: string, events: ConversationEvent[]): Promise<void> {
    const fresh: Event[] = [];
    const now = Date.now();
    let introduced = false;
    this.ctx.storage.transactionSync(() => {
      for (const { ev, body } of events) {
        const inserted = this.sql
          .exec<{ cursor: number }>(
            "INSERT INTO log (key, conversation_id, at, body) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING cursor",
            `${conversationId}:${ev}`,
            conversationId,
            now,
            JSON.stringify(body),
          )
          .toArray()[0];
        if (!inserted) continue;
        applyToChatList(this.sql, this.userId, conversationId, body, now);
        if (body.kind === "conversation" && body.conversation.peerId) {
          introduced = this.profiles.introduce(body.conversation.peerId) || introduced;
        }
        fresh.push({ cursor: inserted.cursor, at: iso(now), ...body });
      }
      this.trimLog();
    });
    if (fresh.length > 0) this.broadcast({ type: "events", events: fresh });
    this.push.onDeliver(conversationId, fresh); // push: open/cancel pending notifications
    if (introduced) this.profiles.kick(); // a new direct peer gets this user's changed profile
  }

  // ---- push notifications (issue 8; logic in ./push.ts) --------------------------------------------

  /** Stores a browser's push subscription (already validated by the Worker). */
  async addPushSubscription(sub: PushSubscriptionBody): Promise<void> {
    this.push.subscribe(sub);
  }

  /** Forgets a push subscription. */
  async removePushSubscription(endpoint: string): Promise<void> {
    this.push.unsubscribe(endpoint);
  }

  /** Mutes pushes for one of the user's chats; false if the user has no such chat. */
  async mutePush(conversationId: string, until: number | "always" | null): Promise<boolean> {
    return this.push.mute(conversationId, until);
  }

  /** Private previews: `previews: false` makes pushes say only "New message". */
  async setPushPreviews(previews: boolean): Promise<boolean> {
    this.push.setPreviews(previews);
    return this.push.previews();
  }

  /** The user's notification preferences. */
  async pushPreviews(): Promise<boolean> {
    return this.push.previews();
  }

  /** The chat list (API.md `GET /v1/conversations`). */
  async chatList(): Promise<ConversationSummary[]> {
    return readChatList(this.sql);
  }

  // ---- profile changes (logic in ./profiles.ts) ----------------------------------------------------

  /**
   * This user changed their public profile (the Worker, after the Postgres write). `version` orders
   * changes (Postgres `updated_at`, µs); a repeated or older one is ignored. Answers once the change
   * and its fan-out are stored; the fan-out runs after.
   */
  async profileChanged(user: User, version: number): Promise<void> {
    this.profiles.changed(user, version);
  }

  /** Someone this user chats with changed their profile (their hub); logged if newer than known. */
  async peerProfile(user: User, version: number): Promise<void> {
    this.profiles.received(user, version);
  }

  /** Peer profiles the chat-list route read from Postgres, for peers this hub had none of. */
  async rememberPeers(users: User[]): Promise<void> {
    this.profiles.remember(users);
  }

  /** The newest cursor, connected devices, and profile deliveries still queued (tests, diagnostics). */
  async stats(): Promise<{ head: number; sockets: number; logSize: number; profileQueue: number }> {
    const row = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM log").one();
    return {
      head: this.head(),
      sockets: this.ctx.getWebSockets().length,
      logSize: row.n,
      profileQueue: this.profiles.queued(),
    };
  }

  /** Logout: closes every socket opened with that session (4001: do not reconnect with it). */
  async closeSession(sessionId: string): Promise<number> {
    revokeSessionTickets(this.sql, sessionId, (WS_TICKET_TTL_SECONDS + 60) * 1000);
    let closed = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if (readSocketState(ws).sessionId !== sessionId) continue;
      try {
        ws.close(CLOSE_CODES.unauthorized, "logged out");
        closed++;
      } catch {
        // already closing
      }
      this.onSocketGone(ws);
    }
    return closed;
  }

  /** This user's presence record (the source of truth behind the Redis copy). */
  async presence(): Promise<PresenceRecord> {
    return this.presenceRecord();
  }

  /** The people this user has a direct chat with: "people I chat with" for presence privacy. */
  async directPeers(): Promise<string[]> {
    return this.sql
      .exec<{ peer_id: string }>("SELECT peer_id FROM chats WHERE type = 'direct' AND peer_id IS NOT NULL")
      .toArray()
      .map((r) => r.peer_id);
  }

  /** Who may see this user's online state and last seen. Takes effect for everyone at once. */
  async setPresenceVisibility(visibility: PresenceVisibility): Promise<PresenceRecord> {
    this.setSetting("visibility", visibility);
    await this.publishPresence();
    return this.presenceRecord();
  }

  /** A peer's presence changed: tell this user's live devices (ephemeral, not logged). */
  async presenceChanged(presence: Presence): Promise<void> {
    this.broadcast({ type: "presence", presence });
  }

  /**
   * Someone in one of this user's conversations is typing (ephemeral, not logged). Answers whether
   * this user has a connected device: the conversation stops waking hubs that answer false for a
   * while (durable-objects/conversation/typing-relay.ts).
   */
  async typing(conversationId: string, userId: string, typing: boolean): Promise<boolean> {
    if (userId !== this.userId) this.broadcast({ type: "typing", conversationId, userId, typing });
    return this.liveSockets().length > 0;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    await this.settlePresence();
    await this.flushReceipts();
    await this.push.run(); // push: send due notifications, retries
    await this.profiles.run(); // profile fan-out and its retries
  }

  // ---- frames ------------------------------------------------------------------------------------

  private onHello(ws: WebSocket, deviceId: string, cursor: number): void {
    const now = Date.now();
    this.sql.exec(
      "INSERT INTO devices (device_id, acked, seen_at) VALUES (?, 0, ?) ON CONFLICT (device_id) DO UPDATE SET seen_at = excluded.seen_at",
      deviceId,
      now,
    );
    writeSocketState(ws, { ...readSocketState(ws), deviceId });
    this.markOnline();
    const head = this.head();
    this.send(ws, { type: "welcome", v: PROTOCOL_VERSION, userId: this.userId, head });
    const oldest = this.sql.exec<{ c: number | null }>("SELECT MIN(cursor) AS c FROM log").one().c ?? head + 1;
    // Behind the retained log (or ahead of it: a cursor from another server's history): start over.
    const reset = cursor > head || (cursor < oldest - 1 && cursor < head);
    if (!reset) {
      // Synchronous reads and sends: no live event can interleave with the replay.
      let after = cursor;
      for (;;) {
        const page = this.sql
          .exec<{ cursor: number; at: number; body: string }>(
            "SELECT cursor, at, body FROM log WHERE cursor > ? ORDER BY cursor LIMIT ?",
            after,
            MAX_REPLAY_EVENTS,
          )
          .toArray();
        if (page.length === 0) break;
        this.send(ws, {
          type: "events",
          events: page.map((r) => ({ cursor: r.cursor, at: iso(r.at), ...(JSON.parse(r.body) as EventBody) })),
        });
        after = (page[page.length - 1] as { cursor: number }).cursor;
      }
    }
    this.send(ws, { type: "synced", cursor: head, reset });
  }

  private onAck(deviceId: string, requested: number): void {
    const head = this.head();
    const cursor = Math.min(requested, head);
    const device = this.sql
      .exec<{ acked: number }>("SELECT acked FROM devices WHERE device_id = ?", deviceId)
      .toArray()[0];
    const previous = device?.acked ?? 0;
    if (cursor <= previous) return;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE devices SET acked = ?, seen_at = ? WHERE device_id = ?", cursor, Date.now(), deviceId);
      // Messages from others that this device now holds: delivered, per conversation up to the max seq.
      const rows = this.sql
        .exec<{ conversation_id: string; body: string }>(
          "SELECT conversation_id, body FROM log WHERE cursor > ? AND cursor <= ?",
          previous,
          cursor,
        )
        .toArray();
      const upTo = new Map<string, number>();
      for (const row of rows) {
        const body = JSON.parse(row.body) as EventBody;
        if (body.kind !== "message" || body.message.senderId === this.userId) continue;
        upTo.set(row.conversation_id, Math.max(upTo.get(row.conversation_id) ?? 0, body.message.seq));
      }
      for (const [conversationId, seq] of upTo) {
        this.sql.exec(
          `INSERT INTO receipts (conversation_id, acked_upto) VALUES (?, ?)
           ON CONFLICT (conversation_id) DO UPDATE SET acked_upto = MAX(acked_upto, excluded.acked_upto)`,
          conversationId,
          seq,
        );
      }
      this.trimLog();
    });
    this.push.onAck(cursor); // push: this device has them, no notification needed
    this.scheduleAlarm(Date.now() + 2_000);
    this.ctx.waitUntil(this.flushReceipts());
  }

  // ---- presence ----------------------------------------------------------------------------------

  private setting(key: string): string | null {
    return (
      this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = ?", key).toArray()[0]?.value ?? null
    );
  }

  private setSetting(key: string, value: string | null): void {
    if (value === null) this.sql.exec("DELETE FROM settings WHERE key = ?", key);
    else
      this.sql.exec(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value,
      );
  }

  private presenceRecord(): PresenceRecord {
    const visibility = this.setting("visibility");
    const lastSeen = this.setting("last_seen_at");
    return {
      online: this.setting("online") === "1",
      lastSeenAt: lastSeen === null ? null : Number(lastSeen),
      visibility: isVisibility(visibility) ? visibility : "everyone",
    };
  }

  /** Devices that said hello and are still open, except `closing`. */
  private liveSockets(closing?: WebSocket): WebSocket[] {
    return this.ctx
      .getWebSockets()
      .filter((ws) => ws !== closing && ws.readyState === 1 && readSocketState(ws).deviceId !== null);
  }

  private markOnline(): void {
    this.setSetting("offline_since", null);
    if (this.setting("online") === "1") return;
    this.setSetting("online", "1");
    this.ctx.waitUntil(this.publishPresence());
  }

  private onSocketGone(ws: WebSocket): void {
    if (this.liveSockets(ws).length > 0 || this.setting("online") !== "1") return;
    if (this.setting("offline_since") === null) this.setSetting("offline_since", String(Date.now()));
    this.scheduleAlarm(Date.now() + OFFLINE_GRACE_MS);
  }

  /** After the grace period: still no device? Then the user went offline when the last one left. */
  private async settlePresence(): Promise<void> {
    const since = this.setting("offline_since");
    if (since === null) return;
    if (this.liveSockets().length > 0) {
      this.setSetting("offline_since", null);
      return;
    }
    if (Date.now() < Number(since) + OFFLINE_GRACE_MS) {
      this.scheduleAlarm(Number(since) + OFFLINE_GRACE_MS);
      return;
    }
    this.setSetting("online", "0");
    this.setSetting("last_seen_at", since);
    this.setSetting("offline_since", null);
    await this.publishPresence();
  }

  /** Writes the Redis copy and tells the people this user chats with, as the privacy rule allows. */
  private async publishPresence(): Promise<void> {
    const record = this.presenceRecord();
    const redis = redisFromEnv(this.env);
    const peers = await this.directPeers();
    await Promise.allSettled([
      redis ? writePresence(redis, this.userId, record) : Promise.resolve(),
      ...peers.map((peer) =>
        this.env.USER_HUB.getByName(peer).presenceChanged(
          presenceAsSeenBy(this.userId, record, { id: peer, isContact: true }),
        ),
      ),
    ]);
  }

  // ---- internals ---------------------------------------------------------------------------------

  /**
   * Appends one event that belongs to no conversation (a profile change) under its own idempotency
   * key; null if that key is already in the log. Call inside a transaction.
   */
  private appendToLog(key: string, body: EventBody): Event | null {
    const now = Date.now();
    const inserted = this.sql
      .exec<{ cursor: number }>(
        "INSERT INTO log (key, conversation_id, at, body) VALUES (?, '', ?, ?) ON CONFLICT (key) DO NOTHING RETURNING cursor",
        key,
        now,
        JSON.stringify(body),
      )
      .toArray()[0];
    if (!inserted) return null;
    this.trimLog();
    return { cursor: inserted.cursor, at: iso(now), ...body };
  }

  private head(): number {
    // sqlite_sequence survives trimming; MAX(cursor) would not after the log is emptied.
    const row = this.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'log'").toArray()[0];
    return row?.seq ?? 0;
  }

  /** Drops events every recently seen device acked, and caps the backlog of absent devices. */
  private trimLog(): void {
    const since = Date.now() - DEVICE_BACKLOG_MS;
    const floor = this.sql
      .exec<{ floor: number | null }>("SELECT MIN(acked) AS floor FROM devices WHERE seen_at >= ?", since)
      .one().floor;
    if (floor !== null) this.sql.exec("DELETE FROM log WHERE cursor <= ?", floor);
    const head = this.head();
    this.sql.exec("DELETE FROM log WHERE cursor <= ?", head - MAX_LOG_EVENTS);
  }

  /** Reports acked-but-unreported delivered watermarks to their conversations; retried by alarm. */
  private flushReceipts(): Promise<void> {
    this.flushingReceipts ??= (async () => {
      try {
        const due = this.sql
          .exec<{ conversation_id: string; acked_upto: number; failures: number }>(
            "SELECT conversation_id, acked_upto, failures FROM receipts WHERE acked_upto > reported_upto AND due <= ?",
            Date.now(),
          )
          .toArray();
        await forEachBounded(due, 20, async (r) => {
          const result = await this.callConversation(r.conversation_id, (c) =>
            c.markDelivered(this.userId, r.acked_upto),
          );
          if (result.ok || result.error.code === "not_found") {
            this.sql.exec(
              "UPDATE receipts SET reported_upto = MAX(reported_upto, ?), failures = 0, due = 0 WHERE conversation_id = ?",
              r.acked_upto,
              r.conversation_id,
            );
          } else {
            this.sql.exec(
              "UPDATE receipts SET failures = ?, due = ? WHERE conversation_id = ?",
              r.failures + 1,
              Date.now() + backoffMs(r.failures + 1),
              r.conversation_id,
            );
          }
        });
        this.sql.exec("DELETE FROM receipts WHERE reported_upto >= acked_upto");
        const next = this.sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM receipts").one().due;
        if (next !== null) this.scheduleAlarm(Math.max(next, Date.now() + 250));
      } finally {
        this.flushingReceipts = null;
      }
    })();
    return this.flushingReceipts;
  }

  /**
   * Calls a conversation through a cached stub: calls on one stub arrive in order (E-order), so a
   * device's sends keep their order. A failed stub is dropped; the error becomes `unavailable`.
   */
  private async callConversation<T>(
    conversationId: string,
    call: (c: DurableObjectStub<ConversationDO>) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    let stub = this.conversations.get(conversationId);
    if (!stub) {
      stub = this.env.CONVERSATION.getByName(conversationId);
      this.conversations.set(conversationId, stub);
    }
    try {
      return await call(stub);
    } catch (error) {
      this.conversations.delete(conversationId);
      console.log(JSON.stringify({ level: "warn", msg: "conversation call failed", error: errorSummary(error) }));
      return { ok: false, error: { code: "unavailable", message: "conversation temporarily unavailable, retry" } };
    }
  }

  private broadcast(frame: ServerFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.ctx.getWebSockets()) {
      if (readSocketState(ws).deviceId === null) continue;
      try {
        ws.send(text);
      } catch {
        // A closing socket: its device resumes from its cursor.
      }
    }
  }

  private send(ws: WebSocket, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // closed meanwhile
    }
  }

  private sendError(ws: WebSocket, code: ErrorCode, message: string, id?: string): void {
    this.send(ws, { type: "error", code, message, ...(id ? { id } : {}) });
  }

  private scheduleAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
