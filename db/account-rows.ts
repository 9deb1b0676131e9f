/**
 * The Postgres and R2 half of deleting an account (README "Deleting an account"), run by the
 * user's hub job (durable-objects/user-hub/account-deletion.ts). Idempotent: a job that died
 * half-way runs it again and ends in the same state.
 *
 * The profile picture goes first, while the user row still names it: once the row is anonymised a
 * retry could not find it again. A picture that was also sent in a chat (it has media references)
 * stays: messages others received stay with them.
 */
import type { User } from "../client/sdk/protocol/index.ts";
import { publicUser } from "./cache/profile-cache.ts";
import type { DbEnv } from "./connection.ts";
import { withMediaStore } from "./media-store.ts";
import { withUserStore } from "./user-store.ts";

type AccountEnv = DbEnv & { MEDIA: R2Bucket };

export async function deleteAccountRows(
  env: AccountEnv,
  userId: string,
  waitUntil?: (p: Promise<unknown>) => void,
): Promise<{ user: User; version: number; sessionIds: string[] } | null> {
  const existing = await withUserStore(env, (store) => store.getUser(userId), waitUntil);
  if (!existing) return null;
  const pictureId = existing.pictureMediaId;
  if (pictureId !== null) {
    const r2Key = await withMediaStore(
      env,
      async (store) => ((await store.conversationsOf(pictureId, 1)).length === 0 ? store.markDeleted(pictureId) : null),
      waitUntil,
    );
    if (r2Key) await env.MEDIA.delete(r2Key);
  }
  const deleted = await withUserStore(env, (store) => store.deleteAccount(userId), waitUntil);
  if (!deleted) return null;
  return { user: publicUser(deleted.user), version: deleted.user.version, sessionIds: deleted.sessionIds };
}
