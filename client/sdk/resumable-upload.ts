/**
 * Uploads a large file in parts (README "Resumable uploads"): starts a multipart upload (or resumes
 * the one named `resume`), asks the server which parts it already has, and sends the others in order,
 * each cut from the Blob (nothing is read into memory ahead of its part). A part that fails for the
 * network is retried after asking again which parts arrived, so a drop costs at most the part in
 * flight. A reloaded page resumes with the upload id it kept (`onStarted`) and the same file.
 */
import { ApiError, type Api } from "./api.ts";
import type { Media, Upload } from "./protocol/index.ts";
import { partLength } from "./protocol/index.ts";

export interface ResumableUploadOptions {
  /** A document's file name (any type, up to MAX_DOCUMENT_BYTES); without it a picture or video. */
  filename?: string;
  /** Bytes the server holds so far, of `total`; grows as parts go out (and jumps on a resume). */
  onProgress?(sent: number, total: number): void;
  /** Called with the upload id once it exists: keep it to resume after a reload. */
  onStarted?(uploadId: string): void;
  /** Resume this upload (from `onStarted`) instead of starting one; a gone one starts afresh. */
  resume?: string;
  /** Network failures tolerated in a row before giving up (each retry asks what arrived). */
  retries?: number;
  /** Stops between parts; the upload stays resumable (call `api.abortUpload` to drop it). */
  signal?: { aborted: boolean };
}

const isNetwork = (error: unknown) => error instanceof ApiError && (error.code === "network" || error.status >= 500);

export async function uploadResumable(
  api: Api,
  file: Blob,
  type: string,
  opts: ResumableUploadOptions = {},
): Promise<Media> {
  let upload = await startOrResume(api, file, type, opts);
  opts.onStarted?.(upload.id);
  const doneBytes = (u: Upload) => u.received.reduce((n, part) => n + partLength(u.size, part, u.partSize), 0);
  opts.onProgress?.(doneBytes(upload), file.size);
  let failures = 0;
  for (;;) {
    const next = nextMissing(upload);
    if (next === null) break;
    if (opts.signal?.aborted) throw new ApiError(0, "network", "upload paused");
    const start = (next - 1) * upload.partSize;
    const bytes = file.slice(start, start + partLength(upload.size, next, upload.partSize));
    const before = doneBytes(upload);
    try {
      upload = await api.uploadPart(upload.id, next, bytes, (sent) => opts.onProgress?.(before + sent, file.size));
      failures = 0;
    } catch (error) {
      if (!isNetwork(error) || ++failures > (opts.retries ?? 3)) throw error;
      // What arrived before the drop: only the rest goes again.
      upload = await api.uploadStatus(upload.id);
    }
    opts.onProgress?.(doneBytes(upload), file.size);
  }
  return api.completeUpload(upload.id);
}

async function startOrResume(api: Api, file: Blob, type: string, opts: ResumableUploadOptions): Promise<Upload> {
  if (opts.resume !== undefined) {
    const existing = await api.uploadStatus(opts.resume).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
    if (existing && existing.size === file.size) return existing;
  }
  return api.createUpload(file.size, type, opts.filename);
}

function nextMissing(upload: Upload): number | null {
  for (let part = 1; part <= upload.partCount; part++) if (!upload.received.includes(part)) return part;
  return null;
}
