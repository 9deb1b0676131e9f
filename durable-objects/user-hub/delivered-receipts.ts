/**
 * Reports delivered receipts to conversations: what devices acked (./event-log.ts owes them) goes to
 * each conversation as one watermark, however many messages it covers. One pass reports every
 * conversation owed, in parallel (bounded); acks that arrive while a pass runs are reported by the
 * next one right after (../shared/drain.ts), so under load one call covers a whole burst. A failed
 * call backs off per conversation and the alarm retries it.
 */
import type { Result } from "../../lib/result.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import type { PassOutcome } from "../shared/drain.ts";
import type { HubStore } from "./store.ts";

/** Conversations told at once. */
const CONCURRENCY = 20;

export async function reportDelivered(
  store: HubStore,
  markDelivered: (conversationId: string, upTo: number) => Promise<Result<null>>,
): Promise<PassOutcome> {
  const due = store.receiptsDue(Date.now());
  if (due.length === 0) return {};
  const outcomes: Array<{ conversationId: string; upTo: number; ok: boolean; failures: number }> = [];
  await forEachBounded(due, CONCURRENCY, async (r) => {
    const result = await markDelivered(r.conversation_id, r.acked_upto);
    // not_found: the conversation is gone or the user left it; nothing more to report.
    const ok = result.ok || result.error.code === "not_found";
    outcomes.push({ conversationId: r.conversation_id, upTo: r.acked_upto, ok, failures: r.failures });
  });
  // Successes are remembered in memory and stored with the next write (./store.ts); only failures,
  // rare, write now (their retry time must survive an eviction).
  for (const o of outcomes) {
    if (o.ok) store.receiptReported(o.conversationId, o.upTo);
    else store.receiptFailed(o.conversationId, o.failures + 1, Date.now() + backoffMs(o.failures + 1));
  }
  return { dueAt: store.nextReceiptDue() };
}
