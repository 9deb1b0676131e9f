/**
 * The WebSocket protocol, version 1: every frame a client may send and every frame the server sends.
 * Frames are JSON objects with a `type`. Client frames are strict: unknown fields or types are an
 * `invalid_request` error frame and change nothing; the socket stays open.
 *
 * Session flow: connect → client `hello {cursor}` → server `welcome` → server `events` (everything after
 * `cursor`, in order, in pages) → `synced` → live `events` as they happen. The client `ack`s the cursor
 * of what it has stored; the server treats acked events as delivered to this user.
 */
import { z } from "zod";
import { ClientId, FrameText, Id, Seq } from "./rest.ts";
import { ConversationSummary, Message, Presence, StatusWatermarks, User } from "./model.ts";
import { ERROR_CODES } from "./errors.ts";
import { MAX_DEVICE_ID_CHARS, MAX_FRAME_ID_CHARS } from "./limits.ts";
import { cleanString } from "./strings.ts";
import { MessageEditedEvent, MessageRef, ReactionEvent } from "./message-extras.ts";
import { MessagesExpiredEvent } from "./disappearing.ts";
import { ChatStateEvent } from "./chat-state.ts";

export const PROTOCOL_VERSION = 1;

/** A cursor is a position in the user's own event log: 0 before the first event. */
const Cursor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Client frame id, echoed on the answer so requests and replies pair up. */
const FrameId = cleanString().min(1).max(MAX_FRAME_ID_CHARS);

// ---- client → server --------------------------------------------------------------------------

export const ClientFrame = z.discriminatedUnion("type", [
  /** First frame on every socket. `cursor` = last event this device stored (0 for a new device). */
  z.strictObject({
    type: z.literal("hello"),
    v: z.literal(PROTOCOL_VERSION),
    deviceId: cleanString().min(1).max(MAX_DEVICE_ID_CHARS),
    cursor: Cursor,
  }),
  /** "I have stored every event up to `cursor`": marks them delivered, lets the log be trimmed. */
  z.strictObject({ type: z.literal("ack"), cursor: Cursor }),
  /**
   * Send a message. Answered by `sent` (or `error`) with the same `id`. Retries reuse `clientId`.
   * `text` is bounded by the frame size here; over MAX_TEXT_BYTES the conversation answers
   * `message_too_large`.
   */
  z.strictObject({
    type: z.literal("send"),
    id: FrameId,
    conversationId: Id,
    clientId: ClientId,
    text: FrameText.optional(),
    mediaId: Id.optional(),
    /** As in the REST send: reply to this seq here, or forward a message from another chat. */
    replyTo: Seq.optional(),
    forwardOf: MessageRef.optional(),
  }),
  /**
   * The user has seen everything up to `upTo` in this conversation (opening the chat). `ack`: the
   * device's held-back ack (as an `ack` frame's `cursor`), taken first — one frame, one hub turn, where
   * a message read on arrival used to cost two.
   */
  z.strictObject({
    type: z.literal("read"),
    id: FrameId.optional(),
    conversationId: Id,
    upTo: Seq,
    ack: Cursor.optional(),
  }),
  /** Delete one message for me (every device of mine) or for everyone (sender, within the window). */
  z.strictObject({
    type: z.literal("delete"),
    id: FrameId,
    conversationId: Id,
    seq: Seq,
    for: z.enum(["me", "everyone"]),
  }),
  /** Typing indicator; ephemeral, never stored, expires by itself on the receiving side. */
  z.strictObject({ type: z.literal("typing"), conversationId: Id, typing: z.boolean() }),
  /** Keep-alive; answered by `pong` without waking the object. */
  z.strictObject({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- events in the user's log --------------------------------------------------------------------

/** What can happen to a user; each is stored in their log and replayed to devices that missed it. */
export const EventBody = z.discriminatedUnion("kind", [
  /** A new message (including the user's own, for their other devices) or a system message. */
  z.object({ kind: z.literal("message"), message: Message }),
  /** Deleted for everyone: the message at `seq` is now a tombstone. */
  z.object({ kind: z.literal("message_deleted"), conversationId: z.string(), seq: z.number() }),
  /** Deleted for me: hide `seq` on every device of this user. */
  z.object({ kind: z.literal("message_hidden"), conversationId: z.string(), seq: z.number() }),
  /** The conversation appeared in, or changed in, this user's chat list. */
  z.object({
    kind: z.literal("conversation"),
    conversation: ConversationSummary.omit({
      lastMessage: true,
      unreadCount: true,
      updatedAt: true,
      peer: true,
      status: true,
      listState: true,
    }),
  }),
  /**
   * The delivered/read state of this user's own messages changed. Four watermarks over the other
   * members: a message `seq` is delivered to all when `seq ≤ deliveredAll`, to some when
   * `seq ≤ deliveredSome`, else none; read likewise. They only grow, so one event describes every
   * message at once and repeating or coalescing them is harmless.
   */
  z.object({ kind: z.literal("status"), conversationId: z.string(), ...StatusWatermarks.shape }),
  /** This user read up to `upTo` on some device: unread counts follow on every device. */
  z.object({ kind: z.literal("read_marker"), conversationId: z.string(), upTo: z.number() }),
  /**
   * Someone this user chats with (or the user, from another device) changed their display name,
   * about or picture. `user` is the public profile, exactly what `GET /v1/users/:id` answers; it
   * replaces any copy the client holds. Not tied to a conversation.
   */
  z.object({ kind: z.literal("profile"), user: User }),
  /** This user blocked or unblocked `userId` (on some device): the blocked list follows on every device. */
  z.object({ kind: z.literal("blocked"), userId: z.string(), blocked: z.boolean() }),
  /** The sender edited the message at `seq` (it keeps its seq): show `text`, labelled edited. */
  MessageEditedEvent,
  /**
   * Someone set, changed or removed a reaction: `reactions` is the message's whole reaction state.
   * Not a message: no seq, no unread count, no change to the chat list's order.
   */
  ReactionEvent,
  /** Disappearing messages whose time came: gone from the chat, its history and every device. */
  MessagesExpiredEvent,
  /** This user pinned, archived, muted, marked unread or deleted a chat (on some device). */
  ChatStateEvent,
]);
export type EventBody = z.infer<typeof EventBody>;

export const Event = z.intersection(z.object({ cursor: z.number(), at: z.string() }), EventBody);
export type Event = z.infer<typeof Event>;

// ---- server → client ------------------------------------------------------------------------------

export const ServerFrame = z.discriminatedUnion("type", [
  /** Answer to `hello`: who the socket belongs to and the newest cursor in the log. */
  z.object({ type: z.literal("welcome"), v: z.number(), userId: z.string(), head: z.number() }),
  /** Ordered events, each with its cursor. Replays and live pushes have the same shape. */
  z.object({ type: z.literal("events"), events: z.array(Event) }),
  /** The replay after `hello` is complete; what follows is live. `reset` = the device was too far behind
   * (its cursor was trimmed): drop local state and refetch chats and history over REST. */
  z.object({ type: z.literal("synced"), cursor: z.number(), reset: z.boolean() }),
  /** A send was stored: the message with its `seq`. Retries get the original message. */
  z.object({ type: z.literal("sent"), id: z.string(), message: Message }),
  /** A `read`/`delete` with an id succeeded. */
  z.object({ type: z.literal("ok"), id: z.string() }),
  /** Presence of someone the user chats with changed. */
  z.object({ type: z.literal("presence"), presence: Presence }),
  /** Someone is typing (or stopped). Expires by itself after a few seconds. */
  z.object({ type: z.literal("typing"), conversationId: z.string(), userId: z.string(), typing: z.boolean() }),
  /**
   * A problem with one frame; `id` echoes the client's frame id when it had one. `retryAfter`
   * (seconds) comes with `rate_limited`: when the same frame may succeed, like REST's `Retry-After`.
   */
  z.object({
    type: z.literal("error"),
    id: z.string().optional(),
    code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    message: z.string(),
    retryAfter: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal("pong") }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
