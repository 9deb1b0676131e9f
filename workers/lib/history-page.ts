/**
 * One page of a conversation's history as `userId` sees it (README "REST API": history): the
 * Conversation DO checks membership and answers its hot window, plus a plan for the older part,
 * which comes from the Postgres archive. Used by `GET …/messages` and by reports, which keep the
 * reported messages exactly as the reporter saw them.
 */
import type { Message } from "../../client/sdk/protocol/index.ts";
import { withShards } from "../../db/connection.ts";
import { HistoryStore } from "../../db/history-store.ts";
import { AppError } from "../../lib/errors.ts";
import { unwrap } from "../../lib/result.ts";

export async function historyPage(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  conversationId: string,
  userId: string,
  page: { before?: number; limit: number },
): Promise<Message[]> {
  const plan = unwrap(await env.CONVERSATION.getByName(conversationId).history(userId, page));
  let older: Message[] = [];
  if (plan.archive) {
    const { before, minSeq, limit } = plan.archive;
    const hidden = new Set(plan.hidden);
    const rows = await withShards(
      env,
      (shards) => new HistoryStore(shards),
      (store) => store.page(conversationId, { before, minSeq, limit: limit + hidden.size }),
      (p) => ctx.waitUntil(p),
    ).catch(() => {
      throw new AppError("unavailable", "older history is temporarily unavailable");
    });
    // Reactions live in the conversation's object, archived messages' too: the plan carries them.
    const reactions = plan.reactions ?? {};
    older = rows
      .filter((m) => !hidden.has(m.seq))
      .slice(-limit)
      .map((m) => (!m.deleted && reactions[m.seq] ? { ...m, reactions: reactions[m.seq] } : m));
  }
  return [...older, ...plan.messages];
}
