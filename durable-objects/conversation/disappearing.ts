/**
 * Disappearing messages (README "Disappearing messages"). A chat's timer (off, 24 h, 7 days, 90 days)
 * is set by any member of a direct chat or an admin of a group, and the change is a system message.
 * Each message sent while it is on carries its deadline in its own row (`appendMessage`); when the
 * deadline passes, the object's alarm removes it here: from this object, from Postgres (queued), from
 * every device (a `messages_expired` event through the ordinary fan-out), and from R2 once no other
 * message references its media (the media reference jobs). Runs on the store; no runtime needed.
 */
import type { Conversation } from "../../client/sdk/protocol/index.ts";
import { MAX_EXPIRIES_PER_PASS } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import type { ConversationContext } from "./context.ts";
import { appendMessage, describe } from "./messages.ts";
import { NOT_FOUND } from "./rows.ts";
import { systemClientId } from "./group-ops.ts";

/** Sets the chat's timer (`seconds`, one of DISAPPEARING_TIMERS; validated at the edge). */
export function setTimer(ctx: ConversationContext, actorId: string, seconds: number): Result<Conversation> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(actorId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  if (m.left_seq !== null) return err("forbidden", "you are no longer a member of this group");
  if (meta.type === "group" && m.role !== "admin")
    return err("forbidden", "only a group admin can change disappearing messages");
  if (meta.disappearing_seconds === seconds) return ok(describe(ctx));
  const now = Date.now();
  ctx.write(() => {
    store.updateMeta({ disappearing_seconds: seconds });
    const system = { kind: "disappearing_changed" as const, by: actorId, seconds };
    appendMessage(ctx, { senderId: actorId, clientId: systemClientId(), system }, now);
  });
  ctx.committed();
  return ok(describe(ctx));
}

/**
 * Removes up to MAX_EXPIRIES_PER_PASS messages whose deadline is at or before `now`, in one
 * transaction with the event that tells every device. Answers whether more are due (the caller
 * runs it again). Nothing due: nothing written.
 */
export function expirePass(ctx: ConversationContext, now: number): { removed: number[]; more: boolean } {
  const { store } = ctx;
  const meta = store.meta;
  if (!meta || store.nextExpiry === null || store.nextExpiry > now) return { removed: [], more: false };
  const due = store.dueExpiries(now, MAX_EXPIRIES_PER_PASS);
  ctx.write(() => {
    for (const seq of due) store.expireMessage(seq);
    if (due.length > 0) store.appendEvent(null, { kind: "messages_expired", conversationId: meta.id, seqs: due });
    store.refreshNextExpiry();
  });
  if (due.length > 0) ctx.committed();
  return { removed: due, more: due.length === MAX_EXPIRIES_PER_PASS };
}
