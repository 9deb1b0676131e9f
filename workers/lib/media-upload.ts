/**
 * Streams one upload into R2 without ever holding the file in memory, and refuses bad uploads as
 * early as possible, so that a refused upload leaves nothing behind:
 *
 * 1. Before reading a byte: the declared type must be allowed (415), `Content-Length` must be given
 *    (400: R2 needs a known length, and a limit is only enforceable up front if the length is
 *    declared), non-zero (400) and at most MAX_MEDIA_BYTES (413). A 2 GB upload is refused here.
 * 2. The head (first SNIFF_BYTES) is read and sniffed; the bytes must be the declared type (415).
 *    R2 has not been touched yet.
 * 3. Only then does the R2 put start, fed through a `FixedLengthStream` of the declared length, while
 *    every chunk is counted and hashed (SHA-256, `crypto.DigestStream`). A body longer than it said
 *    is cut off at the first extra byte (413), a shorter one fails at its end (400); either way the
 *    put is aborted and the key deleted, in case R2 kept anything.
 *
 * Keys are random (128 bits), never the media id, so knowing an id (which travels in URLs and
 * messages) gives no way to address the object in the bucket.
 */
import { MAX_DOCUMENT_BYTES, MAX_MEDIA_BYTES, documentType } from "../../client/sdk/protocol/index.ts";
import { isMediaType, type MediaType } from "../../client/sdk/protocol/media.ts";
import { chunkReader, concat, readAtLeast } from "./body-reader.ts";
import { AppError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { checkDeclaredType, normaliseContentType, SNIFF_BYTES } from "../../client/sdk/protocol/media-sniff.ts";

/** Bytes queued between the body and the R2 put; small against 128 MB of isolate memory. */
const PIPE_BUFFER_BYTES = 1024 * 1024;
/** Chunks are gathered to this size before being hashed and written: fewer, larger writes. */
const WRITE_BATCH_BYTES = 256 * 1024;

export interface UploadInput {
  /** The request body, as the Worker received it. */
  body: ReadableStream<Uint8Array> | null;
  /** The raw `Content-Length` header. */
  contentLength: string | null;
  /** The raw `Content-Type` header. */
  contentType: string | null;
}

/**
 * What an upload may be: its size limit, and the type to store from the declared type and the first
 * bytes (or why not). Pictures and videos are sniffed (`MEDIA_UPLOAD`); documents are any bytes,
 * stored under a safe type (`documentUpload`).
 */
export interface UploadPolicy {
  maxBytes: number;
  /** Checked before any byte is read: 415 when false. */
  accepts(declared: string | null): boolean;
  check(declared: string | null, head: Uint8Array): { ok: true; type: string } | { ok: false; reason: string };
}

export const MEDIA_UPLOAD: UploadPolicy = {
  maxBytes: MAX_MEDIA_BYTES,
  accepts: (declared) => declared !== null && isMediaType(declared),
  check: checkDeclaredType,
};

/** A document: any bytes, up to MAX_DOCUMENT_BYTES, stored (and served) as `documentType(declared)`. */
export const DOCUMENT_UPLOAD: UploadPolicy = {
  maxBytes: MAX_DOCUMENT_BYTES,
  accepts: () => true,
  check: (declared) => ({ ok: true, type: documentType(declared) }),
};

/** What landed in R2. */
export interface StoredUpload<T extends string = MediaType> {
  key: string;
  /** The sniffed type (equal to the declared one, or its container family for MP4/QuickTime). */
  type: T;
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

/** An unguessable R2 key: `m/` + 32 hex chars from the CSPRNG. */
export function newObjectKey(): string {
  return `m/${toHex(crypto.getRandomValues(new Uint8Array(16)))}`;
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** The declared length, or throws: absent/malformed → 400, zero → 400, over `maxBytes` → 413. */
export function declaredLength(header: string | null, maxBytes: number = MAX_MEDIA_BYTES): number {
  if (header === null)
    throw new AppError("invalid_request", "Content-Length is required: send the file with its length");
  if (!/^\d{1,16}$/.test(header.trim())) throw new AppError("invalid_request", "Content-Length is malformed");
  const length = Number(header.trim());
  if (length === 0) throw new AppError("invalid_request", "the body is empty");
  if (length > maxBytes) throw new AppError("media_too_large", `media is at most ${maxBytes} bytes`);
  return length;
}

/**
 * Validates and stores one upload under a fresh random key; throws AppError (`invalid_request`,
 * `media_too_large`, `unsupported_media_type`, or `internal` if R2 fails) with nothing left in R2.
 */
export async function storeUpload(bucket: R2Bucket, input: UploadInput): Promise<StoredUpload>;
export async function storeUpload(
  bucket: R2Bucket,
  input: UploadInput,
  policy: UploadPolicy,
): Promise<StoredUpload<string>>;
export async function storeUpload(
  bucket: R2Bucket,
  input: UploadInput,
  policy: UploadPolicy = MEDIA_UPLOAD,
): Promise<StoredUpload<string>> {
  const declared = normaliseContentType(input.contentType);
  if (!policy.accepts(declared)) {
    throw new AppError("unsupported_media_type", `Content-Type must be one of the accepted media types`);
  }
  const length = declaredLength(input.contentLength, policy.maxBytes);
  if (!input.body) throw new AppError("invalid_request", "the body is empty");

  const reader = chunkReader(input.body);
  const drop = () => reader.cancel();
  const head = await readAtLeast(reader, Math.min(SNIFF_BYTES, length)).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  if (head.bytes === 0) throw new AppError("invalid_request", "the body is empty");
  if (head.bytes > length) {
    await drop();
    throw new AppError("media_too_large", "the body is longer than its Content-Length");
  }
  const check = policy.check(declared, concat(head.chunks, head.bytes).subarray(0, SNIFF_BYTES));
  if (!check.ok) {
    await drop();
    throw new AppError("unsupported_media_type", check.reason);
  }

  const key = newObjectKey();
  // The buffer lets reading the next chunk overlap with R2 consuming the last one (lockstep otherwise).
  const fixed = new FixedLengthStream(length, { highWaterMark: PIPE_BUFFER_BYTES });
  const putting = bucket.put(key, fixed.readable, { httpMetadata: { contentType: check.type } });
  putting.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  const writer = fixed.writable.getWriter();
  const digest = new crypto.DigestStream("SHA-256");
  digest.digest.catch(() => undefined); // rejects when aborted below; read only on success
  const hasher = digest.getWriter();
  let received = 0;
  // Hashing and writing in batches: fewer, larger writes than the pieces the body arrives in.
  let batch: Uint8Array[] = [];
  let batched = 0;
  const flush = async () => {
    if (batched === 0) return;
    const joined = concat(batch, batched);
    batch = [];
    batched = 0;
    // Hashing starts before the bytes are handed to R2's stream, which may take them over.
    const hashing = hasher.write(joined);
    await Promise.all([hashing, writer.write(joined)]);
  };
  const take = async (chunk: Uint8Array) => {
    received += chunk.byteLength;
    if (received > length) throw new AppError("media_too_large", "the body is longer than its Content-Length");
    batch.push(chunk);
    batched += chunk.byteLength;
    if (batched >= WRITE_BATCH_BYTES) await flush();
  };

  try {
    for (const chunk of head.chunks) await take(chunk);
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) await take(chunk);
    if (received < length) throw new AppError("invalid_request", "the body is shorter than its Content-Length");
    await flush();
    await writer.close();
    await putting;
    await hasher.close();
    return { key, type: check.type, size: length, sha256: toHex(new Uint8Array(await digest.digest)) };
  } catch (error) {
    await Promise.allSettled([writer.abort(error), hasher.abort(error), drop()]);
    await putting.catch(() => undefined);
    await bucket.delete(key).catch(() => undefined);
    if (error instanceof AppError) throw error;
    log("error", "media upload failed", { size: length, error });
    throw new AppError("internal", "the upload could not be stored");
  }
}
