/**
 * `/v1/media/uploads`: multipart (resumable) uploads (README "Resumable uploads"). A client starts
 * one with the file's size, type and (documents) name; sends parts of MULTIPART_PART_BYTES, each
 * streamed into an R2 multipart upload (../lib/multipart-upload.ts); after a drop or a reload asks
 * which parts arrived (`GET`) and sends the rest; then completes it into an ordinary media row, or
 * aborts it. Only the uploader may touch an upload: anyone else gets the 404 of a missing one.
 * Uploads left incomplete are aborted by the media sweep (../jobs/media-sweep.ts).
 */
import { Hono, type Context } from "hono";
import {
  CreateUploadQuery,
  MAX_DOCUMENT_BYTES,
  MULTIPART_PART_BYTES,
  ROUTES,
  UploadParam,
  UploadPartParam,
  documentType,
  type Upload,
} from "../../client/sdk/protocol/index.ts";
import { normaliseContentType } from "../../client/sdk/protocol/media-sniff.ts";
import { toMedia } from "../../db/media-resolve.ts";
import { withMediaStore } from "../../db/media-store.ts";
import { withUploadStore, type UploadRecord, type UploadStore } from "../../db/media-uploads.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { log } from "../../lib/log.ts";
import { UPLOADS_PER_USER } from "../../lib/rate-limits.ts";
import type { AppEnv } from "../env.ts";
import { DOCUMENT_UPLOAD, MEDIA_UPLOAD, newObjectKey, type UploadPolicy } from "../lib/media-upload.ts";
import { storePart } from "../lib/multipart-upload.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const notFound = () => new AppError("not_found", "upload not found");

/** Documents (a file name) take any type; pictures and videos are sniffed like a single upload. */
const policyOf = (filename: string | null): UploadPolicy => (filename === null ? MEDIA_UPLOAD : DOCUMENT_UPLOAD);

async function withUploads<T>(c: Context<AppEnv>, work: (store: UploadStore) => Promise<T>): Promise<T> {
  try {
    return await withUploadStore(c.env, work, (p) => c.executionCtx.waitUntil(p));
  } catch (error) {
    if (error instanceof AppError) throw error;
    log("error", "upload store failed", { requestId: c.get("requestId"), error });
    throw new AppError("unavailable", "uploads are temporarily unavailable");
  }
}

async function mine(c: Context<AppEnv>, id: string): Promise<UploadRecord> {
  const record = await withUploads(c, (store) => store.get(id, c.get("userId")));
  if (!record) throw notFound();
  return record;
}

function describe(record: UploadRecord): Upload {
  return {
    id: record.id,
    size: record.size,
    partSize: record.partSize,
    partCount: Math.ceil(record.size / record.partSize),
    received: Object.keys(record.parts)
      .map(Number)
      .sort((a, b) => a - b),
  };
}

/** Aborts the R2 upload and forgets the row (cancel, a refused first part, the sweep). */
async function discard(c: Context<AppEnv>, record: UploadRecord): Promise<void> {
  await c.env.MEDIA.resumeMultipartUpload(record.r2Key, record.r2UploadId)
    .abort()
    .catch(() => undefined); // already gone: nothing to free
  await withUploads(c, (store) => store.remove(record.id));
}

export const uploadRoutes = new Hono<AppEnv>()
  .post(
    ROUTES.createUpload.path,
    rateLimit(UPLOADS_PER_USER, byUser),
    requireUser,
    valid("query", CreateUploadQuery),
    async (c) => {
      const { size, filename } = c.req.valid("query");
      const declared = normaliseContentType(c.req.header("content-type"));
      const policy = policyOf(filename ?? null);
      if (!policy.accepts(declared))
        throw new AppError("unsupported_media_type", "Content-Type must be an accepted picture or video type");
      if (size > policy.maxBytes) throw new AppError("media_too_large", `media is at most ${policy.maxBytes} bytes`);
      const key = newObjectKey();
      const contentType = filename === undefined ? (declared ?? "application/octet-stream") : documentType(declared);
      const r2 = await c.env.MEDIA.createMultipartUpload(key, { httpMetadata: { contentType } });
      const id = newId("u");
      await withUploads(c, (store) =>
        store.create({
          id,
          ownerId: c.get("userId"),
          r2Key: key,
          r2UploadId: r2.uploadId,
          filename: filename ?? null,
          declaredType: declared,
          size,
          partSize: MULTIPART_PART_BYTES,
        }),
      ).catch(async (error: unknown) => {
        await r2.abort().catch(() => undefined);
        throw error;
      });
      const upload: Upload = {
        id,
        size,
        partSize: MULTIPART_PART_BYTES,
        partCount: Math.ceil(size / MULTIPART_PART_BYTES),
        received: [],
      };
      return c.json({ upload }, 201);
    },
  )

  .get(ROUTES.upload.path, requireUser, valid("param", UploadParam), async (c) => {
    return c.json({ upload: describe(await mine(c, c.req.valid("param").id)) });
  })

  .put(ROUTES.uploadPart.path, requireUser, valid("param", UploadPartParam), async (c) => {
    const { id, part } = c.req.valid("param");
    const record = await mine(c, id);
    const r2 = c.env.MEDIA.resumeMultipartUpload(record.r2Key, record.r2UploadId);
    const input = { body: c.req.raw.body, contentLength: c.req.header("content-length") ?? null };
    const stored = await storePart(r2, record, part, input, policyOf(record.filename)).catch(async (error: unknown) => {
      // A first part that is not what the upload said it is ends the upload: nothing stays in R2.
      if (error instanceof AppError && error.code === "unsupported_media_type") await discard(c, record);
      throw error;
    });
    await withUploads(c, (store) => store.recordPart(id, record.ownerId, part, stored.etag, stored.type));
    return c.json({ upload: describe(await mine(c, id)) });
  })

  .post(ROUTES.completeUpload.path, requireUser, valid("param", UploadParam), async (c) => {
    const record = await mine(c, c.req.valid("param").id);
    const upload = describe(record);
    const missing = Array.from({ length: upload.partCount }, (_, i) => i + 1).filter(
      (n) => !upload.received.includes(n),
    );
    if (missing.length > 0 || record.type === null)
      throw new AppError("invalid_request", `parts still missing: ${missing.join(", ")}`);
    const parts = upload.received.map((partNumber) => ({ partNumber, etag: record.parts[String(partNumber)]! }));
    const object = await c.env.MEDIA.resumeMultipartUpload(record.r2Key, record.r2UploadId).complete(parts);
    if (object.size !== record.size || record.size > MAX_DOCUMENT_BYTES) {
      await c.env.MEDIA.delete(record.r2Key).catch(() => undefined);
      await withUploads(c, (store) => store.remove(record.id));
      throw new AppError("invalid_request", "the parts do not add up to the declared size");
    }
    const created = await withMediaStore(
      c.env,
      (store) =>
        store.create({
          id: newId("m"),
          ownerId: record.ownerId,
          r2Key: record.r2Key,
          type: record.type!,
          size: record.size,
          // No hash over the whole file (its parts arrive in separate requests): R2's multipart etag
          // stands in as the download's ETag.
          sha256: object.etag.replaceAll('"', ""),
          thumbnail: null,
          width: null,
          height: null,
          durationMs: null,
          filename: record.filename,
          waveform: null,
        }),
      (p) => c.executionCtx.waitUntil(p),
    );
    await withUploads(c, (store) => store.remove(record.id));
    return c.json({ media: toMedia(created) }, 201);
  })

  .delete(ROUTES.abortUpload.path, requireUser, valid("param", UploadParam), async (c) => {
    await discard(c, await mine(c, c.req.valid("param").id));
    return c.body(null, 204);
  });
