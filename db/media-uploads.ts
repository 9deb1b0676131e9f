/**
 * Multipart uploads in progress, over the Postgres shards (one row per upload, on the shard of its
 * id). Every read and write names the owner as well as the id, so another user's calls find nothing:
 * the same answer as an upload that does not exist.
 */
import { and, eq, lt, sql } from "drizzle-orm";
import { withShards, type Db, type DbEnv, type ShardSet } from "./connection.ts";
import { mediaUploads } from "./schema.ts";

export const uploadShardKey = (uploadId: string) => `upload:${uploadId}`;

export type UploadRecord = typeof mediaUploads.$inferSelect & { parts: Record<string, string> };

export class UploadStore {
  constructor(private readonly shards: ShardSet) {}

  private db(id: string): Db {
    return this.shards.for(uploadShardKey(id));
  }

  async create(row: typeof mediaUploads.$inferInsert): Promise<void> {
    await this.db(row.id).insert(mediaUploads).values(row);
  }

  /** The upload `id` of `ownerId`, or null (missing, or someone else's). */
  async get(id: string, ownerId: string): Promise<UploadRecord | null> {
    const [row] = await this.db(id)
      .select()
      .from(mediaUploads)
      .where(and(eq(mediaUploads.id, id), eq(mediaUploads.ownerId, ownerId)));
    return (row as UploadRecord | undefined) ?? null;
  }

  /** Records that R2 has part `part` (its etag); the first part also fixes the type. Atomic per row. */
  async recordPart(id: string, ownerId: string, part: number, etag: string, type: string | null): Promise<void> {
    await this.db(id)
      .update(mediaUploads)
      .set({
        parts: sql`${mediaUploads.parts} || jsonb_build_object(${String(part)}::text, ${etag}::text)`,
        ...(type === null ? {} : { type }),
      })
      .where(and(eq(mediaUploads.id, id), eq(mediaUploads.ownerId, ownerId)));
  }

  /** Forgets the upload (completed or aborted). */
  async remove(id: string): Promise<void> {
    await this.db(id).delete(mediaUploads).where(eq(mediaUploads.id, id));
  }
}

/** Uploads on one shard started more than `minAgeSeconds` ago (the media sweep aborts them). */
export async function staleUploads(
  db: Db,
  minAgeSeconds: number,
  limit: number,
): Promise<Array<{ id: string; r2Key: string; r2UploadId: string }>> {
  return db
    .select({ id: mediaUploads.id, r2Key: mediaUploads.r2Key, r2UploadId: mediaUploads.r2UploadId })
    .from(mediaUploads)
    .where(lt(mediaUploads.createdAt, sql`now() - make_interval(secs => ${minAgeSeconds})`))
    .limit(limit);
}

/** Removes upload rows by id on one shard. */
export async function removeUploads(db: Db, ids: readonly string[]): Promise<void> {
  for (const id of ids) await db.delete(mediaUploads).where(eq(mediaUploads.id, id));
}

export function withUploadStore<T>(
  env: DbEnv,
  work: (store: UploadStore) => Promise<T>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<T> {
  return withShards(env, (shards) => new UploadStore(shards), work, waitUntil);
}
