/**
 * Reading a request body in pieces large enough to be worth a round of work each. workerd hands a
 * request body to a default reader in 4 KB pieces, and per-piece JS (await, count, hash, write) then
 * dominates an upload's time; the BYOB reader's `readAtLeast` (a workerd extension) returns 64 KB at a
 * time instead (16 MB: 256 reads, not 4,096). Streams without BYOB support (JS-made streams, as in
 * tests) fall back to their own chunks.
 */
import { AppError } from "../../lib/errors.ts";

/** Preferred minimum bytes per read. */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface ChunkReader {
  /** The next piece, or null at the end. A body that breaks off (client gone) is 400 `invalid_request`. */
  next(): Promise<Uint8Array | null>;
  /** Stops reading and releases the body; never throws. */
  cancel(): Promise<void>;
}

async function guarded<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    throw new AppError("invalid_request", "the upload was interrupted");
  }
}

/** A reader over `body` that prefers READ_CHUNK_BYTES pieces. */
export function chunkReader(body: ReadableStream<Uint8Array>): ChunkReader {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // not a byte stream
  }
  if (byob === null) {
    const reader = body.getReader();
    return {
      next: () => guarded(async () => ((r) => (r.done ? null : r.value))(await reader.read())),
      cancel: () => reader.cancel().catch(() => undefined),
    };
  }
  const bytes = byob;
  let ended = false;
  return {
    next: () =>
      guarded(async () => {
        if (ended) return null;
        const { done, value } = await bytes.readAtLeast(READ_CHUNK_BYTES, new Uint8Array(READ_CHUNK_BYTES));
        ended = done;
        return value && value.byteLength > 0 ? value : null;
      }),
    cancel: () => bytes.cancel().catch(() => undefined),
  };
}

/** Reads pieces until at least `want` bytes (or the end); returns them as they came. */
export async function readAtLeast(reader: ChunkReader, want: number): Promise<{ chunks: Uint8Array[]; bytes: number }> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  while (bytes < want) {
    const chunk = await reader.next();
    if (chunk === null) break;
    chunks.push(chunk);
    bytes += chunk.byteLength;
  }
  return { chunks, bytes };
}

/** The pieces joined into one array of `total` bytes. */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]?.byteLength === total) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
