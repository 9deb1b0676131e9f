/**
 * The real-time connection: one WebSocket to the user's hub, kept alive across network drops.
 *
 * - Reconnects with jittered exponential backoff and resumes from the last stored cursor, so it
 *   receives exactly the events it missed, in order; events at or below the cursor are ignored, so a
 *   replay after a lost ack shows nothing twice.
 * - Sends go through an outbox keyed by `clientId`: unacknowledged sends are re-sent, in order, after
 *   every reconnect, and the server answers a retry with the original message (exactly-once effect).
 * - Acks the cursor after each batch of events is stored, which is what marks messages delivered.
 */
import { Emitter } from "./emitter.ts";
import { MemoryStore, type ClientStore, type PendingSend } from "./store.ts";
import {
  Event as EventSchema,
  ACK_DEFERRED_MS,
  ACK_INTERVAL_MS,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  TICKET_SUBPROTOCOL_PREFIX,
  WS_SUBPROTOCOL,
  ServerFrame,
  type ClientFrame,
  type ErrorCode,
  type Event,
  type Message,
  type MessageRef,
  type Presence,
  type User,
} from "./protocol/index.ts";

export type ConnectionState = "idle" | "connecting" | "syncing" | "live" | "closed";

export interface ConnectionEvents extends Record<string, unknown> {
  /** Every event from the user's log, in cursor order, once. */
  event: Event;
  /**
   * Someone's public profile changed (a `profile` event, also emitted as `event`): the user as
   * `GET /v1/users/:id` shows it now. Replace any copy you hold; it may be the user themself,
   * changed on another device.
   */
  profile: User;
  /** The replay after (re)connecting finished; `reset` = local state must be refetched over REST. */
  synced: { cursor: number; reset: boolean };
  state: ConnectionState;
  presence: Presence;
  typing: { conversationId: string; userId: string; typing: boolean };
  /** A server error frame not tied to a pending request. */
  error: { code: ErrorCode; message: string };
  /** The token was refused: log in again. */
  unauthorized: undefined;
  /**
   * The outbox changed: the sends kept in the store and not yet acknowledged, oldest first. Emitted
   * once loaded, after a send is stored, and after one is acknowledged or refused. Apps show these
   * as pending instead of keeping their own copy.
   */
  outbox: readonly PendingSend[];
  /**
   * The server stored a send from the outbox (emitted before it leaves the outbox), including sends
   * queued in an earlier session that no `send()` promise waits for any more.
   */
  sent: Message;
}

export interface ConnectionOptions {
  url: string;
  /**
   * Fetches a fresh single-use WebSocket ticket (`POST /v1/ws/ticket`) before every (re)connect, so no
   * long-lived token travels in the upgrade. Resolves null when the session was refused (log in
   * again); rejects on transient failures (retried with backoff).
   */
  ticket: () => Promise<string | null>;
  deviceId: string;
  store?: ClientStore;
  /** WebSocket implementation (defaults to the global one: browsers, Node ≥ 22). */
  WebSocket?: typeof WebSocket;
  /** Asked after repeated failed connects: false = the token is dead, stop and emit `unauthorized`. */
  tokenStillValid?: () => Promise<boolean>;
  /** Reconnect backoff bounds in ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Errors worth retrying with the same clientId; others reject the send. */
const RETRYABLE: ReadonlySet<string> = new Set(["unavailable", "internal", "rate_limited"]);
const PING_EVERY_MS = 25_000;
/** A send refused with `rate_limited` is offered again after this long (while connected). */
const RATE_LIMITED_RETRY_MS = 1_000;
const CONNECT_TIMEOUT_MS = 8_000;

export class SendError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "SendError";
    this.code = code;
  }
}

type Waiter = { resolve: (m: Message) => void; reject: (e: Error) => void };

export class Connection extends Emitter<ConnectionEvents> {
  state: ConnectionState = "idle";
  cursor = 0;
  private ws: WebSocket | null = null;
  private readonly store: ClientStore;
  private outbox: PendingSend[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly requests = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = 0;
  /**
   * The cursor last saved to the store (an ack never covers more: `cursor` runs ahead while a frame's
   * events are emitted) and the one last acked on a socket; `ackTimer` holds back the next ack.
   */
  private storedCursor = 0;
  private ackedCursor = 0;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the held-back ack goes out (meaningful while `ackTimer` is set). */
  private ackDueAt = 0;
  /** This socket's user (from `welcome`): their own messages coming back need no prompt ack. */
  private userId: string | null = null;
  private loaded: Promise<void> | null = null;
  private stopped = false;
  private requestCounter = 0;
  private openAttempt = 0;

  private readonly options: ConnectionOptions;

  constructor(options: ConnectionOptions) {
    super();
    this.options = options;
    this.store = options.store ?? new MemoryStore();
  }

  /** Opens the socket; resolves once the first replay is done (`synced`). */
  connect(): Promise<void> {
    this.stopped = false;
    this.loaded ??= (async () => {
      this.cursor = await this.store.loadCursor();
      this.storedCursor = this.cursor;
      this.outbox = await this.store.loadOutbox();
      this.emit("outbox", [...this.outbox]);
    })();
    return new Promise((resolve, reject) => {
      const off = this.on("synced", () => {
        off();
        offAuth();
        resolve();
      });
      const offAuth = this.on("unauthorized", () => {
        off();
        offAuth();
        reject(new SendError("unauthorized", "token refused"));
      });
      void this.loaded!.then(() => this.open());
    });
  }

  /** Closes for good (no reconnect). Pending sends stay in the store for the next session. */
  close(): void {
    this.stopped = true;
    this.clearTimers();
    this.ws?.close(1000, "bye");
    this.ws = null;
    this.setState("closed");
  }

  /** Drops the socket as a network failure would; the connection reconnects by itself. */
  drop(): void {
    if (this.ws) this.lost(this.ws, 1006);
  }

  /**
   * Sends a message: queued in the outbox first, re-sent after reconnects until the server
   * acknowledges it; resolves to the stored message (with its seq). `queued` is called once the
   * message is in the store (it survives a closed app from then on): an app shows it then.
   */
  async send(
    conversationId: string,
    content: { text?: string; mediaId?: string; replyTo?: number; forwardOf?: MessageRef },
    clientId: string = crypto.randomUUID(),
    queued?: () => void,
  ): Promise<Message> {
    await (this.loaded ?? Promise.resolve());
    const existing = this.outbox.find((p) => p.clientId === clientId);
    if (!existing) {
      this.outbox.push({ conversationId, clientId, ...content, queuedAt: Date.now() });
      await this.store.saveOutbox(this.outbox);
      this.emit("outbox", [...this.outbox]);
    }
    queued?.();
    const done = new Promise<Message>((resolve, reject) => this.waiters.set(clientId, { resolve, reject }));
    if (this.state === "live") this.transmit(this.outbox.find((p) => p.clientId === clientId)!);
    return done;
  }

  /** Sends still waiting for the server's acknowledgement. */
  pending(): readonly PendingSend[] {
    return this.outbox;
  }

  /**
   * Marks everything up to `upTo` read. A held-back ack rides in the same frame (`ack`): the hub
   * takes both in one turn, and its delivered receipt is not left waiting behind the read.
   */
  read(conversationId: string, upTo: number): Promise<void> {
    const ack = this.state === "live" && this.ackTimer ? this.takeAck() : null;
    return this.request({ type: "read", conversationId, upTo, ...(ack !== null ? { ack } : {}) });
  }

  deleteMessage(conversationId: string, seq: number, scope: "me" | "everyone"): Promise<void> {
    return this.request({ type: "delete", conversationId, seq, for: scope });
  }

  typing(conversationId: string, typing: boolean): void {
    this.write({ type: "typing", conversationId, typing });
  }

  /** Sends a raw frame (tests use it to send malformed input). */
  sendRaw(text: string): void {
    this.ws?.send(text);
  }

  // ---- internals ---------------------------------------------------------------------------------

  private request(
    frame:
      | { type: "read"; conversationId: string; upTo: number; ack?: number }
      | { type: "delete"; conversationId: string; seq: number; for: "me" | "everyone" },
  ): Promise<void> {
    if (this.state !== "live") return Promise.reject(new SendError("unavailable", "not connected"));
    const id = `r${++this.requestCounter}`;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.write({ ...frame, id } as ClientFrame);
    });
  }

  private open(): void {
    if (this.stopped) return;
    this.setState("connecting");
    const attempt = ++this.openAttempt;
    this.options.ticket().then(
      (ticket) => {
        if (attempt !== this.openAttempt || this.stopped) return;
        if (ticket === null) return this.refuse();
        this.openSocket(ticket);
      },
      () => {
        if (attempt === this.openAttempt && !this.stopped) this.scheduleReconnect();
      },
    );
  }

  private openSocket(ticket: string): void {
    const Impl = this.options.WebSocket ?? WebSocket;
    const ws = new Impl(this.options.url, [WS_SUBPROTOCOL, `${TICKET_SUBPROTOCOL_PREFIX}${ticket}`]);

    this.ws = ws;
    // A handshake that hangs (a dead network, an aborted connect) counts as a failed one.
    this.connectTimer = setTimeout(() => this.lost(ws, 1006), CONNECT_TIMEOUT_MS);
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.setState("syncing");
      this.lastFrameAt = Date.now();
      this.write({ type: "hello", v: PROTOCOL_VERSION, deviceId: this.options.deviceId, cursor: this.cursor });
      this.pingTimer = setInterval(() => {
        // No frame (not even a pong) for two ping periods: the link is dead even if TCP says otherwise.
        if (Date.now() - this.lastFrameAt > 2 * PING_EVERY_MS + 5_000) return this.lost(ws, 1006);
        this.write({ type: "ping" });
      }, PING_EVERY_MS);
    });
    ws.addEventListener("message", (msg: MessageEvent) => {
      if (ws !== this.ws) return;
      this.lastFrameAt = Date.now();
      void this.onFrame(typeof msg.data === "string" ? msg.data : "");
    });
    ws.addEventListener("close", (ev: CloseEvent) => this.lost(ws, ev.code));
    // An "error" is always followed by "close", which schedules the reconnect.
  }

  /** The socket is gone (closed, failed, timed out or dropped): forget it and reconnect unless told not to. */
  private lost(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.clearTimers();
    try {
      ws.close(code === 1006 ? 4000 : 1000);
    } catch {
      // already closing
    }
    for (const [, r] of this.requests) r.reject(new SendError("unavailable", "connection lost"));
    this.requests.clear();
    if (code === CLOSE_CODES.unauthorized) return this.refuse();
    if (this.stopped) return this.setState("closed");
    this.scheduleReconnect();
  }

  /**
   * An `events` frame this SDK cannot fully parse: a newer server sent an event kind it does not know.
   * Dropping the whole frame would lose the known events beside it (and stall a replay that repeats
   * it on every reconnect), so the known ones are kept and the unknown ones skipped, cursor included.
   */
  private async onUnknownEvents(json: unknown): Promise<void> {
    const events = (json as { type?: unknown; events?: unknown } | null)?.events;
    if ((json as { type?: unknown } | null)?.type !== "events" || !Array.isArray(events)) return;
    const before = this.cursor;
    for (const raw of events as unknown[]) {
      const at = (raw as { cursor?: unknown } | null)?.cursor;
      if (typeof at !== "number" || !Number.isSafeInteger(at) || at <= this.cursor) continue;
      this.cursor = at;
      const event = EventSchema.safeParse(raw);
      if (!event.success) continue;
      this.emit("event", event.data);
      if (event.data.kind === "profile") this.emit("profile", event.data.user);
    }
    if (this.cursor > before) {
      await this.saveCursor();
      this.ackStored(true);
    }
  }

  private async onFrame(text: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const parsed = ServerFrame.safeParse(json);
    if (!parsed.success) return this.onUnknownEvents(json);
    const frame = parsed.data;
    switch (frame.type) {
      case "welcome":
        this.userId = frame.userId;
        return;
      case "events": {
        const fresh = frame.events.filter((e) => e.cursor > this.cursor);
        if (fresh.length === 0) return;
        for (const event of fresh) {
          this.cursor = event.cursor;
          this.emit("event", event);
          if (event.kind === "profile") this.emit("profile", event.user);
        }
        await this.saveCursor();
        this.ackStored(fresh.some((e) => this.awaitsAck(e)));
        return;
      }
      case "synced":
        if (frame.reset) {
          this.cursor = frame.cursor;
          await this.store.saveCursor(this.cursor);
          // The device starts over at the hub's head, which may be below what it had: ack from there.
          this.storedCursor = this.cursor;
          this.ackedCursor = -1;
        }
        // Whatever is stored but not yet acked (a reset, or an ack lost with the last socket).
        this.sendAck();
        this.attempts = 0;
        this.setState("live");
        this.emit("synced", { cursor: frame.cursor, reset: frame.reset });
        for (const pending of [...this.outbox]) this.transmit(pending);
        return;
      case "sent":
        return this.settle(frame.id, frame.message);
      case "ok": {
        const r = this.requests.get(frame.id);
        this.requests.delete(frame.id);
        r?.resolve();
        return;
      }
      case "error": {
        if (frame.id && this.requests.has(frame.id)) {
          const r = this.requests.get(frame.id)!;
          this.requests.delete(frame.id);
          return r.reject(new SendError(frame.code, frame.message));
        }
        if (frame.id && this.outbox.some((p) => p.clientId === frame.id)) {
          if (frame.code === "rate_limited") {
            const clientId = frame.id;
            setTimeout(() => {
              const pending = this.outbox.find((p) => p.clientId === clientId);
              if (pending && this.state === "live") this.transmit(pending);
            }, RATE_LIMITED_RETRY_MS);
            return;
          }
          if (RETRYABLE.has(frame.code)) return; // stays in the outbox; re-sent after the next reconnect
          await this.removePending(frame.id);
          const w = this.waiters.get(frame.id);
          this.waiters.delete(frame.id);
          return w?.reject(new SendError(frame.code, frame.message));
        }
        this.emit("error", { code: frame.code, message: frame.message });
        return;
      }
      case "presence":
        return this.emit("presence", frame.presence);
      case "typing":
        return this.emit("typing", {
          conversationId: frame.conversationId,
          userId: frame.userId,
          typing: frame.typing,
        });
      case "pong":
        return;
    }
  }

  private async settle(clientId: string, message: Message): Promise<void> {
    if (this.outbox.some((p) => p.clientId === clientId)) this.emit("sent", message);
    await this.removePending(clientId);
    const w = this.waiters.get(clientId);
    this.waiters.delete(clientId);
    w?.resolve(message);
  }

  private async removePending(clientId: string): Promise<void> {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((p) => p.clientId !== clientId);
    if (this.outbox.length === before) return;
    await this.store.saveOutbox(this.outbox);
    this.emit("outbox", [...this.outbox]);
  }

  /** The frame id of a send is its clientId, so the answer pairs up across reconnects. */
  private transmit(p: PendingSend): void {
    this.write({
      type: "send",
      id: p.clientId,
      conversationId: p.conversationId,
      clientId: p.clientId,
      ...(p.text !== undefined ? { text: p.text } : {}),
      ...(p.mediaId !== undefined ? { mediaId: p.mediaId } : {}),
      ...(p.replyTo !== undefined ? { replyTo: p.replyTo } : {}),
      ...(p.forwardOf !== undefined ? { forwardOf: p.forwardOf } : {}),
    });
  }

  /**
   * Acks what is stored, at most ACK_INTERVAL_MS after the first event not yet acked arrived, the
   * one ack covering everything stored by then: each ack is a hub turn, and an open chat's read
   * (see `read`) carries the held ack along, so a message read on arrival costs the hub one burst of
   * frames, not two wake-ups. When nothing stored awaits an ack (`prompt` false), it waits up to
   * ACK_DEFERRED_MS for one that does to carry it.
   */
  private ackStored(prompt: boolean): void {
    const now = Date.now();
    const due = now + (prompt ? ACK_INTERVAL_MS : ACK_DEFERRED_MS);
    if (this.ackTimer) {
      if (this.ackDueAt <= due) return; // the pending ack will carry the newest cursor
      clearTimeout(this.ackTimer);
    }
    this.ackDueAt = due;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.sendAck();
    }, due - now);
  }

  /**
   * Whether someone waits on this event's ack: a message from another user (its sender's delivered
   * tick, a push the hub holds back until a device has it) or anything this SDK does not treat as
   * mere bookkeeping. Ticks, read markers and one's own messages only move this device's cursor.
   */
  private awaitsAck(e: Event): boolean {
    if (e.kind === "status" || e.kind === "read_marker") return false;
    return !(e.kind === "message" && this.userId !== null && e.message.senderId === this.userId);
  }

  private async saveCursor(): Promise<void> {
    const cursor = this.cursor;
    await this.store.saveCursor(cursor);
    this.storedCursor = Math.max(this.storedCursor, cursor);
  }

  private sendAck(): void {
    const cursor = this.takeAck();
    if (cursor !== null) this.write({ type: "ack", cursor });
  }

  /**
   * The cursor to ack now (what is stored and not yet acked), counted as acked, or null. Only while
   * a socket is open: otherwise the next `synced` acks it.
   */
  private takeAck(): number | null {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (!this.ws || this.ws.readyState !== 1) return null;
    if (this.storedCursor <= this.ackedCursor) return null;
    this.ackedCursor = this.storedCursor;
    return this.storedCursor;
  }

  private write(frame: ClientFrame): void {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }

  private refuse(): void {
    this.stopped = true;
    this.setState("closed");
    this.emit("unauthorized", undefined);
  }

  private scheduleReconnect(): void {
    this.setState("connecting");
    // A refused upgrade looks like any network failure to a WebSocket; after a few, ask REST why.
    if (this.attempts >= 3 && this.options.tokenStillValid) {
      void this.options.tokenStillValid().then((valid) => {
        if (!valid) this.refuse();
      });
    }
    const min = this.options.minBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 10_000;
    const base = Math.min(max, min * 1.8 ** this.attempts++);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.connectTimer = null;
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  }
}
