/**
 * The one drain loop every background job of an object runs on (fan-out, archive, media
 * references, receipts, profile fan-out, push):
 *
 * - single flight: at most one pass runs; triggers that arrive meanwhile become one more pass right
 *   after it, so a burst of triggers is a few batched passes and every trigger is covered;
 * - a pass reports whether it left work behind (`more`: run again now) and when its earliest
 *   postponed item is due (per-item retries with their own backoff), which arms the object's alarm;
 * - a pass that throws failed as a whole (its dependency is down): it is retried by alarm with
 *   jittered exponential backoff, and nothing else in the object waits for it.
 *
 * Nothing is kept only in memory: a pass reads what it must do from the object's state, so the
 * alarm (or the next trigger) resumes after an eviction.
 */
import { log } from "../../lib/log.ts";
import { backoffMs } from "./bounded.ts";

export interface PassOutcome {
  /** Work is left that can be done now (a full batch): run another pass at once. */
  more?: boolean;
  /** The earliest time a postponed item is due (ms), or null/undefined when nothing waits. */
  dueAt?: number | null;
}

/** Shortest delay before an alarm-driven retry: keeps a hot failure from spinning. */
const MIN_RETRY_MS = 250;

export class Drain {
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;

  constructor(
    /** For logs: which job failed. */
    private readonly name: string,
    private readonly pass: () => Promise<PassOutcome | void>,
    private readonly schedule: (at: number) => void,
  ) {}

  /** Runs a pass now, or right after the running one; resolves when the pass covering this call is done. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Consecutive failed passes (diagnostics). */
  get failing(): number {
    return this.failures;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      let outcome: PassOutcome | void;
      try {
        outcome = await this.pass();
      } catch (error) {
        this.failures++;
        log("warn", `${this.name} failed, will retry`, { failures: this.failures, error });
        this.schedule(Date.now() + backoffMs(this.failures));
        return;
      }
      this.failures = 0;
      if (outcome?.more) this.again = true;
      else if (outcome?.dueAt != null) this.schedule(Math.max(outcome.dueAt, Date.now() + MIN_RETRY_MS));
    } while (this.again);
  }
}
