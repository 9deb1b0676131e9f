/**
 * Group commit for calls that arrive together: each call waits for a flush that applies every call
 * queued since the last one in a single pass (for an object: one transaction, one commit), then gets
 * its own answer. The flush runs `windowMs()` after the first call of a batch, so calls arriving
 * within the window (a group's readers, each reading a few ms after the other; 200 hubs reporting
 * receipts at once) join it; a lone call waits that long. A window of 0 applies the call at once,
 * in the caller's turn: a timer, even of 0 ms, is a turn of its own for the object (its own event,
 * its own commit), which is what a lone call should not pay. Answers leave after the write, behind
 * the output gate as usual.
 */
export class Batch<T, R> {
  private queued: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly apply: (items: readonly T[]) => R[],
    /** How long a batch stays open after its first call (ms; 0: no batch), asked when one opens. */
    private readonly windowMs: () => number,
  ) {}

  add(item: T): Promise<R> {
    return this.addAll([item])[0] as Promise<R>;
  }

  /** Several calls known together (the receipts of one fan-out pass): one batch, whatever the window. */
  addAll(items: readonly T[]): Promise<R>[] {
    const answers = items.map(
      (item) => new Promise<R>((resolve, reject) => this.queued.push({ item, resolve, reject })),
    );
    if (!this.scheduled && this.queued.length > 0) {
      const windowMs = this.windowMs();
      if (windowMs <= 0) this.flush();
      else {
        this.scheduled = true;
        setTimeout(() => this.flush(), windowMs);
      }
    }
    return answers;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queued;
    this.queued = [];
    let results: R[];
    try {
      results = this.apply(batch.map((b) => b.item));
    } catch (error) {
      for (const b of batch) b.reject(error);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i] as R));
  }
}
