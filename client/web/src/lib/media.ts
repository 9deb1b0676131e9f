/**
 * Media in the browser. Downloads need the bearer token, which `<img src>` cannot send, so files are
 * fetched with it and shown through `blob:` URLs (allowed by the CSP's img-src/media-src). A blob
 * URL holds the whole file, so videos seek freely; the most recently used ones are kept up to
 * MEDIA_CACHE_BYTES and the rest revoked (blob-cache.ts). Uploads carry what the device knows: pixel size,
 * duration and an inline thumbnail of at most MAX_THUMBNAIL_BYTES (protocol/media.ts).
 */
import { useEffect, useState } from "preact/hooks";
import { MAX_THUMBNAIL_BYTES } from "./sdk.ts";
import { BlobUrlCache } from "./blob-cache.ts";

/** Downloaded media kept in memory as blob URLs: a few videos or a few hundred pictures. */
export const MEDIA_CACHE_BYTES = 64 * 1024 * 1024;

type Loaded = { url: string } | { error: true };
const blobs = new BlobUrlCache(MEDIA_CACHE_BYTES);
/** Downloads under way, so two components showing one file fetch it once. */
const loading = new Map<string, Promise<Loaded>>();
/** Media the server refused (404, 403): not worth asking again in this tab. */
const refused = new Set<string>();
let tokenSource: () => string | null = () => null;

/** Tells the loader where the current token comes from (set once by the controller). */
export function setTokenSource(source: () => string | null): void {
  tokenSource = source;
}

/** A file I just uploaded (`bytes` long): show it from memory instead of downloading it again. */
export function rememberLocal(url: string, objectUrl: string, bytes: number): void {
  blobs.set(url, objectUrl, bytes);
}

/** Fetches a media URL with the current token (documents are downloaded on demand this way). */
export function fetchMedia(url: string): Promise<Response> {
  const token = tokenSource();
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function load(url: string): Promise<Loaded> {
  const held = blobs.get(url);
  if (held) return Promise.resolve({ url: held });
  if (refused.has(url)) return Promise.resolve({ error: true });
  let entry = loading.get(url);
  if (!entry) {
    const token = tokenSource();
    entry = fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (res): Promise<Loaded> => {
        if (!res.ok) {
          refused.add(url); // a 404 is not worth asking again; a network failure (below) is
          return { error: true };
        }
        const blob = await res.blob();
        const objectUrl = URL.createObjectURL(blob);
        blobs.set(url, objectUrl, blob.size);
        return { url: objectUrl };
      })
      .catch((): Loaded => ({ error: true }))
      .finally(() => loading.delete(url));
    loading.set(url, entry);
  }
  return entry;
}

/** The blob URL of a server media URL: undefined while loading, null if it cannot be shown. */
export function useMediaUrl(url: string | null | undefined): string | null | undefined {
  const [state, setState] = useState<{ for: string; value: string | null } | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    void load(url).then((loaded) => {
      if (live) setState({ for: url, value: "url" in loaded ? loaded.url : null });
    });
    return () => {
      live = false;
    };
  }, [url]);
  if (!url) return null;
  return state?.for === url ? state.value : undefined;
}

export interface FileFacts {
  width?: number;
  height?: number;
  durationMs?: number;
  thumbnail?: Uint8Array;
}

const THUMB_EDGE = 64;
const FACTS_TIMEOUT_MS = 4_000;

function canvasJpeg(source: CanvasImageSource, width: number, height: number): Promise<Uint8Array | undefined> {
  const scale = Math.min(1, THUMB_EDGE / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext("2d");
  if (!ctx) return Promise.resolve(undefined);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) =>
    canvas.toBlob(
      (blob) => {
        if (!blob || blob.size > MAX_THUMBNAIL_BYTES) return resolve(undefined);
        void blob.arrayBuffer().then((buffer) => resolve(new Uint8Array(buffer)));
      },
      "image/jpeg",
      0.6,
    ),
  );
}

async function imageFacts(file: File): Promise<FileFacts> {
  const bitmap = await createImageBitmap(file);
  try {
    return {
      width: bitmap.width,
      height: bitmap.height,
      thumbnail: await canvasJpeg(bitmap, bitmap.width, bitmap.height),
    };
  } finally {
    bitmap.close();
  }
}

async function videoFacts(file: File): Promise<FileFacts> {
  const url = URL.createObjectURL(file);
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  video.src = url;
  try {
    await new Promise<void>((resolve, reject) => {
      video.onloadeddata = () => resolve();
      video.onerror = () => reject(new Error("not a playable video"));
    });
    const facts: FileFacts = { width: video.videoWidth || undefined, height: video.videoHeight || undefined };
    if (Number.isFinite(video.duration) && video.duration > 0)
      facts.durationMs = Math.max(1, Math.round(video.duration * 1000));
    video.currentTime = Math.min(0.5, video.duration / 2 || 0);
    await new Promise<void>((resolve) => (video.onseeked = () => resolve()));
    if (video.videoWidth > 0) facts.thumbnail = await canvasJpeg(video, video.videoWidth, video.videoHeight);
    return facts;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** What the upload may tell the server about `file`; empty if the browser cannot decode it in time. */
export async function describeFile(file: File): Promise<FileFacts> {
  const work = file.type.startsWith("video/") ? videoFacts(file) : imageFacts(file);
  const timeout = new Promise<FileFacts>((resolve) => setTimeout(() => resolve({}), FACTS_TIMEOUT_MS));
  const facts = await Promise.race([work.catch((): FileFacts => ({})), timeout]);
  const valid = (n: number | undefined) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= 16_384;
  if (!valid(facts.width) || !valid(facts.height)) {
    delete facts.width;
    delete facts.height;
  }
  return facts;
}
