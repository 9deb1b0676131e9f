/**
 * Replies, reactions and edits of a conversation's messages (README "Protocol"). They ride the same
 * event stream as messages, so fan-out, replay and exactly-once come with it:
 *
 * - a reply stores a snapshot of what it quotes (sender, first REPLY_SNIPPET_CHARS characters or
 *   the media kind) in its own row, so it renders without the original; whether the original was
 *   deleted for everyone is worked out when read (`deleted_seqs` keeps that beyond the hot window);
 * - a reaction is not a message: no seq, no archive row, no unread count. One row per member per
 *   message, kept for every message (archived ones too), and one `reaction` event carrying the
 *   message's whole reaction state, so later events simply replace earlier ones;
 * - an edit rewrites the hot row (the seq stays), bumps its archive version and sends one
 *   `message_edited` event.
 *
 * None of this touches an ordinary send: a send without `replyTo` runs no extra statement.
 */
import type { ReactionSummary, ReplyQuote } from "../../client/sdk/protocol/index.ts";
import { EDIT_WINDOW_SECONDS, MAX_TEXT_BYTES, REPLY_SNIPPET_CHARS } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { iso } from "../../lib/time.ts";
import type { ConversationContext } from "./context.ts";
import { NOT_FOUND, readableRange, toMessage, type MemberRow, type MessageRow } from "./rows.ts";
import type { Message } from "../../client/sdk/protocol/index.ts";

export const EDIT_WINDOW_MS = EDIT_WINDOW_SECONDS * 1000;
const utf8 = new TextEncoder();

/** The quote a reply to `seq` carries, if `m` can see that message; 404 otherwise. */
export function quoteFor(ctx: ConversationContext, m: MemberRow, seq: number): Result<Omit<ReplyQuote, "deleted">> {
  const meta = ctx.store.meta;
  if (!meta) return err("not_found", NOT_FOUND);
  const { low, high } = readableRange(m, meta.last_seq);
  const sent = seq >= low && seq <= high ? ctx.store.sendBySeq(seq) : null;
  if (!sent || ctx.store.isDeleted(seq)) return err("not_found", "the message replied to does not exist");
  const row = ctx.store.messageRow(seq);
  // Past the hot window the text lives only in Postgres: the quote names the sender, without a snippet.
  if (!row) return ok({ seq, senderId: sent.sender_id, snippet: null, mediaType: null });
  const mediaType = row.media === null ? null : (JSON.parse(row.media) as { type: string }).type;
  return ok({ seq, senderId: row.sender_id, snippet: snippetOf(row.text), mediaType });
}

/** The first REPLY_SNIPPET_CHARS characters (code points, so no emoji is cut in half). */
export function snippetOf(text: string | null): string | null {
  if (text === null) return null;
  const chars = [...text];
  return chars.length <= REPLY_SNIPPET_CHARS ? text : chars.slice(0, REPLY_SNIPPET_CHARS).join("");
}

/** Reactions grouped per seq, each emoji with its count and who (in the order they reacted). */
export function summarize(rows: ReadonlyArray<{ seq: number; user_id: string; emoji: string }>) {
  const bySeq = new Map<number, ReactionSummary[]>();
  for (const r of rows) {
    const list = bySeq.get(r.seq) ?? [];
    const entry = list.find((e) => e.emoji === r.emoji);
    if (entry) {
      entry.count++;
      entry.userIds.push(r.user_id);
    } else list.push({ emoji: r.emoji, count: 1, userIds: [r.user_id] });
    bySeq.set(r.seq, list);
  }
  return bySeq;
}

/** Hot rows as messages, with their reactions and whether their quotes' originals are deleted. */
export function withExtras(ctx: ConversationContext, conversationId: string, rows: readonly MessageRow[]): Message[] {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return [];
  const reactions = summarize(ctx.store.reactionsIn(first.seq, last.seq));
  const quoted = rows.flatMap((r) => (r.reply === null ? [] : [(JSON.parse(r.reply) as { seq: number }).seq]));
  const deleted = ctx.store.deletedAmong(quoted);
  return rows.map((r) =>
    toMessage(conversationId, r, {
      reactions: reactions.get(r.seq),
      quoteDeleted: r.reply !== null && deleted.has((JSON.parse(r.reply) as { seq: number }).seq),
    }),
  );
}

/** Reactions of the archived messages in [low, high] (the Worker merges them into the page). */
export function archivedReactions(
  ctx: ConversationContext,
  low: number,
  high: number,
): Record<number, ReactionSummary[]> {
  return Object.fromEntries(summarize(ctx.store.reactionsIn(low, high)));
}

/**
 * Sets, changes (`emoji`) or removes (null) `userId`'s reaction to `seq`: any message they can see,
 * archived ones too, but not a deleted or a system message. Removing a reaction that is not there
 * changes nothing and sends no event.
 */
export function react(
  ctx: ConversationContext,
  userId: string,
  seq: number,
  emoji: string | null,
): Result<{ reactions: ReactionSummary[] }> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  const { low, high } = readableRange(m, meta.last_seq);
  if (seq < low || seq > high || !store.sendBySeq(seq) || store.isDeleted(seq))
    return err("not_found", "message not found");
  if (m.left_seq !== null) return err("forbidden", "you are no longer a member of this group");
  const current = store.reactionsIn(seq, seq);
  const mine = current.find((r) => r.user_id === userId)?.emoji ?? null;
  if (mine === emoji) return ok({ reactions: summarize(current).get(seq) ?? [] });
  const reactions = ctx.write(() => {
    store.setReaction(seq, userId, emoji, Date.now());
    const now = summarize(store.reactionsIn(seq, seq)).get(seq) ?? [];
    store.appendEvent(null, { kind: "reaction", conversationId: meta.id, seq, reactions: now });
    return now;
  });
  ctx.committed();
  return ok({ reactions });
}

/**
 * The sender replaces the text of their message within EDIT_WINDOW_MS of sending it. Refused
 * (`forbidden`) for anyone else, after deletion, past the window, and for a message without text.
 */
export function edit(ctx: ConversationContext, userId: string, seq: number, text: string): Result<Message> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  const { low, high } = readableRange(m, meta.last_seq);
  const sent = seq >= low && seq <= high ? store.sendBySeq(seq) : null;
  if (!sent) return err("not_found", "message not found");
  if (m.left_seq !== null) return err("forbidden", "you are no longer a member of this group");
  if (sent.sender_id !== userId) return err("forbidden", "only the sender can edit a message");
  if (store.isDeleted(seq)) return err("forbidden", "this message was deleted");
  const now = Date.now();
  const row = store.messageRow(seq);
  if (!row || now - sent.sent_at > EDIT_WINDOW_MS)
    return err("forbidden", `a message can be edited for ${EDIT_WINDOW_SECONDS / 60} minutes after sending`);
  if (row.text === null) return err("forbidden", "only a text can be edited");
  if (utf8.encode(text).length > MAX_TEXT_BYTES)
    return err("message_too_large", `text is over ${MAX_TEXT_BYTES} bytes`);
  ctx.write(() => {
    store.editText(seq, text, now);
    store.appendEvent(null, { kind: "message_edited", conversationId: meta.id, seq, text, editedAt: iso(now) });
  });
  ctx.committed();
  const [message] = withExtras(ctx, meta.id, [{ ...row, text, edited_at: now, version: row.version + 1 }]);
  if (!message) throw new Error("edited message vanished");
  return ok(message);
}

/**
 * What `userId` forwards from this conversation: the message at `seq` if they can see it and it is
 * not deleted. A message past the hot window comes back as `archived` and the caller reads it from
 * Postgres (the access check has been done here).
 */
export function forwardSource(
  ctx: ConversationContext,
  userId: string,
  seq: number,
): Result<{ message: Message } | { archived: true }> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  const { low, high } = readableRange(m, meta.last_seq);
  const sent = seq >= low && seq <= high ? store.sendBySeq(seq) : null;
  if (!sent || store.isDeleted(seq) || store.hiddenSeqs(userId, seq, seq + 1).length > 0)
    return err("not_found", "message not found");
  const row = store.messageRow(seq);
  if (!row) return ok({ archived: true });
  return ok({ message: toMessage(meta.id, row) });
}
