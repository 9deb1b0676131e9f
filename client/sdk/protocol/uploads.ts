/**
 * Multipart (resumable) uploads (README "Resumable uploads"): a large file goes up in parts of
 * MULTIPART_PART_BYTES, each streamed by the Worker straight into an R2 multipart upload. After a
 * network drop or a reload the client asks which parts the server has and sends only the rest; the
 * uploader alone may add parts, complete or abort. The single `POST /v1/media` stays for small files.
 */
import { z } from "zod";
import { Filename } from "./documents.ts";
import { MAX_DOCUMENT_BYTES } from "./limits.ts";
import { Id } from "./rest.ts";

/** Every part but the last is exactly this long (R2 needs equal parts of at least 5 MiB). */
export const MULTIPART_PART_BYTES = 5 * 1024 * 1024;
/** Parts of the largest upload: MAX_DOCUMENT_BYTES / MULTIPART_PART_BYTES, rounded up. */
export const MAX_UPLOAD_PARTS = Math.ceil(MAX_DOCUMENT_BYTES / MULTIPART_PART_BYTES);

/**
 * `POST /v1/media/uploads?size=&filename=` with the file's `Content-Type` header: starts an upload.
 * With `filename` a document (any type, ≤ MAX_DOCUMENT_BYTES); without, a picture or video
 * (≤ MAX_MEDIA_BYTES, its first part sniffed like a single upload).
 */
export const CreateUploadQuery = z.strictObject({
  size: z.coerce.number().int().min(1).max(MAX_DOCUMENT_BYTES),
  filename: Filename.optional(),
});
export type CreateUploadQuery = z.infer<typeof CreateUploadQuery>;

export const UploadParam = z.object({ id: Id });
/** `PUT /v1/media/uploads/:id/parts/:part`: parts are numbered 1 … partCount. */
export const UploadPartParam = z.object({
  id: Id,
  part: z.coerce.number().int().min(1).max(MAX_UPLOAD_PARTS),
});

/** An upload in progress: how to cut the file, and which parts the server already has. */
export const Upload = z.object({
  id: z.string(),
  size: z.number(),
  partSize: z.number(),
  partCount: z.number(),
  /** Part numbers stored so far, ascending: a resuming client sends the others. */
  received: z.array(z.number()),
});
export type Upload = z.infer<typeof Upload>;

/** The length part `part` of an upload of `size` bytes must have. */
export function partLength(size: number, part: number, partSize = MULTIPART_PART_BYTES): number {
  return Math.max(0, Math.min(partSize, size - (part - 1) * partSize));
}
