/**
 * Profile and group pictures are uploaded media. Whoever sets one must own it (else anyone could
 * publish someone else's private photo by naming its id), and it must be a picture. Readers reach it
 * through a hint in its URL: `?u=<userId>` for a profile picture (any signed-in user may see it),
 * `?c=<conversationId>` for a group picture (members only, decided by the conversation).
 */
import { withMediaStore } from "./media-store.ts";
import { AppError } from "../lib/errors.ts";

export async function requireOwnPicture(
  env: Env,
  userId: string,
  mediaId: string,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<void> {
  // Claiming pins the upload: a picture has no media_refs row, and the sweep of never-sent uploads
  // (workers/jobs/media-sweep.ts) must not take it for one.
  const record = await withMediaStore(env, (store) => store.claimForPicture(mediaId, userId), waitUntil);
  if (!record || record.deletedAt !== null || record.ownerId !== userId)
    throw new AppError("not_found", "media not found");
  if (!record.type.startsWith("image/")) throw new AppError("invalid_request", "a picture must be an image");
}

export const profilePictureUrl = (userId: string, mediaId: string) => `/v1/media/${mediaId}?u=${userId}`;
export const groupPictureUrl = (conversationId: string, mediaId: string) => `/v1/media/${mediaId}?c=${conversationId}`;

/** True when `pictureUrl` (a user's, as served) names media `mediaId`. */
export function isPictureOf(pictureUrl: string | null, mediaId: string): boolean {
  return pictureUrl !== null && new URL(pictureUrl, "http://local").pathname === `/v1/media/${mediaId}`;
}
