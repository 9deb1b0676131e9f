/**
 * Voice notes: audio recorded in the app (MediaRecorder makes Opus in WebM or Ogg, AAC in MP4;
 * MP3 from elsewhere), uploaded through `POST /v1/media` with its audio `Content-Type`, a
 * `durationMs` and a `waveform` preview, and played inline. Sniffed like pictures and videos.
 */
import { z } from "zod";
import { MAX_MEDIA_BYTES } from "./limits.ts";

/** The audio types `POST /v1/media` accepts (the bytes must be that container). */
export const AUDIO_TYPES = ["audio/ogg", "audio/webm", "audio/mp4", "audio/mpeg"] as const;
export type AudioType = (typeof AUDIO_TYPES)[number];

/** Max bytes of a voice note: the media limit (about 70 minutes of Opus at 32 kbit/s). */
export const MAX_VOICE_BYTES = MAX_MEDIA_BYTES;
/** Max samples of a waveform preview: one bar per pixel column of a bubble-wide strip. */
export const MAX_WAVEFORM_SAMPLES = 100;

export function isAudioType(type: string): type is AudioType {
  return (AUDIO_TYPES as readonly string[]).includes(type);
}

/**
 * `?waveform=` on an audio upload: up to MAX_WAVEFORM_SAMPLES loudness levels 0–255, comma-separated
 * (`3,40,255,…`), as numbers in the `media` of the message.
 */
export const WaveformParam = z
  .string()
  .max(MAX_WAVEFORM_SAMPLES * 4)
  .regex(/^\d{1,3}(,\d{1,3})*$/, "comma-separated levels 0–255")
  .transform((s) => s.split(",").map(Number))
  .pipe(z.array(z.number().int().min(0).max(255)).min(1).max(MAX_WAVEFORM_SAMPLES));
