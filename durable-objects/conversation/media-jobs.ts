/**
 * Applies this conversation's media reference changes (the `media_jobs` outbox) to the global
 * reference count in Postgres, in order; when the last reference goes, the R2 object is deleted
 * (db/media-refs.ts). Each job is idempotent (media id + conversation id + seq), so a replay after
 * a crash changes nothing; a job Postgres refuses for good is set aside as a dead letter.
 */
import { ShardSet } from "../../db/connection.ts";
import { applyMediaRefChanges, type MediaRefChange } from "../../db/media-refs.ts";
import { errorSummary, log } from "../../lib/log.ts";
import type { PassOutcome } from "../shared/drain.ts";
import { applyIsolating } from "../shared/isolate.ts";
import type { ConversationStore } from "./store.ts";

const JOB_BATCH = 100;

type Job = { id: number; media_id: string; seq: number; op: "add" | "remove" };

export async function mediaJobsPass(
  store: ConversationStore,
  env: Env,
  counted: (queue: "media") => void = () => undefined,
): Promise<PassOutcome> {
  const meta = store.meta;
  if (!meta) return {};
  if (!new ShardSet(env).configured) return {};
  const jobs = store.mediaJobs(JOB_BATCH);
  if (jobs.length === 0) return {};
  const change = (j: Job): MediaRefChange => ({ mediaId: j.media_id, conversationId: meta.id, seq: j.seq, op: j.op });
  const setAside: Job[] = [];
  // In order: a later batch never overtakes an earlier one (the halves run one after the other).
  await applyIsolating(
    jobs,
    (batch) => applyMediaRefChanges(env, batch.map(change)),
    (job, error) => {
      log("error", "media reference change refused, set aside", {
        conversationId: meta.id,
        mediaId: job.media_id,
        error,
      });
      setAside.push(job);
      store.deadLetterMediaJob(job, errorSummary(error), Date.now());
      counted("media");
    },
  );
  store.mediaJobsDone(jobs.filter((j) => !setAside.includes(j)).map((j) => j.id));
  return { more: jobs.length === JOB_BATCH };
}
