/**
 * `GET`/`PUT /v1/me/privacy` beyond presence (README "Privacy"). Read receipts: the user's hub holds
 * the setting, and each of their direct chats a copy for its receipt path; a change is told to every
 * direct chat (bounded concurrency). A chat that could not be told makes the request fail with
 * `unavailable`: the client repeats it, and telling a chat twice changes nothing.
 */
import type { Privacy } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";

/** Conversations told at once (in rounds) when read receipts change. */
const TELL_CONCURRENCY = 10;

export async function privacyOf(env: Env, userId: string): Promise<Privacy> {
  const hub = env.USER_HUB.getByName(userId);
  const [record, readReceipts] = await Promise.all([hub.presence(), hub.readReceipts()]);
  return { presence: record.visibility, readReceipts };
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
