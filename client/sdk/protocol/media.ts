/**
 * The upload contract of `POST /v1/media`, shared by the Worker and the SDK: which types are
 * accepted, and how the client-made extras travel. The body is the raw file, so everything else
 * rides beside it: width, height and duration as query parameters (numbers, validated here), the
 * thumbnail as one base64 header (a body part would force multipart parsing on a streaming upload).
 */
import { z } from "zod";
import { Filename } from "./documents.ts";
import { WaveformParam } from "./voice.ts";

/** The types `POST /v1/media` accepts (README "REST API"); anything else is 415 `unsupported_media_type`. */
export const MEDIA_TYPES = [
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "video/mp4",
  "video/webm",
  "video/quicktime",
] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Thumbnails are JPEG or WebP: what every browser can encode from a canvas. */
export const THUMBNAIL_TYPES = ["image/jpeg", "image/webp"] as const;
export type ThumbnailType = (typeof THUMBNAIL_TYPES)[number];

/** Max decoded bytes of a thumbnail: a few KB keep it inline in every message event and chat list row. */
export const MAX_THUMBNAIL_BYTES = 8 * 1024;
/** Max width or height in pixels: above any phone camera or 16K video; rejects garbage, not photos. */
export const MAX_MEDIA_DIMENSION = 16_384;
/** Max video duration in ms (3 h): 16 MB of video cannot be longer than that at any watchable bitrate. */
export const MAX_MEDIA_DURATION_MS = 3 * 60 * 60 * 1000;

/** The request header that carries the thumbnail: standard base64 of a JPEG or WebP file. */
export const THUMBNAIL_HEADER = "x-thumbnail";

const Dimension = z.coerce.number().int().min(1).max(MAX_MEDIA_DIMENSION);

/**
 * Query of `POST /v1/media`: `?width=&height=` (pixels, both or neither) and `?durationMs=` (videos
 * only; checked by the Worker against the type). All optional: a client that knows nothing sends none.
 */
export const UploadMediaQuery = z
  .strictObject({
    width: Dimension.optional(),
    height: Dimension.optional(),
    durationMs: z.coerce.number().int().min(1).max(MAX_MEDIA_DURATION_MS).optional(),
    /** Makes the upload a document (./documents.ts): any type, up to MAX_DOCUMENT_BYTES, its file name. */
    filename: Filename.optional(),
    /** Voice notes (audio types) only: the loudness preview, ./voice.ts. */
    waveform: WaveformParam.optional(),
  })
  .refine((q) => (q.width === undefined) === (q.height === undefined), "width and height go together");
export type UploadMediaQuery = z.infer<typeof UploadMediaQuery>;

/** True for the types `POST /v1/media` accepts. */
export function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}
