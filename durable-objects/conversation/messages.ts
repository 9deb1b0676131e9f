/**
 * The message rules of a conversation: creating it, who may read what, sending (idempotent on the
 * sender's client id, gap-free seq), history pages from the hot window, and deleting for me or for
 * everyone. Runs on the object's store and needs no runtime.
 *
 * Callers pass the *authenticated* user id; a non-member gets exactly the answer a missing
 * conversation gets.
 */
import type {
  Conversation,
  EventBody,
  Media,
  Message,
  ReactionSummary,
  ReplyQuote,
  SystemEvent,
} from "../../client/sdk/protocol/index.ts";
import { MAX_GROUP_MEMBERS, MAX_HISTORY_PAGE, MAX_TEXT_BYTES } from "../../client/sdk/protocol/index.ts";
import { groupPictureUrl, isPictureOf } from "../../db/pictures.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { iso } from "../../lib/time.ts";
import { blockedByMe, withheldFrom } from "./blocks.ts";
import type { ConversationContext } from "./context.ts";
import { groupFields, refuseNonAdminSend } from "./group-settings.ts";
import { archivedReactions, quoteFor, withExtras } from "./message-extras.ts";
import { expiresAt } from "./expiry.ts";
import { initialPrivateReads } from "./read-privacy.ts";
import {
  NOT_FOUND,
  newMember,
  readableRange,
  toMessage,
  type MemberRow,
  type MessageRow,
  type MetaRow,
} from "./rows.ts";

export interface OpenInput {
  id: string;
  type: "direct" | "group";
  creatorId: string;
  memberIds: string[];
  name?: string;
  pictureMediaId?: string;
  /** Direct chats: members with read receipts off (./read-privacy.ts). */
  privateReads?: string[];
}

export interface SendInput {
  clientId: string;
  text?: string;
  media?: Media;
  /** Reply to this seq here (404 when the sender cannot see it). */
  replyTo?: number;
  /** Forwarded from another chat: the content was copied from there by the caller. */
  forwarded?: boolean;
}

/** A history page: messages from the hot window, plus what the caller must read from Postgres. */
export interface HistoryPlan {
  messages: Message[];
  /** Older messages to fetch from the archive (`minSeq ≤ seq < before`, newest `limit`), or null. */
  archive: { before: number; minSeq: number; limit: number } | null;
  /** Seqs this user deleted for themselves within the archive range. */
  hidden: number[];
  /** Reactions of the archive range's messages, by seq (reactions live here, not in Postgres). */
  reactions?: Record<number, ReactionSummary[]>;
}

const utf8 = new TextEncoder();

export { readableRange } from "./rows.ts";

/** The conversation as `userId` may see it: as it is, or for a former member as of their removal. */
export function describeFor(ctx: ConversationContext, m: MemberRow): Conversation {
  if (m.left_seq !== null && m.left_view !== null) return JSON.parse(m.left_view) as Conversation;
  return describe(ctx);
}

/** The conversation with its current members. */
export function describe(ctx: ConversationContext): Conversation {
  const meta = ctx.store.meta;
  if (!meta) throw new Error("conversation not initialised");
  return {
    id: meta.id,
    type: meta.type,
    name: meta.name,
    pictureUrl: meta.picture_media_id ? groupPictureUrl(meta.id, meta.picture_media_id) : null,
    createdAt: iso(meta.created_at),
    members: ctx.store.activeMembers().map((m) => ({ userId: m.user_id, role: m.role, joinedAt: iso(m.joined_at) })),
    ...groupFields(meta),
    // Absent = off, like the other optional fields (keeps every other chat's answer as it was).
    ...(meta.disappearing_seconds > 0 ? { disappearingSeconds: meta.disappearing_seconds } : {}),
  };
}

/** The chat-list entry a member's hub gets when the conversation appears or changes for them. */
export function conversationEvent(
  userId: string,
  c: { id: string; type: "direct" | "group"; name: string | null },
  memberIds: readonly string[],
  active: boolean,
): EventBody {
  return {
    kind: "conversation",
    conversation: {
      id: c.id,
      type: c.type,
      name: c.type === "group" ? c.name : null,
      peerId: c.type === "direct" ? (memberIds.find((id) => id !== userId) ?? null) : null,
      active,
    },
  };
}

/**
 * Creates the conversation, or returns it if it exists (idempotent: a direct chat opened twice is
 * the same chat). The creator must be among its members. `recordCreated` adds a group's first
 * system message inside the same transaction.
 */
export function open(
  ctx: ConversationContext,
  input: OpenInput,
  recordCreated: (creatorId: string, name: string | undefined, now: number) => void,
): Result<{ conversation: Conversation; created: boolean }> {
  const { store } = ctx;
  if (store.meta) {
    const m = store.member(input.creatorId);
    if (!m || m.left_seq !== null) return err("not_found", NOT_FOUND);
    return ok({ conversation: describe(ctx), created: false });
  }
  const memberIds = [...new Set([input.creatorId, ...input.memberIds])];
  if (memberIds.length > MAX_GROUP_MEMBERS)
    return err("group_full", `a group has at most ${MAX_GROUP_MEMBERS} members`);
  const now = Date.now();
  ctx.write(() => {
    store.createMeta({
      id: input.id,
      type: input.type,
      name: input.type === "group" ? (input.name ?? null) : null,
      picture_media_id: input.pictureMediaId ?? null,
      created_by: input.creatorId,
      created_at: now,
    });
    const privateReads = initialPrivateReads(input.type, input.privateReads);
    if (privateReads !== null) store.updateMeta({ private_reads: privateReads });
    for (const userId of memberIds) {
      const role = input.type === "group" && userId === input.creatorId ? "admin" : "member";
      store.putMember(newMember(userId, role, now, { joinedSeq: 0, joinedEv: 1, fanoutEv: 0, upto: 0 }));
    }
    const summary = { id: input.id, type: input.type, name: input.name ?? null };
    // Opening a direct chat is not an event for the peer: it appears in their list with its first
    // message (appendMessage), so looking someone up leaves nothing in their chat list.
    const told = input.type === "direct" ? [input.creatorId] : memberIds;
    for (const userId of told) store.appendEvent(userId, conversationEvent(userId, summary, memberIds, true));
    if (input.type === "group") recordCreated(input.creatorId, input.name, now);
  });
  ctx.committed();
  return ok({ conversation: describe(ctx), created: true });
}

/** Assigns the next seq and stores a message with its idempotency key, archive row and event. */
export function appendMessage(
  ctx: ConversationContext,
  input: {
    senderId: string;
    clientId: string;
    text?: string;
    media?: Media;
    system?: SystemEvent;
    reply?: Omit<ReplyQuote, "deleted">;
    forwarded?: boolean;
  },
  now: number,
  /** Who gets the message event: every member (null), or only the sender (a withheld message, ./blocks.ts). */
  audience: string | null = null,
): Message {
  const { store } = ctx;
  const meta = store.meta;
  if (!meta) throw new Error("conversation not initialised");
  const row: MessageRow = {
    seq: store.nextSeq(),
    client_id: input.clientId,
    sender_id: input.senderId,
    text: input.text ?? null,
    media: input.media ? JSON.stringify(input.media) : null,
    system: input.system ? JSON.stringify(input.system) : null,
    sent_at: now,
    deleted_at: null,
    version: 0,
    reply: input.reply ? JSON.stringify(input.reply) : null,
    forwarded: input.forwarded ? 1 : 0,
    edited_at: null,
    // Disappearing messages (./disappearing.ts): read from the meta row in memory; system messages stay.
    expires_at: input.system ? null : expiresAt(now, meta.disappearing_seconds, ctx.config.disappearingTestSeconds),
  };
  store.insertMessage(row);
  if (input.media) store.addMediaRef(input.media.id, row.seq);
  const message = toMessage(meta.id, row);
  // A direct chat's first message introduces it to the peer who did not open it (see `open`):
  // once per chat, inside this write, so ordinary sends pay nothing for it. Not a withheld one.
  if (row.seq === 1 && meta.type === "direct" && audience === null) {
    const summary = { id: meta.id, type: meta.type, name: null };
    const memberIds = store.activeMembers().map((m) => m.user_id);
    for (const userId of memberIds)
      if (userId !== meta.created_by) store.appendEvent(userId, conversationEvent(userId, summary, memberIds, true));
  }
  store.appendEvent(audience, { kind: "message", message });
  return message;
}

/** Checks that come before a send's write; null when it may go ahead. */
function refuseSend(
  m: MemberRow,
  input: SendInput,
  meta: MetaRow,
): { code: "forbidden" | "blocked" | "message_too_large" | "invalid_request"; message: string } | null {
  if (m.left_seq !== null) return { code: "forbidden", message: "you are no longer a member of this group" };
  if (blockedByMe(meta, m.user_id)) return { code: "blocked", message: "unblock this contact to send a message" };
  const adminsOnly = refuseNonAdminSend(meta, m);
  if (adminsOnly) return adminsOnly;
  if (input.text !== undefined && utf8.encode(input.text).length > MAX_TEXT_BYTES)
    return { code: "message_too_large", message: `text is over ${MAX_TEXT_BYTES} bytes` };
  if (input.text === undefined && input.media === undefined)
    return { code: "invalid_request", message: "text or media is required" };
  return null;
}

/**
 * Stores a message and answers with it (the object answers once the write is durable). A retry with
 * the same `clientId` answers with the original message (`duplicate: true`) and stores nothing.
 * `admit` is the last check before the write (the per-conversation rate limit): a refused send
 * consumes no seq, while retries of stored ones still pass.
 */
export function send(
  ctx: ConversationContext,
  userId: string,
  input: SendInput,
  admit: () => Result<null>,
): Result<{ message: Message; duplicate: boolean }> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  const earlier = earlierSend(ctx, userId, input);
  if (earlier) return ok({ message: earlier, duplicate: true });
  const refused = refuseSend(m, input, meta);
  if (refused) return err(refused.code, refused.message);
  const quote = input.replyTo === undefined ? undefined : quoteFor(ctx, m, input.replyTo);
  if (quote && !quote.ok) return quote;
  const admitted = admit();
  if (!admitted.ok) return admitted;
  const now = Date.now();
  // The recipient blocked the sender: stored and acked, but theirs never (./blocks.ts).
  const withheld = withheldFrom(meta, userId);
  const { clientId, text, media, forwarded } = input;
  const message = ctx.write(() => {
    const fields = { senderId: userId, clientId, text, media, reply: quote?.value, forwarded };
    const stored = appendMessage(ctx, fields, now, withheld === null ? null : userId);
    if (withheld !== null) store.hide(withheld, stored.seq);
    return stored;
  });
  ctx.committed();
  return ok({ message, duplicate: false });
}

/** The original message of an earlier send with the same client id, if any. */
function earlierSend(ctx: ConversationContext, userId: string, input: SendInput): Message | null {
  const meta = ctx.store.meta;
  if (!meta) return null;
  const sent = ctx.store.sendByClientId(userId, input.clientId);
  if (!sent) return null;
  const row = ctx.store.messageRow(sent.seq);
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

/** A page of history for `userId`, newest `limit` before `before`, from the hot window first. */
export function history(
  ctx: ConversationContext,
  userId: string,
  opts: { before?: number; limit: number },
): Result<HistoryPlan> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  const limit = Math.min(Math.max(1, opts.limit), MAX_HISTORY_PAGE);
  const { low: minSeq, high: maxSeq } = readableRange(m, meta.last_seq);
  const upper = Math.min(opts.before !== undefined ? opts.before - 1 : maxSeq, maxSeq);
  if (upper < minSeq) return ok({ messages: [], archive: null, hidden: [] });
  const hotLow = Math.max(minSeq, meta.hot_floor);
  const rows = upper >= hotLow ? store.hotPage(userId, hotLow, upper, limit) : [];
  const messages = withExtras(ctx, meta.id, rows);
  const remaining = limit - messages.length;
  const archiveBefore = messages[0]?.seq ?? Math.min(upper + 1, hotLow);
  if (remaining <= 0 || archiveBefore <= minSeq || hotLow <= minSeq) {
    return ok({ messages, archive: null, hidden: [] });
  }
  const hidden = store.hiddenSeqs(userId, minSeq, archiveBefore);
  // Seqs are gap-free, so the archive page lies within the `remaining + hidden` seqs below `before`.
  const low = Math.max(minSeq, archiveBefore - remaining - hidden.length);
  const reactions = archivedReactions(ctx, low, archiveBefore - 1);
  return ok({ messages, archive: { before: archiveBefore, minSeq, limit: remaining }, hidden, reactions });
}

/**
 * Deletes a message for `userId` only (hidden on all their devices), or for everyone (the sender,
 * or a group admin, within the window): the seq stays, as a tombstone without content, everywhere.
 */
export function deleteMessage(
  ctx: ConversationContext,
  userId: string,
  seq: number,
  scope: "me" | "everyone",
): Result<null> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  const { low, high } = readableRange(m, meta.last_seq);
  if (seq < low || seq > high) return err("not_found", "message not found");
  const sent = store.sendBySeq(seq);
  if (!sent) return err("not_found", "message not found");
  if (scope === "me") {
    ctx.write(() => {
      store.hide(userId, seq);
      store.appendEvent(userId, { kind: "message_hidden", conversationId: meta.id, seq });
    });
    ctx.committed();
    return ok(null);
  }
  // After leaving, nothing a former member does changes the group (deleting for themselves does not).
  if (m.left_seq !== null) return err("forbidden", "you are no longer a member of this group");
  const isAdmin = meta.type === "group" && m.role === "admin";
  if (sent.sender_id !== userId && !isAdmin)
    return err("forbidden", "only the sender or a group admin can delete for everyone");
  if (Date.now() - sent.sent_at > ctx.config.deleteWindowMs)
    return err("forbidden", "too late to delete this message for everyone");
  if (store.messageRow(seq)?.deleted_at != null) return ok(null);
  const now = Date.now();
  ctx.write(() => {
    store.tombstone(seq, sent, now);
    store.appendEvent(null, { kind: "message_deleted", conversationId: meta.id, seq });
  });
  ctx.committed();
  return ok(null);
}

/** Whether `userId` may read media `mediaId`: a message they can see here carries it, undeleted. */
export function mediaAccess(ctx: ConversationContext, userId: string, mediaId: string): boolean {
  const meta = ctx.store.meta;
  const m = meta ? ctx.store.member(userId) : null;
  if (!meta || !m) return false;
  // The group's picture: every current member may see it, a former one the picture they last saw.
  const lastSeen = m.left_view === null ? null : (JSON.parse(m.left_view) as Conversation).pictureUrl;
  if (m.left_seq === null ? meta.picture_media_id === mediaId : isPictureOf(lastSeen, mediaId)) return true;
  const { low, high } = readableRange(m, meta.last_seq);
  return ctx.store.mediaReferenced(mediaId, low, high);
}

/** Whether `userId` is (or was) a member, and up to which seq they may read. */
export function access(ctx: ConversationContext, userId: string): { member: boolean; active: boolean; maxSeq: number } {
  const meta = ctx.store.meta;
  const m = meta ? ctx.store.member(userId) : null;
  if (!m || !meta) return { member: false, active: false, maxSeq: 0 };
  return { member: true, active: m.left_seq === null, maxSeq: m.left_seq ?? meta.last_seq };
}
