/**
 * Serves stored media bytes from R2 the way players and browsers expect, and never as a page:
 *
 * - `ETag` is the SHA-256 of the bytes (strong: same tag = same bytes), so `If-None-Match` is
 *   answered 304 from the database row alone, without touching R2.
 * - `Range: bytes=…` (one range; a multi-range request gets the whole file, as RFC 9110 allows) →
 *   206 with `Content-Range`, so video seeks fetch only what they play; `If-Range` is honoured.
 * - `X-Content-Type-Options: nosniff`, our own sniffed `Content-Type`, `Content-Security-Policy:
 *   sandbox` and `Content-Disposition` keep a crafted file from ever running as HTML or script on
 *   our origin, even if someone opens its URL directly.
 * - `Cache-Control: private`: the bytes are per-user authorised, so shared caches must not keep them.
 *
 * Authorisation happens before this is called (workers/routes/media.ts).
 */
import { etagMatches, parseRange } from "./http-range.ts";

/** What serving needs from the media row. */
export interface ServableMedia {
  id: string;
  r2Key: string;
  type: string;
  size: number;
  sha256: string;
  /** Documents: the uploaded file name (served as an attachment, whatever the type). */
  filename?: string | null;
}

/** A day: the bytes behind an id never change; the browser revalidates with the ETag after that. */
const CACHE_CONTROL = "private, max-age=86400";

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
  "audio/ogg": "ogg",
  "audio/webm": "weba",
  "audio/mp4": "m4a",
  "audio/mpeg": "mp3",
};

/** The headers every answer about this media carries. */
function baseHeaders(media: ServableMedia): Headers {
  const document = media.filename !== undefined && media.filename !== null;
  const inline =
    !document &&
    (media.type.startsWith("image/") || media.type.startsWith("video/") || media.type.startsWith("audio/"));
  const filename = `${media.id}.${EXTENSIONS[media.type] ?? "bin"}`;
  return new Headers({
    "content-type": media.type,
    etag: `"${media.sha256}"`,
    "cache-control": CACHE_CONTROL,
    "accept-ranges": "bytes",
    "content-disposition":
      document && media.filename
        ? attachment(media.filename)
        : `${inline ? "inline" : "attachment"}; filename="${filename}"`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cross-origin-resource-policy": "same-site",
  });
}

/**
 * The response for a GET (or HEAD) of `media`: 200, 206, 304 or 416. Returns null when the R2
 * object is missing (the caller answers 404 like for any missing media).
 */
export async function serveMedia(
  bucket: R2Bucket,
  media: ServableMedia,
  request: { method: string; headers: Headers },
): Promise<Response | null> {
  const headers = baseHeaders(media);
  const etag = `"${media.sha256}"`;
  if (etagMatches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });

  const ifRange = request.headers.get("if-range");
  const range =
    ifRange === null || ifRange.trim() === etag ? parseRange(request.headers.get("range"), media.size) : null;
  if (range === "unsatisfiable") {
    headers.set("content-range", `bytes */${media.size}`);
    headers.delete("content-type");
    return new Response(null, { status: 416, headers });
  }
  const status = range ? 206 : 200;
  const length = range ? range.length : media.size;
  headers.set("content-length", String(length));
  if (range) headers.set("content-range", `bytes ${range.offset}-${range.offset + range.length - 1}/${media.size}`);

  if (request.method === "HEAD") {
    const head = await bucket.head(media.r2Key);
    return head ? new Response(null, { status, headers }) : null;
  }
  const object = await bucket.get(media.r2Key, range ? { range } : undefined);
  if (!object) return null;
  return new Response(object.body, { status, headers });
}

/**
 * `attachment` with the document's name (RFC 6266): an ASCII fallback with quotes, backslashes and
 * controls replaced, and the exact name UTF-8 percent-encoded in `filename*` (RFC 8187).
 */
export function attachment(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
