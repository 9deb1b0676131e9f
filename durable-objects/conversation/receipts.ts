/**
 * Receipt arithmetic, kept pure so it is tested without a runtime.
 *
 * Each member has two monotonic watermarks (delivered ≤ … and read ≤ delivered is lifted by read).
 * For a sender, the "all recipients" state of their message `m` is: all = every other member's
 * watermark ≥ m, some = at least one other's ≥ m. So four numbers per sender describe the aggregate
 * state of every message they ever sent: min and max over the *other* members, for delivered and read.
 * They only move forward, which is what makes a coalesced "status" event safe to drop or repeat.
 */
import type { Aggregate } from "../../client/sdk/protocol/index.ts";

export interface MemberMarks {
  userId: string;
  delivered: number;
  read: number;
}

export interface SenderView {
  deliveredSome: number;
  deliveredAll: number;
  readSome: number;
  readAll: number;
}

/** The aggregate watermarks as `userId` sees them: over every member but `userId`. */
export function viewFor(userId: string, members: readonly MemberMarks[]): SenderView {
  const others = members.filter((m) => m.userId !== userId);
  if (others.length === 0) return { deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 };
  const delivered = others.map((m) => Math.max(m.delivered, m.read));
  const read = others.map((m) => m.read);
  return {
    deliveredSome: Math.max(...delivered),
    deliveredAll: Math.min(...delivered),
    readSome: Math.max(...read),
    readAll: Math.min(...read),
  };
}

/**
 * Every member's view at once, in O(n): for each member the min/max over the others is the overall
 * min/max unless that member holds it, in which case it is the runner-up. (Calling `viewFor` per
 * member is O(n²): 40,000 steps per receipt in a 200-member group.)
 */
export function viewsFor(members: readonly MemberMarks[]): Map<string, SenderView> {
  const views = new Map<string, SenderView>();
  if (members.length < 2) {
    for (const m of members) views.set(m.userId, { deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 });
    return views;
  }
  const delivered = members.map((m) => Math.max(m.delivered, m.read));
  const read = members.map((m) => m.read);
  const top2 = (xs: number[]) => extremes(xs, (a, b) => a > b);
  const bottom2 = (xs: number[]) => extremes(xs, (a, b) => a < b);
  const [dMax, dMax2, dMaxAt] = top2(delivered);
  const [dMin, dMin2, dMinAt] = bottom2(delivered);
  const [rMax, rMax2, rMaxAt] = top2(read);
  const [rMin, rMin2, rMinAt] = bottom2(read);
  members.forEach((m, i) => {
    views.set(m.userId, {
      deliveredSome: i === dMaxAt ? dMax2 : dMax,
      deliveredAll: i === dMinAt ? dMin2 : dMin,
      readSome: i === rMaxAt ? rMax2 : rMax,
      readAll: i === rMinAt ? rMin2 : rMin,
    });
  });
  return views;
}

/** The best and second-best value under `better`, and the index of the best. */
function extremes(xs: readonly number[], better: (a: number, b: number) => boolean): [number, number, number] {
  let best = xs[0] as number;
  let at = 0;
  let second = xs[1] as number;
  if (better(second, best)) [best, second, at] = [second, best, 1];
  for (let i = 2; i < xs.length; i++) {
    const x = xs[i] as number;
    if (better(x, best)) [second, best, at] = [best, x, i];
    else if (better(x, second)) second = x;
  }
  return [best, second, at];
}

export function sameView(a: SenderView | null, b: SenderView): boolean {
  return (
    a !== null &&
    a.deliveredSome === b.deliveredSome &&
    a.deliveredAll === b.deliveredAll &&
    a.readSome === b.readSome &&
    a.readAll === b.readAll
  );
}

/** Aggregate of a count: how many of `total` recipients reached the state. */
export function aggregate(reached: number, total: number): Aggregate {
  if (total === 0 || reached === 0) return "none";
  return reached >= total ? "all" : "some";
}

/**
 * A receipt moves a watermark only forward and never past the last message the member may see.
 * Returns the new value, or null when the receipt is stale or adds nothing.
 */
export function advance(current: number, requested: number, ceiling: number): number | null {
  const next = Math.min(requested, ceiling);
  return next > current ? next : null;
}
