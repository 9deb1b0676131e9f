/**
 * Durable fan-out: pushes the conversation's events to each member's UserHub.
 *
 * Nothing is sent from memory: each member has a watermark (`fanout_ev`) of the last event their hub
 * acknowledged, and a pass sends everything after it, in order, in one batched RPC per member. A
 * failed hub gets a jittered backoff and is retried by the alarm; the hub dedupes on
 * (conversation, ev), so a retry after a lost answer is harmless. Concurrent triggers coalesce into
 * one running pass plus one re-run, so a burst of sends becomes a few batched RPCs per hub.
 */
import type { ConversationEvent, EventRow, MemberRow } from "./rows.ts";
import type { EventBody } from "../../client/sdk/protocol/index.ts";
import { backoffMs, forEachBounded } from "../shared/bounded.ts";
import { CoalescedRunner } from "../shared/coalesced-runner.ts";

/** Events per RPC: keeps each call well under the 32 MiB RPC limit and a hub's write short. */
const FANOUT_BATCH = 200;
/** Hubs called at once; 200-member groups finish in a few rounds without queueing on one object. */
const FANOUT_CONCURRENCY = 50;

type Outcome =
  { ok: true; userId: string; reached: number; more: boolean } | { ok: false; userId: string; failures: number };

export interface HubDeliver {
  deliver(conversationId: string, events: ConversationEvent[]): Promise<unknown>;
}

export class Fanout {
  private readonly runner = new CoalescedRunner(() => this.pass());

  constructor(
    private readonly sql: SqlStorage,
    private readonly conversationId: () => string,
    private readonly hub: (userId: string) => HubDeliver,
    private readonly scheduleAlarm: (at: number) => void,
  ) {}

  /** Delivers everything pending; resolves when this pass (and any re-run it absorbed) is done. */
  run(): Promise<void> {
    return this.runner.run();
  }

  private lastEv(): number {
    return this.sql.exec<{ last_ev: number }>("SELECT last_ev FROM meta").one().last_ev;
  }

  private async pass(): Promise<void> {
    const lastEv = this.lastEv();
    const due = this.sql
      .exec<MemberRow>(
        "SELECT * FROM members WHERE fanout_ev < MIN(COALESCE(left_ev, ?1), ?1) AND fanout_due <= ?2",
        lastEv,
        Date.now(),
      )
      .toArray();
    const outcomes: Outcome[] = [];
    await forEachBounded(due, FANOUT_CONCURRENCY, async (m) => {
      outcomes.push(await this.push(m, lastEv));
    });
    // One commit for the whole round, not one per hub: no await between these writes.
    for (const o of outcomes) {
      if (o.ok) {
        this.sql.exec(
          "UPDATE members SET fanout_ev = MAX(fanout_ev, ?), fanout_failures = 0, fanout_due = 0 WHERE user_id = ?",
          o.reached,
          o.userId,
        );
        if (o.more) this.runner.rerun();
      } else {
        this.sql.exec(
          "UPDATE members SET fanout_failures = ?, fanout_due = ? WHERE user_id = ?",
          o.failures,
          Date.now() + backoffMs(o.failures),
          o.userId,
        );
      }
    }
    this.trim();
    const pending = this.sql
      .exec<{ due: number | null }>(
        "SELECT MIN(fanout_due) AS due FROM members WHERE fanout_ev < MIN(COALESCE(left_ev, ?1), ?1)",
        lastEv,
      )
      .one().due;
    if (pending !== null) this.scheduleAlarm(Math.max(pending, Date.now() + 250));
  }

  /** Sends one member's pending events; reports what to record (recorded by `pass`, all at once). */
  private async push(member: MemberRow, lastEv: number): Promise<Outcome> {
    const upper = Math.min(member.left_ev ?? lastEv, lastEv);
    const rows = this.sql
      .exec<EventRow>(
        "SELECT ev, target, body FROM events WHERE ev > ? AND ev <= ? AND (target IS NULL OR target = ?) ORDER BY ev LIMIT ?",
        member.fanout_ev,
        upper,
        member.user_id,
        FANOUT_BATCH,
      )
      .toArray();
    const reached = rows.length === FANOUT_BATCH ? (rows[rows.length - 1] as EventRow).ev : upper;
    try {
      if (rows.length > 0) {
        const events = rows.map((r) => ({ ev: r.ev, body: JSON.parse(r.body) as EventBody }));
        await this.hub(member.user_id).deliver(this.conversationId(), events);
      }
      return { ok: true, userId: member.user_id, reached, more: reached < upper };
    } catch {
      return { ok: false, userId: member.user_id, failures: member.fanout_failures + 1 };
    }
  }

  /** Drops events every member's hub already has: the log holds only what is still in flight. */
  private trim(): void {
    const lastEv = this.lastEv();
    const floor = this.sql
      .exec<{ floor: number | null }>(
        "SELECT MIN(fanout_ev) AS floor FROM members WHERE fanout_ev < MIN(COALESCE(left_ev, ?1), ?1)",
        lastEv,
      )
      .one().floor;
    this.sql.exec("DELETE FROM events WHERE ev <= ?", floor ?? lastEv);
  }
}
