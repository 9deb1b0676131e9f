/**
 * Turns a `mediaId` in a send (REST or WebSocket) into the `media` object the message will carry.
 * Only the uploader may send a media: anyone else gets the same 404 as for an id that does not exist,
 * so ids cannot be probed. The same media may be sent to any number of conversations (forwarding):
 * each message references the one R2 object, nothing is copied.
 *
 * The message's `url` names its conversation (`/v1/media/<id>?c=<conversationId>`): a downloader who
 * is not the uploader is authorised by that conversation (a visible message there carries the media).
 */
import type { Media } from "../client/sdk/protocol/index.ts";
import { withMediaStore, type MediaRecord } from "./media-store.ts";
import type { DbEnv } from "./connection.ts";
import { AppError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";

/** The path a member downloads `mediaId` from, as sent in conversation `conversationId`. */
export function mediaUrl(mediaId: string, conversationId?: string): string {
  const path = `/v1/media/${encodeURIComponent(mediaId)}`;
  return conversationId === undefined ? path : `${path}?c=${encodeURIComponent(conversationId)}`;
}

/** The public `media` object of a stored row. */
export function toMedia(record: MediaRecord, conversationId?: string): Media {
  return {
    id: record.id,
    type: record.type,
    size: record.size,
    url: mediaUrl(record.id, conversationId),
    ...(record.thumbnail !== null ? { thumbnail: record.thumbnail } : {}),
    ...(record.width !== null ? { width: record.width } : {}),
    ...(record.height !== null ? { height: record.height } : {}),
    ...(record.durationMs !== null ? { durationMs: record.durationMs } : {}),
    ...(record.filename !== null ? { filename: record.filename } : {}),
    ...(record.waveform !== null ? { waveform: record.waveform } : {}),
  };
}

/**
 * The `media` for `userId` sending `mediaId` into `conversationId`; throws 404 `not_found` unless
 * `userId` uploaded it and it is not deleted (503 `unavailable` if Postgres fails). Pass `waitUntil` to close the database in the background.
 */
export async function resolveMediaForSend(
  env: DbEnv,
  userId: string,
  mediaId: string,
  conversationId: string,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<Media> {
  let record: MediaRecord | null;
  try {
    record = await withMediaStore(env, (store) => store.claimForSend(mediaId, userId), waitUntil);
  } catch (error) {
    log("error", "media lookup failed", { mediaId, error });
    throw new AppError("unavailable", "media is temporarily unavailable, retry");
  }
  if (!record) throw new AppError("not_found", "media not found");
  return toMedia(record, conversationId);
}
