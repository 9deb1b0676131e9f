/**
 * Runs a pass with at most one running at a time: triggers that arrive while a pass runs are
 * absorbed into one follow-up pass, so a burst of triggers becomes a few batched passes, and every
 * caller's promise settles once a pass that started after its trigger is done.
 */
export class CoalescedRunner {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly pass: () => Promise<void>) {}

  /** Runs a pass now, or after the running one; resolves when the pass that covers this call is done. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** From inside a pass: one more pass after this one (e.g. a full batch may have left more behind). */
  rerun(): void {
    this.again = true;
  }
}
