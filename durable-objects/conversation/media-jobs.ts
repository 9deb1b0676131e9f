/**
 * Applies this conversation's media reference changes (from the `media_jobs` outbox) to the global
 * reference count, in order, retried by alarm. The count lives beside each media row in Postgres;
 * when the last reference goes, the R2 object is deleted. Each job is idempotent
 * (keyed by media id + conversation id + seq), so a replay after a crash changes nothing.
 */
import { errorSummary } from "../../lib/log.ts";
import { backoffMs } from "../shared/bounded.ts";
import { applyMediaRefChanges, type MediaRefChange } from "../../db/media-refs.ts";

const JOB_BATCH = 100;

export class MediaJobs {
  private failures = 0;
  private running: Promise<void> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly conversationId: () => string,
    private readonly scheduleAlarm: (at: number) => void,
  ) {}

  run(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const jobs = this.sql
        .exec<{ id: number; media_id: string; seq: number; op: "add" | "remove" }>(
          "SELECT * FROM media_jobs ORDER BY id LIMIT ?",
          JOB_BATCH,
        )
        .toArray();
      if (jobs.length === 0) return;
      const changes: MediaRefChange[] = jobs.map((j) => ({
        mediaId: j.media_id,
        conversationId: this.conversationId(),
        seq: j.seq,
        op: j.op,
      }));
      try {
        await applyMediaRefChanges(this.env, changes);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        console.log(
          JSON.stringify({
            level: "warn",
            msg: "media reference update failed, will retry",
            error: errorSummary(error),
          }),
        );
        this.scheduleAlarm(Date.now() + backoffMs(this.failures));
        return;
      }
      const last = jobs[jobs.length - 1];
      if (last) this.sql.exec("DELETE FROM media_jobs WHERE id <= ?", last.id);
      if (jobs.length < JOB_BATCH) return;
    }
  }
}
