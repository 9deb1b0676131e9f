/**
 * The socket protocol of a hub (README "Protocol"): each client frame is checked once, here, at the
 * edge of the object (size, JSON, the protocol module's strict schema), then dispatched. Calls to
 * conversations are typed RPC and not checked again there.
 */
import {
  ClientFrame,
  MAX_FRAME_BYTES,
  quickClientFrame,
  forwardAlone,
  type MessageRef,
  TYPING_RELAY_INTERVAL_MS,
  validationError,
  type ErrorCode,
  type Media,
  type Message,
  type ServerFrame,
} from "../../client/sdk/protocol/index.ts";
import { AppError, asAppError } from "../../lib/errors.ts";
import { err, type Result } from "../../lib/result.ts";
import type { ConversationDO } from "../conversation/ConversationDO.ts";
import { SendGates } from "./send-gates.ts";
import type { SocketState } from "./socket-state.ts";

/** What a send names: the client's idempotency key, and a text and/or an uploaded media id. */
export interface SendRequest {
  clientId: string;
  text?: string;
  mediaId?: string;
  /** Reply to this seq in the same conversation. */
  replyTo?: number;
  /** Forward this message (from any chat of the user's); takes no text or media of its own. */
  forwardOf?: MessageRef;
}

export type ConversationStub = Pick<
  DurableObjectStub<ConversationDO>,
  "send" | "markRead" | "deleteMessage" | "typing" | "markDelivered" | "forwardSource" | "setPrivateReads"
>;

/** What the frame handler needs from its hub. */
export interface FrameHost {
  userId(): string;
  hello(ws: WebSocket, deviceId: string, cursor: number): void;
  ack(deviceId: string, cursor: number): void;
  /**
   * Logs this user's read of `conversationId` up to `upTo` for their devices (the read marker) before
   * the conversation hears of it; false when this hub cannot (no such chat here, or the user left
   * it), and the conversation's own read marker must reach them instead.
   */
  readHere(conversationId: string, upTo: number): boolean;
  /** The conversation took this user's read up to `upTo`: reading lifts delivered there too. */
  readTaken(conversationId: string, upTo: number): void;
  send(ws: WebSocket, frame: ServerFrame): void;
  /** Calls a conversation; a failed call becomes `unavailable`. */
  conversation<T>(conversationId: string, call: (c: ConversationStub) => Promise<Result<T>>): Promise<Result<T>>;
  /** Resolves an uploaded media id for a send (uploader only; throws AppError otherwise). */
  resolveMedia(mediaId: string, conversationId: string): Promise<Media>;
  /** The text and media a forward copies into `conversationId` (./forward-source.ts; throws AppError). */
  forwardContent(ref: MessageRef, conversationId: string): Promise<{ text?: string; media?: Media }>;
  /** The per-user send budget: ok, or when to retry. */
  takeSend(): { ok: true } | { ok: false; retryAfterSeconds: number };
  waitUntil(work: Promise<unknown>): void;
}

export class FrameHandler {
  private readonly sendGates = new SendGates();
  /** Per conversation: when "typing" was last relayed and as what. */
  private readonly typingRelayed = new Map<string, { at: number; typing: boolean }>();

  constructor(private readonly host: FrameHost) {}

  async handle(ws: WebSocket, state: SocketState, raw: string | ArrayBuffer): Promise<void> {
    const size = typeof raw === "string" ? raw.length : raw.byteLength;
    if (size > MAX_FRAME_BYTES) return this.error(ws, "frame_too_large", `frames are at most ${MAX_FRAME_BYTES} bytes`);
    if (typeof raw !== "string") return this.error(ws, "invalid_request", "frames are JSON text");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.error(ws, "invalid_json", "frame is not valid JSON");
    }
    // The frequent frames are checked by hand with the schema's exact rules; anything else, and
    // anything they refuse, goes through the schema, which also words the error.
    const frame = quickClientFrame(json) ?? this.parse(ws, json);
    if (frame === null) return;
    if (frame.type === "hello") return this.host.hello(ws, frame.deviceId, frame.cursor);
    if (state.deviceId === null) return this.error(ws, "invalid_request", "say hello first");
    const me = this.host.userId();
    switch (frame.type) {
      case "ack":
        return this.host.ack(state.deviceId, frame.cursor);
      case "ping":
        return this.host.send(ws, { type: "pong" });
      case "send":
        return this.sendMessage(ws, frame);
      case "read": {
        // The device's held ack rides in the frame: the same as an `ack` just before it.
        if (frame.ack !== undefined) this.host.ack(state.deviceId, frame.ack);
        // The reader's own devices learn the read from this hub, at once and without a delivery back.
        const markerLogged = this.host.readHere(frame.conversationId, frame.upTo);
        const result = await this.host.conversation(frame.conversationId, (c) =>
          c.markRead(me, frame.upTo, markerLogged),
        );
        if (!result.ok) return this.error(ws, result.error.code, result.error.message, frame.id);
        this.host.readTaken(frame.conversationId, frame.upTo);
        if (frame.id) this.host.send(ws, { type: "ok", id: frame.id });
        return;
      }
      case "delete": {
        const result = await this.host.conversation(frame.conversationId, (c) =>
          c.deleteMessage(me, frame.seq, frame.for),
        );
        if (!result.ok) return this.error(ws, result.error.code, result.error.message, frame.id);
        return this.host.send(ws, { type: "ok", id: frame.id });
      }
      case "typing": {
        const { conversationId, typing } = frame;
        if (!this.admitTyping(conversationId, typing)) return;
        this.host.waitUntil(this.host.conversation(conversationId, (c) => c.typing(me, typing)));
        return;
      }
    }
  }

  /** The schema's verdict on a frame the fast path did not take: the frame, or null after an error frame. */
  private parse(ws: WebSocket, json: unknown): ClientFrame | null {
    const parsed = ClientFrame.safeParse(json);
    if (parsed.success) return parsed.data;
    const id = typeof (json as { id?: unknown } | null)?.id === "string" ? (json as { id: string }).id : undefined;
    // The same codes and wording as a REST body with the same problem.
    const { code, message } = validationError(parsed.error);
    this.error(ws, code, message, id);
    return null;
  }

  /**
   * At most one "typing" per conversation per TYPING_RELAY_INTERVAL_MS (in a group each one calls
   * every online member's hub); "stopped" always passes, a repeated "stopped" does not.
   */
  private admitTyping(conversationId: string, typing: boolean, now = Date.now()): boolean {
    const last = this.typingRelayed.get(conversationId);
    if (typing && last?.typing && now - last.at < TYPING_RELAY_INTERVAL_MS) return false;
    if (!typing && last && !last.typing) return false;
    if (this.typingRelayed.size > 1_000) this.typingRelayed.clear(); // bounded: it is only a throttle
    this.typingRelayed.set(conversationId, { at: now, typing });
    return true;
  }

  /** An `error` frame; `retryAfter` (s) when the problem is a limit that lifts by itself. */
  error(ws: WebSocket, code: ErrorCode, message: string, id?: string, retryAfter?: number): void {
    this.host.send(ws, {
      type: "error",
      code,
      message,
      ...(id ? { id } : {}),
      ...(retryAfter !== undefined ? { retryAfter: Math.max(1, Math.ceil(retryAfter)) } : {}),
    });
  }

  private async sendMessage(ws: WebSocket, frame: Extract<ClientFrame, { type: "send" }>): Promise<void> {
    const result = await this.send(frame.conversationId, frame);
    if (!result.ok)
      return this.error(ws, result.error.code, result.error.message, frame.id, result.error.retryAfterSeconds);
    this.host.send(ws, { type: "sent", id: frame.id, message: result.value.message });
  }

  /**
   * One send of this user, from any device, by WebSocket or REST: one budget per user and one order
   * per conversation for both.
   */
  async send(conversationId: string, input: SendRequest): Promise<Result<{ message: Message; duplicate: boolean }>> {
    // Over the per-user rate: refused before the conversation sees it, so no seq is consumed.
    const verdict = this.host.takeSend();
    if (!verdict.ok)
      return err("rate_limited", `too many messages; retry in ${verdict.retryAfterSeconds} s`, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    // A media id is resolved (uploader only, else not_found) before the conversation sees the send;
    // the gate keeps a text sent right after a picture from overtaking it (./send-gates.ts).
    if (!forwardAlone(input)) return err("invalid_request", "a forward takes no text, mediaId or replyTo");
    const forwardOf = input.forwardOf;
    const gate = this.sendGates.enter(conversationId, input.mediaId !== undefined || forwardOf !== undefined);
    let media: Media | undefined;
    let text = input.text;
    try {
      if (gate.prior) await gate.prior;
      if (input.mediaId !== undefined) media = await this.host.resolveMedia(input.mediaId, conversationId);
      if (forwardOf !== undefined) ({ text, media } = await this.host.forwardContent(forwardOf, conversationId));
    } catch (error) {
      gate.issued();
      const failure = asAppError(error) ?? new AppError("unavailable", "media temporarily unavailable, retry");
      return err(failure.code, failure.message, { retryAfterSeconds: failure.retryAfter });
    }
    const me = this.host.userId();
    const sending = this.host.conversation(conversationId, (c) =>
      c.send(me, {
        clientId: input.clientId,
        text,
        media,
        ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
        ...(forwardOf !== undefined ? { forwarded: true } : {}),
      }),
    );
    gate.issued();
    return sending;
  }
}
