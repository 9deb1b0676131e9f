/**
 * Read receipts off, per user, in direct chats (README "Privacy"). A member with read receipts off
 * neither sends reads nor sees the other's: while either member of a direct chat has them off, the
 * read half of each sender's status view stays where it was, so the status events and the message
 * info screen show delivered but no new read. Groups always show reads.
 *
 * Nothing changes on the receipt path itself: the reader's watermark still moves (their unread
 * counts and other devices follow), no row is written per message, and the mask is applied to the
 * view already computed for the sender. The setting lives in the user's hub; each direct chat keeps
 * a copy in `meta.private_reads` (in memory), set on creation and by `setPrivateReads` when it changes.
 */
import { ok, err, type Result } from "../../lib/result.ts";
import type { ConversationContext } from "./context.ts";
import type { SenderView } from "./receipts.ts";
import { NOT_FOUND, type MetaRow } from "./rows.ts";

/** Whether reads are hidden in this conversation (a direct chat where someone turned them off). */
export function readsHidden(meta: MetaRow): boolean {
  return meta.private_reads !== null && meta.type === "direct";
}

/** The view a sender may see: with reads hidden, the read half stays as last shown. */
export function visibleView(meta: MetaRow, view: SenderView, shown: SenderView | null): SenderView {
  if (!readsHidden(meta)) return view;
  return { ...view, readSome: shown?.readSome ?? 0, readAll: shown?.readAll ?? 0 };
}

/** The initial `private_reads` of a new conversation: only direct chats keep one. */
export function initialPrivateReads(type: "direct" | "group", ids: readonly string[] | undefined): string | null {
  return type === "direct" && ids && ids.length > 0 ? [...new Set(ids)].join(",") : null;
}

/**
 * `userId` turned read receipts off (`off`) or on. Turning them on lets the views catch up at once
 * (a status event to each sender whose view moved), as every later receipt would.
 */
export function setPrivateReads(
  ctx: ConversationContext,
  userId: string,
  off: boolean,
  emitStatusChanges: (ctx: ConversationContext) => void,
): Result<null> {
  const meta = ctx.store.meta;
  const m = meta ? ctx.store.member(userId) : null;
  if (!meta || !m) return err("not_found", NOT_FOUND);
  if (meta.type !== "direct") return ok(null);
  const current = meta.private_reads === null ? [] : meta.private_reads.split(",");
  if (current.includes(userId) === off) return ok(null);
  const next = off ? [...current, userId] : current.filter((id) => id !== userId);
  ctx.write(() => {
    ctx.store.updateMeta({ private_reads: next.length === 0 ? null : next.join(",") });
    emitStatusChanges(ctx);
  });
  ctx.committed();
  return ok(null);
}
