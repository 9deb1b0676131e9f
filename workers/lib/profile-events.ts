/**
 * After `PATCH /v1/me` wrote Postgres (the source of truth), the user's own hub is told, and it fans
 * a `profile` event out to the people the user chats with (durable-objects/user-hub/profiles.ts).
 *
 * The event carries the public profile (exactly what `GET /v1/users/:id` shows) and a version: the
 * row's `updated_at` in µs, read in one statement with the row itself after the write. Two changes
 * racing from two devices may reach the hub in either order; each notification carries a committed
 * row with its own version, and hubs keep only the newest, so every hub ends on the last write.
 *
 * Failure here never fails the PATCH: the change is stored, and others still see it on their next
 * profile read. It is logged, so a broken fan-out shows up.
 */
import { eq, sql } from "drizzle-orm";
import { ShardSet } from "../../db/connection.ts";
import { users } from "../../db/schema.ts";
import { shardKey } from "../../db/shards.ts";
import type { Env } from "../env.ts";
import { errorSummary } from "./log.ts";
import { publicUser } from "./profile-cache.ts";

export async function announceProfile(
  env: Env,
  userId: string,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<void> {
  const shards = new ShardSet(env);
  try {
    const [row] = await shards
      .for(shardKey.user(userId))
      .select({
        id: users.id,
        username: users.username,
        displayName: users.displayName,
        about: users.about,
        pictureMediaId: users.pictureMediaId,
        createdAt: users.createdAt,
        // Text: a bigint column would arrive as a string anyway; µs since 1970 fit a double exactly.
        version: sql<string>`(extract(epoch from ${users.updatedAt}) * 1000000)::bigint::text`,
      })
      .from(users)
      .where(eq(users.id, userId));
    if (!row) return;
    await env.USER_HUB.getByName(userId).profileChanged(publicUser(row), Number(row.version));
  } catch (error) {
    console.log(JSON.stringify({ level: "warn", msg: "profile change not announced", error: errorSummary(error) }));
  } finally {
    waitUntil(shards.close());
  }
}
