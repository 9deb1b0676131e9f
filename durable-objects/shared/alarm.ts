/**
 * One alarm per object, shared by every job in it: each job asks for the time it next needs to run,
 * and the earliest request wins. `setAlarm` is a storage write, so it is issued only when the
 * requested time is earlier than the one already set (within the same write as the caller's).
 */
export class Alarm {
  private at: number | null = null;

  constructor(private readonly storage: Pick<DurableObjectStorage, "setAlarm" | "getAlarm">) {}

  /** Reads the alarm left by a previous instance; call once from `blockConcurrencyWhile`. */
  async load(): Promise<void> {
    this.at = await this.storage.getAlarm();
  }

  /** Asks for a run at `at` (ms) or earlier. */
  schedule(at: number): void {
    if (this.at !== null && this.at <= at) return;
    this.at = at;
    void this.storage.setAlarm(at);
  }

  /** Call first thing in `alarm()`: the alarm that was set has fired. */
  fired(): void {
    this.at = null;
  }
}
