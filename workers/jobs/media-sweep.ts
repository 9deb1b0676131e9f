/**
 * The sweep of unreferenced media, run by the Worker's Cron Trigger (wrangler.toml `[triggers]`).
 *
 * Uploads that are never sent, and uploads whose authorised send never landed a reference, would
 * otherwise stay in R2 and Postgres forever. On every shard, in bounded batches, this marks such media
 * deleted once it is older than MEDIA_SWEEP_MIN_AGE_SECONDS, deletes the R2 objects of every marked,
 * unreferenced row, then the rows (db/media-sweep.ts explains the order and why a send attaching the
 * media at the same moment is safe). Multipart uploads left incomplete that long are aborted too. Thumbnails are stored inline in the row (a data URL), so a media
 * has exactly one R2 object and nothing derived to delete besides it.
 *
 * One JSON log line per run carries the counts. A run that fails on a shard logs it, carries on with
 * the other shards and then throws, so the invocation shows as failed; the next run resumes where it
 * stopped (every step is idempotent).
 */
import { ShardSet, withShards } from "../../db/connection.ts";
import { markUnsent, removeTombstones, tombstones } from "../../db/media-sweep.ts";
import { removeUploads, staleUploads } from "../../db/media-uploads.ts";
import { errorSummary, log } from "../../lib/log.ts";
import { sweepExports } from "../lib/data-export.ts";

/** Media without a reference is swept once its upload is this old (24 h): time enough to send it. */
export const MEDIA_SWEEP_MIN_AGE_SECONDS = 24 * 3600;
/** Rows marked, and R2 keys deleted (one R2 call), per batch. */
export const SWEEP_BATCH = 100;
/** Batches per shard per run: a backlog is worked off over several runs instead of one long one. */
export const SWEEP_MAX_BATCHES_PER_SHARD = 20;
/** Shards swept at once. Each holds one Postgres connection; Workers allow 6 open at a time. */
export const SWEEP_SHARD_CONCURRENCY = 4;
/** No new batch starts after this much of a run; whatever is left waits for the next run. */
export const SWEEP_TIME_BUDGET_MS = 5 * 60_000;

/** The Worker's env plus the sweep's one knob (README "Configuration"). */
export interface MediaSweepEnv extends Env {
  /** Overrides MEDIA_SWEEP_MIN_AGE_SECONDS (seconds, an integer ≥ 0); local runs and tests only. */
  MEDIA_SWEEP_MIN_AGE_SECONDS?: string;
}

/** What one run did, summed over the shards; also the run's log line. */
export interface MediaSweepReport {
  shards: number;
  /** Unsent uploads marked deleted by this run. */
  marked: number;
  /** R2 keys deleted (a key already gone counts too: deletes are idempotent). */
  r2Deleted: number;
  /** Media rows removed. */
  rowsDeleted: number;
  /** Multipart uploads left incomplete past the age threshold, aborted (their parts freed in R2). */
  uploadsAborted: number;
  batches: number;
  /** Shards whose sweep failed (logged); they are retried by the next run. */
  failedShards: number;
  /** False when some shard still had work when its batch or time bound was reached. */
  complete: boolean;
}

/** The age threshold in seconds: the env override when it is a valid integer, else the default. */
export function sweepMinAgeSeconds(env: MediaSweepEnv): number {
  const raw = env.MEDIA_SWEEP_MIN_AGE_SECONDS?.trim();
  if (raw === undefined || raw === "") return MEDIA_SWEEP_MIN_AGE_SECONDS;
  if (!/^\d{1,9}$/.test(raw)) {
    log("warn", "MEDIA_SWEEP_MIN_AGE_SECONDS is not a whole number of seconds, ignored");
    return MEDIA_SWEEP_MIN_AGE_SECONDS;
  }
  return Number(raw);
}

/** Sweeps every shard once (bounded), logs one line with the counts and returns them. */
export async function sweepMedia(env: MediaSweepEnv, trigger = "manual"): Promise<MediaSweepReport> {
  const started = Date.now();
  const deadline = started + SWEEP_TIME_BUDGET_MS;
  const minAgeSeconds = sweepMinAgeSeconds(env);
  const shardCount = new ShardSet(env).count;
  const report: MediaSweepReport = {
    shards: shardCount,
    marked: 0,
    r2Deleted: 0,
    rowsDeleted: 0,
    uploadsAborted: 0,
    batches: 0,
    failedShards: 0,
    complete: true,
  };
  const errors: string[] = [];

  let next = 0;
  const worker = async () => {
    for (let shard = next++; shard < shardCount; shard = next++) {
      // Connections per shard, closed when that shard is done, so at most SWEEP_SHARD_CONCURRENCY
      // are open however many shards there are.
      try {
        const drained = await withShards(
          env,
          (shards) => shards,
          (shards) => sweepShard(shards, shard, env.MEDIA, minAgeSeconds, deadline, report),
        );
        if (!drained) report.complete = false;
      } catch (error) {
        report.failedShards++;
        report.complete = false;
        errors.push(`shard ${shard}: ${errorSummary(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SWEEP_SHARD_CONCURRENCY, shardCount) }, worker));

  log(report.failedShards > 0 ? "error" : "info", "media sweep", {
    trigger,
    minAgeSeconds,
    ...report,
    ms: Date.now() - started,
    ...(errors.length > 0 ? { errors: errors.slice(0, 5) } : {}),
  });
  if (report.failedShards > 0) throw new Error(`media sweep failed on ${report.failedShards} shard(s)`);
  return report;
}

/** Sweeps one shard until it has nothing left or a bound is hit; true when it ran out of work. */
async function sweepShard(
  shards: ShardSet,
  shard: number,
  bucket: R2Bucket,
  minAgeSeconds: number,
  deadline: number,
  report: MediaSweepReport,
): Promise<boolean> {
  const db = shards.at(shard);
  for (let batch = 0; batch < SWEEP_MAX_BATCHES_PER_SHARD; batch++) {
    if (Date.now() > deadline) return false;
    report.batches++;
    const marked = await markUnsent(db, minAgeSeconds, SWEEP_BATCH);
    report.marked += marked.length;
    // Everything marked and unreferenced, not only this batch: also rows whose removal an earlier run
    // did not finish, and rows MediaStore.removeRef marked when their last reference went.
    const doomed = await tombstones(db, SWEEP_BATCH);
    if (doomed.length > 0) {
      // Bytes first, rows second: an interruption between the two leaves a row that is found again.
      await bucket.delete(doomed.map((m) => m.r2Key));
      report.r2Deleted += doomed.length;
      report.rowsDeleted += await removeTombstones(
        db,
        doomed.map((m) => m.id),
      );
    }
    // Multipart uploads never completed nor aborted (the tab closed): abort in R2 first, then the row.
    const stale = await staleUploads(db, minAgeSeconds, SWEEP_BATCH);
    for (const u of stale)
      await bucket
        .resumeMultipartUpload(u.r2Key, u.r2UploadId)
        .abort()
        .catch(() => undefined);
    await removeUploads(
      db,
      stale.map((u) => u.id),
    );
    report.uploadsAborted += stale.length;
    if (marked.length < SWEEP_BATCH && doomed.length < SWEEP_BATCH && stale.length < SWEEP_BATCH) return true;
  }
  return false;
}

/** The Worker's `scheduled` handler (wired in workers/index.ts): every Cron Trigger runs the sweep. */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  // Awaited rather than handed to waitUntil: the invocation's outcome is the sweep's outcome. Data
  // exports older than a day go in the same run (README "Exporting my data").
  const [media, exports] = await Promise.allSettled([sweepMedia(env, controller.cron), sweepExports(env)]);
  if (exports.status === "fulfilled") {
    if (exports.value > 0) log("info", "export sweep", { deleted: exports.value });
  } else log("error", "export sweep failed", { error: exports.reason });
  if (media.status === "rejected") throw media.reason;
  if (exports.status === "rejected") throw exports.reason;
}
