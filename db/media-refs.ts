/**
 * Contract between Conversation DOs and the media store: apply one conversation's reference changes,
 * in order. Called from each DO's `media_jobs` outbox drain (durable-objects/conversation/media-jobs.ts),
 * which retries the whole batch with backoff whenever this throws, so every step is idempotent:
 *
 * - `add` inserts the (media, conversation, seq) row if missing;
 * - `remove` deletes it, and when it was the last one the media row is marked deleted (from then on
 *   every download answers 404) and the R2 object is deleted, unless the media is pinned
 *   (`media.pinned_at`: someone's profile or a group's picture), which stays. A retry after a failed R2 delete finds
 *   the row already marked and deletes the object again.
 *
 * Media that was uploaded but never sent has no references and is never touched here; the cron
 * sweep (workers/jobs/media-sweep.ts) removes such uploads once they are a day old.
 */
import { withMediaStore } from "./media-store.ts";
import { log } from "../lib/log.ts";

export interface MediaRefChange {
  mediaId: string;
  conversationId: string;
  seq: number;
  op: "add" | "remove";
}

/** Thrown when the last reference is gone but a recent send may still add one; the caller retries later. */
export class MediaSendPending extends Error {
  constructor(readonly mediaId: string) {
    super(`media ${mediaId}: a recent send may still reference it, deletion deferred`);
    this.name = "MediaSendPending";
  }
}

/**
 * Applies `changes` in order against Postgres, deleting R2 objects that lose their last reference.
 * Throws on any failure (or `MediaSendPending`); the caller retries the same batch.
 */
export async function applyMediaRefChanges(env: Env, changes: readonly MediaRefChange[]): Promise<void> {
  if (changes.length === 0) return;
  await withMediaStore(env, async (store) => {
    for (const { op, ...ref } of changes) {
      if (op === "add") {
        if (!(await store.addRef(ref))) {
          log("warn", "reference to unknown media ignored", { mediaId: ref.mediaId });
        }
        continue;
      }
      const result = await store.removeRef(ref);
      if (result.r2Key !== null) await env.MEDIA.delete(result.r2Key);
      if (result.waitingForSend) throw new MediaSendPending(ref.mediaId);
    }
  });
}
