/**
 * The socket protocol of a hub (README "Protocol"): each client frame is checked once, here, at the
 * edge of the object (size, JSON, the protocol module's strict schema), then dispatched. Calls to
 * conversations are typed RPC and not checked again there.
 */
import {
  ClientFrame,
  MAX_FRAME_BYTES,
  TYPING_RELAY_INTERVAL_MS,
  type ErrorCode,
  type Media,
  type ServerFrame,
} from "../../client/sdk/protocol/index.ts";
import { AppError, asAppError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";
import type { ConversationDO } from "../conversation/ConversationDO.ts";
import { SendGates } from "./send-gates.ts";
import type { SocketState } from "./socket-state.ts";

export type ConversationStub = Pick<
  DurableObjectStub<ConversationDO>,
  "send" | "markRead" | "deleteMessage" | "typing" | "markDelivered"
>;

/** What the frame handler needs from its hub. */
export interface FrameHost {
  userId(): string;
  hello(ws: WebSocket, deviceId: string, cursor: number): void;
  ack(deviceId: string, cursor: number): void;
  send(ws: WebSocket, frame: ServerFrame): void;
  /** Calls a conversation; a failed call becomes `unavailable`. */
  conversation<T>(conversationId: string, call: (c: ConversationStub) => Promise<Result<T>>): Promise<Result<T>>;
  /** Resolves an uploaded media id for a send (uploader only; throws AppError otherwise). */
  resolveMedia(mediaId: string, conversationId: string): Promise<Media>;
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
    const parsed = ClientFrame.safeParse(json);
    if (!parsed.success) {
      const id = typeof (json as { id?: unknown } | null)?.id === "string" ? (json as { id: string }).id : undefined;
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
      return this.error(ws, "invalid_request", `${where}${issue?.message ?? "invalid frame"}`, id);
    }
    const frame = parsed.data;
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
        const result = await this.host.conversation(frame.conversationId, (c) => c.markRead(me, frame.upTo));
        if (!result.ok) return this.error(ws, result.error.code, result.error.message, frame.id);
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

  error(ws: WebSocket, code: ErrorCode, message: string, id?: string): void {
    this.host.send(ws, { type: "error", code, message, ...(id ? { id } : {}) });
  }

  private async sendMessage(ws: WebSocket, frame: Extract<ClientFrame, { type: "send" }>): Promise<void> {
    // Over the per-user rate: refused before the conversation sees it, so no seq is consumed.
    const verdict = this.host.takeSend();
    if (!verdict.ok)
      return this.error(ws, "rate_limited", `too many messages; retry in ${verdict.retryAfterSeconds} s`, frame.id);
    // A media id is resolved (uploader only, else not_found) before the conversation sees the send;
    // the gate keeps a text sent right after a picture from overtaking it (./send-gates.ts).
    const gate = this.sendGates.enter(frame.conversationId, frame.mediaId !== undefined);
    let media: Media | undefined;
    try {
      if (gate.prior) await gate.prior;
      if (frame.mediaId !== undefined) media = await this.host.resolveMedia(frame.mediaId, frame.conversationId);
    } catch (error) {
      gate.issued();
      const failure = asAppError(error) ?? new AppError("unavailable", "media temporarily unavailable, retry");
      return this.error(ws, failure.code, failure.message, frame.id);
    }
    const me = this.host.userId();
    const sending = this.host.conversation(frame.conversationId, (c) =>
      c.send(me, { clientId: frame.clientId, text: frame.text, media }),
    );
    gate.issued();
    const result = await sending;
    if (!result.ok) return this.error(ws, result.error.code, result.error.message, frame.id);
    this.host.send(ws, { type: "sent", id: frame.id, message: result.value.message });
  }
}
