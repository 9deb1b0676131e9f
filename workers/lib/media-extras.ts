/**
 * The client-made extras of an upload: a thumbnail (made on the device, as the big messengers do, so
 * the server never decodes images) and the width, height and duration the device already knows.
 * They are checked before a byte of the body is read, so a bad extra refuses the upload for free.
 *
 * The thumbnail is stored as a `data:` URL and travels inline in every message event, which is why it
 * is small and must really be a JPEG or WebP (sniffed, like the file itself): a chat list renders it
 * straight into an `<img>`.
 */
import {
  MAX_THUMBNAIL_BYTES,
  THUMBNAIL_HEADER,
  type MediaType,
  type UploadMediaQuery,
} from "../../client/sdk/protocol/media.ts";
import { fromBase64, toBase64 } from "../../lib/bytes.ts";
import { AppError } from "../../lib/errors.ts";
import { sniffThumbnailType } from "../../client/sdk/protocol/media-sniff.ts";

/** The extras as stored beside the media row and returned in `media`. */
export interface MediaExtras {
  /** `data:image/jpeg;base64,…` or `data:image/webp;base64,…`. */
  thumbnail?: string;
  width?: number;
  height?: number;
  durationMs?: number;
}

/** Longest base64 text that can decode to MAX_THUMBNAIL_BYTES: checked before decoding anything. */
const MAX_THUMBNAIL_BASE64 = Math.ceil(MAX_THUMBNAIL_BYTES / 3) * 4;

/**
 * The thumbnail header (standard base64 of a JPEG or WebP of at most MAX_THUMBNAIL_BYTES) as a data
 * URL, or undefined when absent. Throws 400 `invalid_request` for malformed base64 or an oversize
 * thumbnail, 415 `unsupported_media_type` for bytes that are not JPEG/WebP.
 */
export function thumbnailFromHeader(header: string | null | undefined): string | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text.length > MAX_THUMBNAIL_BASE64) {
    throw new AppError("invalid_request", `${THUMBNAIL_HEADER}: at most ${MAX_THUMBNAIL_BYTES} bytes`);
  }
  const bytes = fromBase64(text);
  if (bytes === null || bytes.length === 0) throw new AppError("invalid_request", `${THUMBNAIL_HEADER}: not base64`);
  if (bytes.length > MAX_THUMBNAIL_BYTES) {
    throw new AppError("invalid_request", `${THUMBNAIL_HEADER}: at most ${MAX_THUMBNAIL_BYTES} bytes`);
  }
  const type = sniffThumbnailType(bytes);
  if (type === null) throw new AppError("unsupported_media_type", `${THUMBNAIL_HEADER}: must be a JPEG or WebP image`);
  // Re-encoded from the validated bytes: what is stored is exactly what was checked.
  return `data:${type};base64,${toBase64(bytes)}`;
}

/**
 * Combines the validated query with the thumbnail for a file declared as `type`. Durations belong to
 * videos only (400 `invalid_request` on a picture); ranges were checked by UploadMediaQuery.
 */
export function mediaExtras(type: MediaType, query: UploadMediaQuery, thumbnail: string | undefined): MediaExtras {
  if (query.durationMs !== undefined && !type.startsWith("video/")) {
    throw new AppError("invalid_request", "durationMs: only videos have a duration");
  }
  return {
    ...(thumbnail !== undefined ? { thumbnail } : {}),
    ...(query.width !== undefined ? { width: query.width } : {}),
    ...(query.height !== undefined ? { height: query.height } : {}),
    ...(query.durationMs !== undefined ? { durationMs: query.durationMs } : {}),
  };
}
