/**
 * Large documents go up in parts (the SDK's `uploadResumable`): a network drop costs one part, and
 * after a reload the same file (same name, size and modification time) picked again resumes the
 * upload the page had started — its id is kept in localStorage until the upload completes.
 */
import { MULTIPART_PART_BYTES, uploadResumable, type Api, type Media } from "../lib/sdk.ts";

const KEY_PREFIX = "upload:";

/** Whether `file` goes up in parts (a document larger than one part). */
export function isLargeDocument(file: File): boolean {
  return file.size > MULTIPART_PART_BYTES;
}

const storageKey = (file: File) => `${KEY_PREFIX}${file.name}:${file.size}:${file.lastModified}`;

function kept(file: File): string | undefined {
  try {
    return localStorage.getItem(storageKey(file)) ?? undefined;
  } catch {
    return undefined; // storage blocked: the upload simply starts afresh
  }
}

function keep(file: File, uploadId: string | null): void {
  try {
    if (uploadId === null) localStorage.removeItem(storageKey(file));
    else localStorage.setItem(storageKey(file), uploadId);
  } catch {
    // storage blocked or full: resuming after a reload is lost, nothing else
  }
}

export async function uploadLargeDocument(
  api: Api,
  file: File,
  onProgress: (sent: number, total: number) => void,
): Promise<Media> {
  const media = await uploadResumable(api, file, file.type || "application/octet-stream", {
    filename: file.name || "file",
    resume: kept(file),
    onStarted: (id) => keep(file, id),
    onProgress,
  });
  keep(file, null);
  return media;
}
