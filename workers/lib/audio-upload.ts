/**
 * Voice notes (audio uploads): which bytes are which audio container, and the upload policy that
 * sniffs them (./media-upload.ts streams them like any media). WebM and MP4 are the same containers
 * as their video types, so an audio claim accepts what the video sniffers recognise (and an MP4
 * audio brand such as `M4A `); Ogg and MP3 have their own signatures.
 */
import { MAX_VOICE_BYTES, isAudioType, type AudioType } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";
import type { MediaExtras } from "./media-extras.ts";
import type { UploadPolicy } from "./media-upload.ts";
import { sniffMediaType } from "../../client/sdk/protocol/media-sniff.ts";

const ascii = (head: Uint8Array, at: number, length: number) => String.fromCharCode(...head.subarray(at, at + length));

/** The audio container of these bytes, or null. */
export function sniffAudioType(head: Uint8Array): AudioType | null {
  if (ascii(head, 0, 4) === "OggS") return "audio/ogg";
  if (ascii(head, 0, 3) === "ID3" || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) return "audio/mpeg";
  const video = sniffMediaType(head);
  if (video === "video/webm") return "audio/webm";
  if (video === "video/mp4" || (ascii(head, 4, 4) === "ftyp" && ascii(head, 8, 3) === "M4A")) return "audio/mp4";
  return null;
}

export const AUDIO_UPLOAD: UploadPolicy = {
  maxBytes: MAX_VOICE_BYTES,
  accepts: (declared) => declared !== null && isAudioType(declared),
  check(declared, head) {
    const actual = sniffAudioType(head);
    if (actual === null || actual !== declared) return { ok: false, reason: `the bytes are not ${declared}` };
    return { ok: true, type: actual };
  },
};

/** A voice note's extras: its duration only (no pixels, no thumbnail: 400 `invalid_request`). */
export function voiceExtras(
  query: { width?: number; height?: number; durationMs?: number },
  thumbnailHeader: string | undefined,
): MediaExtras {
  if (query.width !== undefined || thumbnailHeader !== undefined)
    throw new AppError("invalid_request", "a voice note takes no width, height or thumbnail");
  return query.durationMs !== undefined ? { durationMs: query.durationMs } : {};
}
