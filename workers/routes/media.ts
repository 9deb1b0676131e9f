/**
 * `/v1/media`: upload a picture or video (raw bytes, streamed into R2) and download it. With
 * `?filename=` the upload is a document instead (../lib/document-upload.ts).
 *
 * Upload: `POST /v1/media` with the file as the body, its `Content-Type` and `Content-Length`,
 * optional `?width=&height=&durationMs=` and an optional `X-Thumbnail` header (base64 JPEG/WebP,
 * ≤ 8 KB) → 201 `{ media }`. Everything checkable without the body is checked first; the body is then
 * streamed, sniffed, counted and hashed on its way into R2 (workers/lib/media-upload.ts).
 *
 * Download: `GET /v1/media/:id[?c=<conversationId>]`. The uploader may always read it; anyone else
 * only through a conversation in which a message they can see carries it, as that conversation's
 * DO decides. `c` names the conversation (the fast path: message URLs carry it); without it, the
 * conversations the media's references list are asked in turn, newest first, at most
 * MAX_CONVERSATIONS_ASKED of them. Every other case — a stranger, a member of another conversation, a logged-out caller, a
 * malformed, missing or deleted id — is the same 404 `not_found`, so nothing can be learned by probing.
 */
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { Id, ROUTES, isAudioType } from "../../client/sdk/protocol/index.ts";
import { isMediaType, THUMBNAIL_HEADER, UploadMediaQuery } from "../../client/sdk/protocol/media.ts";
import { withMediaStore, type MediaStore } from "../../db/media-store.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { newId } from "../../lib/ids.ts";
import { mediaExtras, thumbnailFromHeader } from "../lib/media-extras.ts";
import { toMedia } from "../../db/media-resolve.ts";
import { serveMedia } from "../lib/media-serve.ts";
import { normaliseContentType } from "../../client/sdk/protocol/media-sniff.ts";
import { AUDIO_UPLOAD, voiceExtras } from "../lib/audio-upload.ts";
import { documentPolicy } from "../lib/document-upload.ts";
import { MEDIA_UPLOAD, storeUpload } from "../lib/media-upload.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";
import { UPLOADS_PER_USER } from "../../lib/rate-limits.ts";
import { withUserStore } from "../../db/user-store.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { profilesAsSeenBy } from "../lib/profile-views.ts";
import { isPictureOf } from "../../db/pictures.ts";

const notFound = () => new AppError("not_found", "media not found");

/**
 * Conversations asked, one after another, when a download names none: a media is normally sent to a
 * handful of chats, and each question wakes a Durable Object. Past this, the reader needs the `?c=`
 * hint their message's URL carries anyway.
 */
const MAX_CONVERSATIONS_ASKED = 5;

/** `requireUser`, except that failing it is the same 404 as everything else a reader may not see. */
const readerOr404: MiddlewareHandler<AppEnv> = async (c, next) => {
  try {
    await requireUser(c, async () => undefined);
  } catch (error) {
    if (error instanceof AppError && error.code === "unauthorized") throw notFound();
    throw error;
  }
  await next();
};

/** Runs a MediaStore call; a database failure is 503 `unavailable`, never a 500 with details. */
async function withStore<T>(c: Context<AppEnv>, work: (store: MediaStore) => Promise<T>): Promise<T> {
  try {
    return await withMediaStore(c.env, work, (p) => c.executionCtx.waitUntil(p));
  } catch (error) {
    if (error instanceof AppError) throw error;
    log("error", "media store failed", { requestId: c.get("requestId"), error });
    throw new AppError("unavailable", "media is temporarily unavailable");
  }
}

export const mediaRoutes = new Hono<AppEnv>()
  .post(
    ROUTES.uploadMedia.path,
    rateLimit(UPLOADS_PER_USER, byUser),
    requireUser,
    valid("query", UploadMediaQuery),
    async (c) => {
      const declared = normaliseContentType(c.req.header("content-type"));
      const { filename, waveform, ...query } = c.req.valid("query");
      // `?filename=` makes it a document: any type, larger, never sniffed or shown inline.
      // An audio type makes it a voice note (../lib/audio-upload.ts), with a duration and a waveform.
      const voice = declared !== null && isAudioType(declared) && filename === undefined;
      const document = voice ? null : documentPolicy(filename, query, c.req.header(THUMBNAIL_HEADER));
      if (!document && !voice && (declared === null || !isMediaType(declared))) {
        throw new AppError("unsupported_media_type", "Content-Type must be an accepted picture, video or audio type");
      }
      if (waveform !== undefined && !voice) throw new AppError("invalid_request", "only voice notes have a waveform");
      const extras = voice
        ? voiceExtras(query, c.req.header(THUMBNAIL_HEADER))
        : document || declared === null || !isMediaType(declared)
          ? {}
          : mediaExtras(declared, query, thumbnailFromHeader(c.req.header(THUMBNAIL_HEADER)));
      const upload = {
        body: c.req.raw.body,
        contentLength: c.req.header("content-length") ?? null,
        contentType: declared,
      };
      const stored = await storeUpload(c.env.MEDIA, upload, voice ? AUDIO_UPLOAD : (document ?? MEDIA_UPLOAD));
      const record = await withStore(c, (store) =>
        store.create({
          id: newId("m"),
          ownerId: c.get("userId"),
          r2Key: stored.key,
          type: stored.type,
          size: stored.size,
          sha256: stored.sha256,
          thumbnail: extras.thumbnail ?? null,
          width: extras.width ?? null,
          height: extras.height ?? null,
          durationMs: extras.durationMs ?? null,
          filename: filename ?? null,
          waveform: waveform ?? null,
        }),
      ).catch(async (error: unknown) => {
        // No row, no media: the bytes must not stay behind unreferenced.
        await c.env.MEDIA.delete(stored.key).catch(() => undefined);
        throw error;
      });
      return c.json({ media: toMedia(record) }, 201);
    },
  )

  .get(ROUTES.media.path, readerOr404, async (c) => {
    const id = c.req.param("id");
    const conversationId = c.req.query("c");
    const profileOf = c.req.query("u");
    if (!Id.safeParse(id).success) throw notFound();
    if (conversationId !== undefined && !Id.safeParse(conversationId).success) throw notFound();
    if (profileOf !== undefined && !Id.safeParse(profileOf).success) throw notFound();
    const userId = c.get("userId");
    const [record, sharedWithMe, isProfilePicture] = await Promise.all([
      withStore(c, (store) => store.get(id)),
      conversationId === undefined
        ? false
        : c.env.CONVERSATION.getByName(conversationId)
            .mediaAccess(userId, id)
            .catch(() => {
              throw new AppError("unavailable", "media is temporarily unavailable");
            }),
      // A profile picture is public to signed-in users: `?u=` names whose profile shows it.
      profileOf === undefined
        ? false
        : withUserStore(
            c.env,
            (store) => ProfileCache.fromEnv(c.env).getProfileView(profileOf, () => store.getUser(profileOf)),
            (p) => c.executionCtx.waitUntil(p),
          ).then(async (view) => {
            if (!view || !isPictureOf(view.user.pictureUrl, id)) return false;
            // Profile visibility (README "Privacy"): the picture as its owner's profile shows it to this viewer.
            const [seen] = await profilesAsSeenBy(c.env, userId, [view]);
            return isPictureOf(seen?.pictureUrl ?? null, id);
          }),
    ]);
    if (!record || record.deletedAt !== null) throw notFound();
    const allowed =
      record.ownerId === userId ||
      sharedWithMe ||
      isProfilePicture ||
      (conversationId === undefined && profileOf === undefined && (await sharedThroughReferences(c, id, userId)));
    if (!allowed) throw notFound();
    const response = await serveMedia(c.env.MEDIA, record, c.req.raw);
    if (!response) throw notFound();
    return response;
  });

/** Whether some conversation that carries media `mediaId` lets `userId` see it (no hint given). */
async function sharedThroughReferences(c: Context<AppEnv>, mediaId: string, userId: string): Promise<boolean> {
  const conversations = await withStore(c, (store) => store.conversationsOf(mediaId, MAX_CONVERSATIONS_ASKED));
  for (const conversationId of conversations) {
    const stub = c.env.CONVERSATION.getByName(conversationId);
    const yes = await stub.mediaAccess(userId, mediaId).catch(() => {
      throw new AppError("unavailable", "media is temporarily unavailable");
    });
    if (yes) return true;
  }
  return false;
}
