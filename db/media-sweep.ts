/**
 * The database half of the sweep of unreferenced media (workers/jobs/media-sweep.ts runs it on every
 * shard from a Cron Trigger). Per shard, in bounded batches:
 *
 * 1. `markUnsent`: live media that never received a reference, is not a picture, was uploaded more
 *    than `minAgeSeconds` ago and had no send authorised in the last PENDING_SEND_GRACE_SECONDS is
 *    marked deleted (`deleted_at`). From that commit on it is gone for everyone: downloads answer
 *    404, and `claimForSend` / `claimForPicture` refuse it.
 * 2. `tombstones`: marked rows with no reference left, whichever path marked them (step 1, the last
 *    reference's removal in `MediaStore.removeRef`, or a sweep that stopped half-way).
 * 3. The caller deletes their R2 objects, then `removeTombstones` deletes the rows. Bytes go before
 *    rows so that a run interrupted in between leaves a row that the next run finds again (step 2);
 *    the other order could leave bytes that nothing points at any more.
 *
 * Every step is idempotent, so concurrent or repeated runs only repeat harmless deletes.
 */
import { and, eq, inArray, isNotNull, notExists, sql } from "drizzle-orm";
import type { Db } from "./connection.ts";
import { media, mediaRefs } from "./schema.ts";

/**
 * An authorised send (`media.last_send_at`) younger than this holds off the sweep even when no
 * reference has arrived: the message may be stored in its conversation with its reference still
 * queued in the Durable Object's outbox (e.g. while Postgres is unreachable). Not configurable: it is
 * what keeps a message from pointing at deleted bytes, not a retention choice.
 */
export const PENDING_SEND_GRACE_SECONDS = 24 * 3600;

/** One media row the sweep is removing. */
export interface SweptMedia {
  id: string;
  r2Key: string;
}

interface Row extends Record<string, unknown> {
  id: string;
  r2_key: string;
}

const toSwept = (rows: Row[]): SweptMedia[] => rows.map((r) => ({ id: r.id, r2Key: r.r2_key }));

/**
 * Marks up to `limit` unsent uploads older than `minAgeSeconds` deleted; returns them.
 *
 * Why this cannot delete media a send is attaching at the same moment: a send first runs
 * `MediaStore.claimForSend`, an UPDATE of the same row that sets `last_send_at` only while
 * `deleted_at` is null, and a reference (`addRef`) locks the row and sets `last_ref_at`. This
 * statement locks each candidate (`FOR UPDATE`) before marking it, so the two serialise on the row
 * lock, and each re-checks its condition against the other's committed result:
 * - the send's claim committed first → the lock re-check sees a fresh `last_send_at` (or a
 *   `last_ref_at`) and the row is not a candidate any more;
 * - the mark committed first → the claim's `deleted_at IS NULL` fails, the send is refused (404)
 *   and no message is ever stored pointing at it;
 * - a row some transaction holds locked right now is skipped (`SKIP LOCKED`) until the next run.
 * Bytes are only deleted after this mark commits, so they never disappear under a message. The one
 * gap left is a send whose reference lands more than PENDING_SEND_GRACE_SECONDS after its claim.
 * Pictures (`pinned_at`) have no `media_refs` row but are in use: they are never candidates.
 */
export async function markUnsent(db: Db, minAgeSeconds: number, limit: number): Promise<SweptMedia[]> {
  // The candidate conditions repeat the partial index media_unsent_idx, which serves the scan.
  const result = await db.execute<Row>(sql`
    WITH doomed AS (
      SELECT m.id FROM media m
      WHERE m.deleted_at IS NULL AND m.last_ref_at IS NULL AND m.pinned_at IS NULL
        AND m.created_at < now() - make_interval(secs => ${minAgeSeconds})
        AND (m.last_send_at IS NULL
             OR m.last_send_at < now() - make_interval(secs => ${PENDING_SEND_GRACE_SECONDS}))
        AND NOT EXISTS (SELECT 1 FROM media_refs r WHERE r.media_id = m.id)
      ORDER BY m.created_at
      LIMIT ${limit}
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE media SET deleted_at = now()
    FROM doomed WHERE media.id = doomed.id
    RETURNING media.id, media.r2_key`);
  return toSwept(result.rows);
}

/** Up to `limit` rows marked deleted with no reference left, oldest mark first. */
export async function tombstones(db: Db, limit: number): Promise<SweptMedia[]> {
  const result = await db.execute<Row>(sql`
    SELECT m.id, m.r2_key FROM media m
    WHERE m.deleted_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM media_refs r WHERE r.media_id = m.id)
    ORDER BY m.deleted_at
    LIMIT ${limit}`);
  return toSwept(result.rows);
}

/**
 * Deletes the rows of `ids` that are still marked deleted and unreferenced (their R2 objects must be
 * gone already); returns how many it deleted. A row that gained a reference meanwhile stays.
 */
export async function removeTombstones(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const deleted = await db
    .delete(media)
    .where(
      and(
        inArray(media.id, [...ids]),
        isNotNull(media.deletedAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(mediaRefs)
            .where(eq(mediaRefs.mediaId, media.id)),
        ),
      ),
    )
    .returning({ id: media.id });
  return deleted.length;
}
