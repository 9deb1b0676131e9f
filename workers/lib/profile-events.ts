/**
 * After `PATCH /v1/me` wrote Postgres (the source of truth), the user's own hub is told, and it fans
 * a `profile` event out to the people the user chats with (durable-objects/user-hub/profiles.ts).
 *
 * The event carries the public profile (exactly what `GET /v1/users/:id` shows) and a version: the
 * row's `updated_at` in µs, returned by the write itself (`UserStore.updateProfile`). Two changes
 * racing from two devices may reach the hub in either order; each notification carries a committed
 * row with its own version, and hubs keep only the newest, so every hub ends on the last write.
 *
 * Failure here never fails the PATCH: the change is stored, and others still see it on their next
 * profile read. It is logged, so a broken fan-out shows up.
 */
import type { VersionedUser } from "../../db/user-store.ts";
import { log } from "../../lib/log.ts";
import { publicUser } from "../../db/cache/profile-cache.ts";

export async function announceProfile(env: Env, user: VersionedUser): Promise<void> {
  try {
    await env.USER_HUB.getByName(user.id).profileChanged(publicUser(user), user.version, user.profileVisibility);
  } catch (error) {
    log("warn", "profile change not announced", { userId: user.id, error });
  }
}
