/**
 * Blocking in a direct chat. When one member blocks the other, what the blocked one sends is still
 * stored and acknowledged to them (one tick: the block is not revealed) but withheld from the
 * blocker for good: its event goes to the sender's hub only, and it is hidden for the blocker in the
 * same transaction, so no later read, unblock or archive page shows it.
 *
 * The state is `meta.blocked_by` (the blockers' ids), which the object keeps in memory: the send path
 * reads a field it already holds, so an ordinary message costs no extra read, write or call. The
 * Worker sets it through `setBlock` when a block changes (workers/routes/blocks.ts).
 */
import { err, ok, type Result } from "../../lib/result.ts";
import type { ConversationContext } from "./context.ts";
import { NOT_FOUND, type MetaRow } from "./rows.ts";

function blockers(meta: MetaRow): string[] {
  return meta.blocked_by === null ? [] : meta.blocked_by.split(",");
}

/** The member a message from `senderId` must be withheld from (they blocked the sender), else null. */
export function withheldFrom(meta: MetaRow, senderId: string): string | null {
  if (meta.blocked_by === null || meta.type !== "direct") return null;
  return blockers(meta).find((id) => id !== senderId) ?? null;
}

/** Whether `userId` blocked the other member: they must unblock before they can send. */
export function blockedByMe(meta: MetaRow, userId: string): boolean {
  return meta.blocked_by !== null && meta.type === "direct" && blockers(meta).includes(userId);
}

/** `blockerId` blocks (or unblocks) the other member of this direct chat. Idempotent. */
export function setBlock(ctx: ConversationContext, blockerId: string, blocked: boolean): Result<null> {
  const meta = ctx.store.meta;
  const m = meta ? ctx.store.member(blockerId) : null;
  if (!meta || !m || meta.type !== "direct") return err("not_found", NOT_FOUND);
  const current = blockers(meta);
  if (current.includes(blockerId) === blocked) return ok(null);
  const next = blocked ? [...current, blockerId] : current.filter((id) => id !== blockerId);
  ctx.write(() => ctx.store.updateMeta({ blocked_by: next.length === 0 ? null : next.join(",") }));
  return ok(null);
}
