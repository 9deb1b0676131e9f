/**
 * Group commit for calls that arrive together: each call waits for a flush that applies every call
 * queued since the last one in a single pass (for an object: one transaction, one commit), then gets
 * its own answer. The flush runs `windowMs()` after the first call of a batch (0: the next turn of
 * the event loop), so calls already queued at the object (200 hubs reporting receipts at once), or
 * arriving within the window (a group's readers, each reading a few ms after the other), join it; a
 * lone call waits that long. Answers leave after the flush's write, behind the output gate as usual.
 */
export class Batch<T, R> {
  private queued: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly apply: (items: readonly T[]) => R[],
    /** How long a batch stays open after its first call (ms), asked when a batch opens. */
    private readonly windowMs: () => number = () => 0,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setTimeout(() => this.flush(), this.windowMs());
    });
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
