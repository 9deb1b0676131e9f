/**
 * Receipts as watermarks: each member's delivered/read positions move forward only, each step is
 * recorded with its time (exact per-recipient times without a row per message), and the senders
 * whose aggregate view moved get one `status` event each (./receipts.ts has the arithmetic).
 *
 * Everything is in memory but the step rows: a receipt costs one transaction with two or three
 * statements, plus one event per sender whose view actually changed — usually none or one.
 */
import type { MessageStatus } from "../../client/sdk/protocol/index.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { iso } from "../../lib/time.ts";
import type { ConversationContext } from "./context.ts";
import { readableRange } from "./messages.ts";
import { readsHidden, visibleView } from "./read-privacy.ts";
import { aggregate, advance, sameView, viewsFor, type SenderView } from "./receipts.ts";
import { NOT_FOUND } from "./rows.ts";

/** A member's device stored (delivered) or the member saw (read) everything up to `upTo`. */
export interface WatermarkMove {
  userId: string;
  upTo: number;
  kind: "delivered" | "read";
  /** A read whose marker the reader's hub logged itself: no read_marker event goes back to them. */
  markerLogged?: boolean;
}

/** Moves `userId`'s delivered or read watermark up to `upTo` (read lifts delivered too). */
export function moveWatermark(
  ctx: ConversationContext,
  userId: string,
  upTo: number,
  kind: "delivered" | "read",
): Result<null> {
  return moveWatermarks(ctx, [{ userId, upTo, kind }])[0] as Result<null>;
}

/**
 * Applies receipts that arrived together in one transaction, and tells each sender whose view moved
 * once for all of them: 200 members acking one group message cost one commit and a few status
 * events, not 200 of each. Answers each receipt on its own.
 */
export function moveWatermarks(ctx: ConversationContext, moves: readonly WatermarkMove[]): Result<null>[] {
  const { store } = ctx;
  const meta = store.meta;
  const results: Result<null>[] = [];
  const apply: Array<() => void> = [];
  const now = Date.now();
  for (const { userId, upTo, kind, markerLogged } of moves) {
    const m = meta ? store.member(userId) : null;
    if (!meta || !m) {
      results.push(err("not_found", NOT_FOUND));
      continue;
    }
    results.push(ok(null));
    apply.push(() => {
      const ceiling = m.left_seq ?? meta.last_seq;
      const current = kind === "read" ? m.read_upto : Math.max(m.delivered_upto, m.read_upto);
      const next = advance(current, upTo, ceiling);
      if (next === null) return;
      if (kind === "read") {
        store.updateMember(userId, { read_upto: next, read_at: now });
        store.recordReceiptStep(userId, "read", next, now);
        if (!markerLogged) store.appendEvent(userId, { kind: "read_marker", conversationId: meta.id, upTo: next });
      }
      if (next > m.delivered_upto) {
        store.updateMember(userId, { delivered_upto: next, delivered_at: now });
        store.recordReceiptStep(userId, "delivered", next, now);
      }
      moved = true;
    });
  }
  let moved = false;
  if (apply.length === 0) return results;
  ctx.write(() => {
    for (const step of apply) step();
    if (moved) emitStatusChanges(ctx);
  });
  if (moved) ctx.committed();
  return results;
}

/**
 * After watermarks moved, tells each member whose aggregate view changed, and only if they have
 * messages the change is about. Coalesced by construction: one event per member whose view moved,
 * whatever the group size or the number of receipts. Call inside a transaction.
 */
export function emitStatusChanges(ctx: ConversationContext): void {
  const { store } = ctx;
  const meta = store.meta;
  if (!meta) return;
  const senders = store.lastSent();
  if (senders.size === 0) return;
  const active = store.currentMembers();
  const views = viewsFor(active.map((m) => ({ userId: m.user_id, delivered: m.delivered_upto, read: m.read_upto })));
  // Only people who sent something can have a status to see change: usually a few, not 200.
  for (const [userId, lastSent] of senders) {
    const computed = views.get(userId);
    const member = store.member(userId);
    if (!computed || !member) continue;
    const before = member.status_sent ? (JSON.parse(member.status_sent) as SenderView) : null;
    const view = visibleView(meta, computed, before); // read receipts off (./read-privacy.ts)
    if (sameView(before, view)) continue;
    const low = before ? Math.min(before.readAll, before.readSome, before.deliveredAll, before.deliveredSome) : 0;
    if (lastSent <= low) continue; // none of their messages is in the range that moved
    store.updateMember(userId, { status_sent: JSON.stringify(view) });
    // Everything they sent is read by everyone: their ticks cannot move again until they send, so
    // there is no company to wait for, and a timer would be a wake-up of its own.
    const final = view.readAll >= lastSent;
    store.appendEvent(userId, { kind: "status", conversationId: meta.id, ...view }, final ? 0 : undefined);
  }
}

/** The "message info" screen: each recipient's delivered/read time and the aggregates. */
export function messageStatus(ctx: ConversationContext, userId: string, seq: number): Result<MessageStatus> {
  const { store } = ctx;
  const meta = store.meta;
  const m = meta ? store.member(userId) : null;
  if (!meta || !m) return err("not_found", "message not found");
  const { low, high } = readableRange(m, meta.last_seq);
  if (seq < low || seq > high) return err("not_found", "message not found");
  const sent = store.sendBySeq(seq);
  if (!sent) return err("not_found", "message not found");
  if (sent.sender_id !== userId) return err("forbidden", "only the sender can see who received a message");
  // Recipients: everyone who was a member when it was sent, but the sender.
  const recipients = store.receiptTimes(seq, userId);
  // Reads hidden (./read-privacy.ts): only what the sender's view already shows as read.
  if (readsHidden(meta)) {
    const shown = m.status_sent ? (JSON.parse(m.status_sent) as SenderView).readSome : 0;
    if (seq > shown) for (const r of recipients) r.read_at = null;
  }
  const delivered = recipients.filter((r) => r.delivered_at !== null).length;
  const read = recipients.filter((r) => r.read_at !== null).length;
  return ok({
    seq,
    sentAt: iso(sent.sent_at),
    delivered: aggregate(delivered, recipients.length),
    read: aggregate(read, recipients.length),
    recipients: recipients.map((r) => ({
      userId: r.user_id,
      deliveredAt: r.delivered_at === null ? null : iso(r.delivered_at),
      readAt: r.read_at === null ? null : iso(r.read_at),
    })),
  });
}
