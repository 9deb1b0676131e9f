/**
 * What a forward copies: the text and media of a message in another of the user's chats. The
 * source conversation decides whether the user may see that message (404 otherwise, so a forward
 * cannot probe chats or media the user was never sent); a message past its hot window is then read
 * from the Postgres archive. The media bytes are shared, never copied: the forwarded message names
 * the same media id with a URL through the target chat, whose own reference grants access there.
 */
import type { Media, Message, MessageRef } from "../../client/sdk/protocol/index.ts";
import { withShards, type DbEnv } from "../../db/connection.ts";
import { HistoryStore } from "../../db/history-store.ts";
import { mediaUrl } from "../../db/media-resolve.ts";
import { AppError } from "../../lib/errors.ts";
import type { Result } from "../../lib/result.ts";

export type SourceCall = (ref: MessageRef) => Promise<Result<{ message: Message } | { archived: true }>>;

/** The content to send into `targetId`, or throws AppError (`not_found`, `unavailable`). */
export async function forwardContent(
  env: DbEnv,
  ref: MessageRef,
  targetId: string,
  source: SourceCall,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<{ text?: string; media?: Media }> {
  const found = await source(ref);
  if (!found.ok) throw new AppError(found.error.code, found.error.message);
  const message = "message" in found.value ? found.value.message : await archived(env, ref, waitUntil);
  if (!message || message.deleted || (message.text === null && message.media === null))
    throw new AppError("not_found", "message not found");
  return {
    ...(message.text !== null ? { text: message.text } : {}),
    ...(message.media !== null ? { media: { ...message.media, url: mediaUrl(message.media.id, targetId) } } : {}),
  };
}

async function archived(
  env: DbEnv,
  ref: MessageRef,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Message | undefined> {
  const rows = await withShards(
    env,
    (shards) => new HistoryStore(shards),
    (store) => store.page(ref.conversationId, { before: ref.seq + 1, minSeq: ref.seq, limit: 1 }),
    waitUntil,
  ).catch(() => {
    throw new AppError("unavailable", "the archive is temporarily unavailable, retry");
  });
  return rows[0];
}
