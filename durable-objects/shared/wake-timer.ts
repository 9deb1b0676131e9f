/**
 * One in-memory timer for a job that only needs to run by the earliest time anyone asked for: a
 * later request while one is armed is already covered (the run re-plans what is left), an earlier
 * one re-arms it. Every timer that fires wakes the runtime (~0.5 ms of CPU locally before any of our
 * code runs), so a pass that schedules the same time as the last one must not add a second timer.
 */
export class WakeTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private due = 0;

  constructor(private readonly run: () => void) {}

  /** Runs the job at `at` (ms since the epoch) or earlier. */
  schedule(at: number): void {
    if (this.timer !== null) {
      if (this.due <= at) return;
      clearTimeout(this.timer);
    }
    this.due = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.run();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** Nothing waits any more (a run came early and took it): the armed run would find nothing to do. */
  cancel(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether a run is armed (tests, diagnostics). */
  get armed(): boolean {
    return this.timer !== null;
  }
}
