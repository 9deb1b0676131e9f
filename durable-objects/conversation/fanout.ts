/**
 * Durable fan-out: pushes the conversation's events to each member's UserHub.
 *
 * Each member has a watermark (`fanout_ev`) of the last event their hub acknowledged, and a pass
 * sends everything after it, in order, in one batched RPC per member, all members in parallel
 * (bounded). The events were serialized once when appended; every hub gets the same strings. A
 * failed hub gets a jittered backoff and is retried by the alarm; the hub drops repeats by
 * (conversation, ev), so a retry after a lost answer is harmless — which is also why a pass stores
 * its progress lazily (./store.ts) and commits nothing itself. Triggers during a pass coalesce into
 * one more pass (../shared/drain.ts), so a burst of sends becomes a few batched RPCs per hub.
 */
import { errorSummary } from "../../lib/log.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import { applyIsolating, isRefusedByHub, REFUSALS_BEFORE_ISOLATING } from "../shared/isolate.ts";

export { REFUSALS_BEFORE_ISOLATING };
import type { PassOutcome } from "../shared/drain.ts";
import type { ConversationStore, PendingEvent } from "./store.ts";

/** Events per RPC: keeps each call well under the RPC size limit and a hub's write short. */
export const FANOUT_BATCH = 200;
/** Hubs called at once: a 200-member group is one round, without unbounded calls in flight. */
export const FANOUT_CONCURRENCY = 200;
/**
 * A sender's own message goes back to their hub (for their other devices and their chat list), but
 * the sending device already has it from `sent`; receipts of their messages and their own read
 * markers only move ticks and unread counts. When that is all a hub is owed, it waits a little
 * (./store.ts LAZY_DELAY_MS, READ_MARKER_DELAY_MS) to travel with the next events: a busy chat costs
 * each hub about one delivery per message from others, not three more per own message (echo,
 * delivered, read).
 */
export { LAZY_DELAY_MS, READ_MARKER_DELAY_MS } from "./store.ts";

/**
 * Held-back members taken along when a timer wakes the conversation for another member's held-back
 * events: a direct chat's read marker (a REST read; socket reads are logged by the reader's hub)
 * then leaves with the ticks the sender was owed, instead of waking the object again ~2 s later.
 * Each is one more hub call (~0.1–0.2 ms) against a wake-up of its own (~0.5 ms); a group's readers
 * are more than that and usually ride with its next message.
 */
export const TAKE_ALONG = 2;

/** One event as a hub receives it: its number in this conversation and its body as JSON. */
export interface WireEvent {
  ev: number;
  json: string;
}

type Outgoing = WireEvent & { lazyFor: string | null; lazyMs: number };

/** A member a pass calls: the events, the watermark they reach, whether a batch is left after. */
interface Due {
  userId: string;
  events: WireEvent[];
  reached: number;
  more: boolean;
  failures: number;
}

export interface HubDeliver {
  /**
   * Appends the events to the member's log. Answers with the delivered receipt the hub owes this
   * conversation (the highest seq its devices acked), if any: a busy chat's receipts ride on its
   * deliveries instead of one more call each way (user-hub/delivered-receipts.ts).
   */
  deliver(conversationId: string, events: WireEvent[]): Promise<number | null | void>;
}

/** A member's delivered receipt that came back with a delivery. */
export interface DeliveredReceipt {
  userId: string;
  upTo: number;
}

/** One fan-out pass over every member whose hub is behind and due. */
export async function fanoutPass(
  store: ConversationStore,
  hub: (userId: string) => HubDeliver,
  now = Date.now(),
  onReceipts: (receipts: DeliveredReceipt[]) => void = () => undefined,
  onDeadLetter: () => void = () => undefined,
): Promise<PassOutcome> {
  const meta = store.meta;
  if (!meta) return {};
  const lastEv = meta.last_ev;
  const due: Due[] = [];
  /** Members whose events are all held back, with when they fall due. */
  const held: Array<Due & { at: number }> = [];
  /** Whether this pass is the one a held-back wait ran out for (a timer woke the object for it). */
  let waitRanOut = false;
  let dueAt: number | null = null;
  for (const m of store.members()) {
    const upper = Math.min(m.left_ev ?? lastEv, lastEv);
    if (m.fanout_ev >= upper) continue;
    if (m.fanout_due > now && m.fanout_failures > 0) {
      dueAt = Math.min(dueAt ?? m.fanout_due, m.fanout_due);
      continue;
    }
    const events = eventsFor(store.events, m.user_id, m.fanout_ev, upper);
    const full = events.length === FANOUT_BATCH;
    const next: Due = {
      userId: m.user_id,
      events,
      reached: full ? (events[events.length - 1] as WireEvent).ev : upper,
      more: full,
      failures: m.fanout_failures,
    };
    // Only what may wait is waiting: hold it back a little (anything else ends the wait).
    if (m.fanout_failures === 0 && events.length > 0 && events.every((e) => e.lazyFor === m.user_id)) {
      // The shortest wait wins: a tick queued behind a read marker does not wait the marker's time.
      const wait = Math.min(...events.map((e) => e.lazyMs));
      const at = m.fanout_due === 0 ? now + wait : Math.min(m.fanout_due, now + wait);
      if (at > now) {
        if (at !== m.fanout_due)
          store.setFanout(m.user_id, { fanout_ev: m.fanout_ev, fanout_due: at, fanout_failures: 0 });
        held.push({ ...next, at });
        continue;
      }
      waitRanOut = true;
    }
    due.push(next);
  }
  // A few held-back members go along with a pass their wait did not start: their own timer would be
  // a wake-up of its own later, while joining costs one call each now (see TAKE_ALONG).
  if (waitRanOut && held.length <= TAKE_ALONG) due.push(...held.splice(0));
  for (const h of held) dueAt = Math.min(dueAt ?? h.at, h.at);
  if (due.length === 0) return { dueAt };
  let more = false;
  const receipts: DeliveredReceipt[] = [];
  await forEachBounded(due, FANOUT_CONCURRENCY, async (d) => {
    try {
      if (d.events.length > 0) {
        const wire = d.events.map(({ ev, json }) => ({ ev, json }));
        const deliver = async (batch: readonly WireEvent[]) => {
          const upTo = await hub(d.userId).deliver(meta.id, [...batch]);
          if (typeof upTo === "number") receipts.push({ userId: d.userId, upTo });
        };
        if (d.failures < REFUSALS_BEFORE_ISOLATING) await deliver(wire);
        else
          await applyIsolating(
            wire,
            deliver,
            (event, error) => {
              store.deadLetterFanout(d.userId, event, errorSummary(error), Date.now());
              onDeadLetter();
            },
            isRefusedByHub,
          );
      }
      // MAX: a member who rejoined during the pass already starts past what was sent.
      const current = store.member(d.userId)?.fanout_ev ?? 0;
      store.setFanout(d.userId, { fanout_ev: Math.max(current, d.reached), fanout_due: 0, fanout_failures: 0 });
      if (d.more) more = true;
    } catch {
      const failures = d.failures + 1;
      const retryAt = Date.now() + backoffMs(failures);
      const current = store.member(d.userId)?.fanout_ev ?? 0;
      store.setFanout(d.userId, { fanout_ev: current, fanout_due: retryAt, fanout_failures: failures });
      dueAt = Math.min(dueAt ?? retryAt, retryAt);
    }
  });
  store.trimPendingEvents();
  if (receipts.length > 0) onReceipts(receipts);
  return { more, dueAt };
}

/** The events after `after` up to `upper` that `userId` receives, at most one batch. */
function eventsFor(events: readonly PendingEvent[], userId: string, after: number, upper: number): Outgoing[] {
  const out: Outgoing[] = [];
  // Events are in ev order; start at the first one after the watermark.
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as PendingEvent).ev <= after) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < events.length && out.length < FANOUT_BATCH; i++) {
    const e = events[i] as PendingEvent;
    if (e.ev > upper) break;
    if (e.target === null || e.target === userId)
      out.push({ ev: e.ev, json: e.json, lazyFor: e.lazyFor, lazyMs: e.lazyMs });
  }
  return out;
}
