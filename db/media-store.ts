/**
 * Media rows and their reference counts over the Postgres shards. A media row and all of its
 * reference rows live on the shard of the media id, so "remove a reference, count what is left,
 * mark the media deleted at zero" is one transaction on one database, and the media row is locked
 * (`FOR UPDATE`) by every reference change so concurrent changes from different conversations
 * serialise instead of both seeing a stale count.
 *
 * References arrive asynchronously (each Conversation DO drains its own outbox), so a send that was
 * authorised may not have landed its reference yet when another conversation removes the last one.
 * `lastSendAt` / `lastRefAt` close that gap: see `removeRef`.
 */
import { and, count, eq, isNull, like, sql } from "drizzle-orm";
import { withShards, type Db, type DbEnv, type ShardSet } from "./connection.ts";
import { media, mediaRefs } from "./schema.ts";

/** The shard key of a media row and its references (db/schema.ts table). */
export const mediaShardKey = (mediaId: string) => `media:${mediaId}`;

/**
 * How long an authorised send may take to land its reference. While a send is that recent and its
 * reference has not arrived, the last reference's removal waits (the caller retries) rather than
 * deleting bytes a message is about to point at. Generous: references normally land within seconds.
 */
export const SEND_GRACE_SECONDS = 120;

/** A media row as stored. */
export interface MediaRecord {
  id: string;
  ownerId: string;
  r2Key: string;
  type: string;
  size: number;
  sha256: string;
  thumbnail: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /** Documents only (any file type): the uploaded file name. */
  filename: string | null;
  /** Voice notes only: loudness levels 0–255. */
  waveform: number[] | null;
  createdAt: Date;
  deletedAt: Date | null;
}

/** One message carrying one media. */
export interface MediaRef {
  mediaId: string;
  conversationId: string;
  seq: number;
}

/** What removing a reference did. */
export interface RemoveRefResult {
  /** References left after this removal. */
  remaining: number;
  /** Set when the media is (now or already) deleted: the R2 object to delete. Deleting twice is harmless. */
  r2Key: string | null;
  /** True when no reference is left but a recent send may still add one: retry later. */
  waitingForSend: boolean;
}

const recordColumns = {
  id: media.id,
  ownerId: media.ownerId,
  r2Key: media.r2Key,
  type: media.type,
  size: media.size,
  sha256: media.sha256,
  thumbnail: media.thumbnail,
  width: media.width,
  height: media.height,
  durationMs: media.durationMs,
  filename: media.filename,
  waveform: sql<number[] | null>`${media.waveform}`,
  createdAt: media.createdAt,
  deletedAt: media.deletedAt,
};

export class MediaStore {
  constructor(private readonly shards: ShardSet) {}

  private db(mediaId: string): Db {
    return this.shards.for(mediaShardKey(mediaId));
  }

  /** Records an upload whose bytes are already in R2. */
  async create(input: Omit<MediaRecord, "createdAt" | "deletedAt">): Promise<MediaRecord> {
    const [row] = await this.db(input.id).insert(media).values(input).returning(recordColumns);
    if (!row) throw new Error("insert into media returned no row");
    return row;
  }

  /** The media row, deleted or not (check `deletedAt`); null if there is none. */
  async get(id: string): Promise<MediaRecord | null> {
    const [row] = await this.db(id).select(recordColumns).from(media).where(eq(media.id, id));
    return row ?? null;
  }

  /**
   * The live media `id` if `ownerId` uploaded it, else null (someone else's, deleted or missing all
   * look the same). Records that a send was authorised now, which holds off deletion at zero
   * references until that send's reference lands (or SEND_GRACE_SECONDS pass).
   */
  async claimForSend(id: string, ownerId: string): Promise<MediaRecord | null> {
    const [row] = await this.db(id)
      .update(media)
      .set({ lastSendAt: sql`now()` })
      .where(and(eq(media.id, id), eq(media.ownerId, ownerId), isNull(media.deletedAt)))
      .returning(recordColumns);
    return row ?? null;
  }

  /**
   * The media row, for a caller about to make it a profile or group picture, pinned first if it is a
   * live image `ownerId` uploaded: a picture has no `media_refs` row, and the pin is what keeps the
   * sweep of unreferenced uploads (db/media-sweep.ts) away from it. The pin is an UPDATE under the
   * row lock that requires `deleted_at IS NULL`, so it serialises with the sweep's mark exactly like
   * `claimForSend`: either the pin wins and the sweep skips the row, or the mark wins and this
   * returns the row as deleted. Anything else (someone else's, not an image, missing) is returned
   * unpinned, or null, for the caller's own checks.
   */
  async claimForPicture(id: string, ownerId: string): Promise<MediaRecord | null> {
    const [pinned] = await this.db(id)
      .update(media)
      .set({ pinnedAt: sql`coalesce(${media.pinnedAt}, now())` })
      .where(and(eq(media.id, id), eq(media.ownerId, ownerId), isNull(media.deletedAt), like(media.type, "image/%")))
      .returning(recordColumns);
    return pinned ?? (await this.get(id));
  }

  /** Adds a reference; idempotent. False (and nothing stored) if the media row does not exist. */
  async addRef(ref: MediaRef): Promise<boolean> {
    return this.db(ref.mediaId).transaction(async (tx) => {
      const [row] = await tx.select({ id: media.id }).from(media).where(eq(media.id, ref.mediaId)).for("update");
      if (!row) return false;
      await tx.insert(mediaRefs).values(ref).onConflictDoNothing();
      await tx
        .update(media)
        .set({ lastRefAt: sql`now()` })
        .where(eq(media.id, ref.mediaId));
      return true;
    });
  }

  /**
   * Removes a reference; idempotent. At zero references the media is marked deleted in the same
   * transaction and its R2 key returned for the caller to delete, unless it is pinned (a profile or
   * group picture: kept, like the sweep keeps it) or a send authorised after the newest reference
   * arrived is younger than SEND_GRACE_SECONDS (`waitingForSend`: retry later).
   */
  async removeRef(ref: MediaRef): Promise<RemoveRefResult> {
    return this.db(ref.mediaId).transaction(async (tx) => {
      const [row] = await tx
        .select({
          r2Key: media.r2Key,
          deletedAt: media.deletedAt,
          pinnedAt: media.pinnedAt,
          sendPending: sql<boolean>`(${media.lastSendAt} IS NOT NULL
            AND ${media.lastSendAt} > coalesce(${media.lastRefAt}, '-infinity'::timestamptz)
            AND ${media.lastSendAt} > now() - make_interval(secs => ${SEND_GRACE_SECONDS}))`,
        })
        .from(media)
        .where(eq(media.id, ref.mediaId))
        .for("update");
      await tx
        .delete(mediaRefs)
        .where(
          and(
            eq(mediaRefs.mediaId, ref.mediaId),
            eq(mediaRefs.conversationId, ref.conversationId),
            eq(mediaRefs.seq, ref.seq),
          ),
        );
      const [left] = await tx.select({ n: count() }).from(mediaRefs).where(eq(mediaRefs.mediaId, ref.mediaId));
      const remaining = left?.n ?? 0;
      if (!row || remaining > 0) return { remaining, r2Key: null, waitingForSend: false };
      if (row.deletedAt) return { remaining, r2Key: row.r2Key, waitingForSend: false };
      // A profile or group picture is in use without any reference (the sweep skips it likewise).
      if (row.pinnedAt) return { remaining, r2Key: null, waitingForSend: false };
      if (row.sendPending) return { remaining, r2Key: null, waitingForSend: true };
      await tx
        .update(media)
        .set({ deletedAt: sql`now()` })
        .where(eq(media.id, ref.mediaId));
      return { remaining, r2Key: row.r2Key, waitingForSend: false };
    });
  }

  /**
   * Up to `limit` conversations that hold a message carrying `mediaId`, most recently referenced
   * first: where to ask whether a reader may see it when the download names no conversation.
   */
  async conversationsOf(mediaId: string, limit: number): Promise<string[]> {
    const rows = await this.db(mediaId)
      .select({ conversationId: mediaRefs.conversationId })
      .from(mediaRefs)
      .where(eq(mediaRefs.mediaId, mediaId))
      .groupBy(mediaRefs.conversationId)
      .orderBy(sql`max(${mediaRefs.createdAt}) DESC`)
      .limit(limit);
    return rows.map((r) => r.conversationId);
  }

  /** Marks the media deleted (idempotent); its R2 key for the caller to delete, or null if there is no row. */
  async markDeleted(id: string): Promise<string | null> {
    const [row] = await this.db(id)
      .update(media)
      .set({ deletedAt: sql`coalesce(${media.deletedAt}, now())` })
      .where(eq(media.id, id))
      .returning({ r2Key: media.r2Key });
    return row?.r2Key ?? null;
  }
}

/** `withShards` with a MediaStore: runs `work`, then closes its connections (see `withShards`). */
export function withMediaStore<T>(
  env: DbEnv,
  work: (store: MediaStore) => Promise<T>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<T> {
  return withShards(env, (shards) => new MediaStore(shards), work, waitUntil);
}
