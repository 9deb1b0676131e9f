/**
 * `GET`/`PUT /v1/me/privacy` beyond presence (README "Privacy"). Profile visibility: see
 * `setProfileVisibility`. Read receipts: the user's hub holds
 * the setting, and each of their direct chats a copy for its receipt path; a change is told to every
 * direct chat (bounded concurrency). A chat that could not be told makes the request fail with
 * `unavailable`: the client repeats it, and telling a chat twice changes nothing.
 */
import type { Privacy } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { withUserStore } from "../../db/user-store.ts";
import type { ProfileVisibility } from "../../lib/profile-visibility.ts";
import { announceProfile } from "./profile-events.ts";

/** Conversations told at once (in rounds) when read receipts change. */
const TELL_CONCURRENCY = 10;

export async function privacyOf(env: Env, userId: string, waitUntil?: (p: Promise<unknown>) => void): Promise<Privacy> {
  const hub = env.USER_HUB.getByName(userId);
  const [record, readReceipts, user] = await Promise.all([
    hub.presence(),
    hub.readReceipts(),
    withUserStore(env, (store) => store.getUser(userId), waitUntil),
  ]);
  return { presence: record.visibility, readReceipts, profile: user?.profileVisibility ?? "everyone" };
}

/**
 * Profile visibility lives on the user row (every profile read carries it, cached with it). A change
 * is a profile write: a new version, the cache dropped, and the profile announced again so peers'
 * hubs replace their copies with what they may now see (durable-objects/user-hub/profiles.ts).
 */
export async function setProfileVisibility(
  env: Env,
  userId: string,
  visibility: ProfileVisibility,
  waitUntil?: (p: Promise<unknown>) => void,
): Promise<void> {
  const updated = await withUserStore(
    env,
    (store) => store.updateProfile(userId, { profileVisibility: visibility }),
    waitUntil,
  );
  if (!updated) throw new AppError("not_found", "no such user");
  await ProfileCache.fromEnv(env).invalidateProfile(userId);
  await announceProfile(env, updated);
}

export async function setReadReceipts(env: Env, userId: string, on: boolean): Promise<void> {
  const chats = await env.USER_HUB.getByName(userId).setReadReceipts(on);
  let failed = 0;
  for (let i = 0; i < chats.length; i += TELL_CONCURRENCY) {
    await Promise.all(
      chats.slice(i, i + TELL_CONCURRENCY).map(async (id) => {
        try {
          const result = await env.CONVERSATION.getByName(id).setPrivateReads(userId, !on);
          if (!result.ok && result.error.code !== "not_found") failed++;
        } catch {
          failed++;
        }
      }),
    );
  }
  if (failed > 0) throw new AppError("unavailable", `read receipts not yet applied to ${failed} chat(s); try again`);
}

/** For a new direct chat: which of its two members have read receipts off. */
export async function privateReaders(env: Env, userIds: readonly string[]): Promise<string[]> {
  const on = await Promise.all(userIds.map((id) => env.USER_HUB.getByName(id).readReceipts()));
  return userIds.filter((_, i) => !on[i]);
}
