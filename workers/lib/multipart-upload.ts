/**
 * One part of a multipart upload, streamed into R2's multipart upload without holding it in memory
 * (at most the sniffed head and one pipe buffer). The part must be exactly as long as its place in
 * the file says (`partLength`): a shorter or longer body is refused and R2 keeps nothing usable of it
 * (a part sent again replaces it). The first part's head is checked by the upload's policy (pictures
 * and videos are sniffed, ./media-upload.ts), so a mislabelled file is refused before R2 sees a byte.
 */
import { partLength } from "../../client/sdk/protocol/index.ts";
import { SNIFF_BYTES } from "../../client/sdk/protocol/media-sniff.ts";
import { AppError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { chunkReader, concat, readAtLeast } from "./body-reader.ts";
import type { UploadPolicy } from "./media-upload.ts";

const PIPE_BUFFER_BYTES = 1024 * 1024;

export interface PartInput {
  body: ReadableStream<Uint8Array> | null;
  contentLength: string | null;
}

/** What R2 stored: the part's etag, and for part 1 the type its head allows. */
export interface StoredPart {
  etag: string;
  type: string | null;
}

export async function storePart(
  upload: R2MultipartUpload,
  meta: { size: number; partSize: number; declaredType: string | null },
  part: number,
  input: PartInput,
  policy: UploadPolicy,
): Promise<StoredPart> {
  const length = partLength(meta.size, part, meta.partSize);
  if (length === 0) throw new AppError("invalid_request", "this upload has no such part");
  if (input.contentLength === null || Number(input.contentLength.trim()) !== length)
    throw new AppError("invalid_request", `part ${part} must be exactly ${length} bytes (Content-Length)`);
  if (!input.body) throw new AppError("invalid_request", "the body is empty");
  const reader = chunkReader(input.body);
  const drop = () => reader.cancel();
  let type: string | null = null;
  const head = await readAtLeast(reader, Math.min(SNIFF_BYTES, length));
  if (part === 1) {
    const check = policy.check(meta.declaredType, concat(head.chunks, head.bytes).subarray(0, SNIFF_BYTES));
    if (!check.ok) {
      // Read the rest of the part (at most its declared length) before answering: a client still
      // sending when the server stops reading sees its connection closed, not the 415.
      let left = length - head.bytes;
      for (let chunk = await reader.next(); chunk !== null && left > 0; chunk = await reader.next())
        left -= chunk.byteLength;
      await drop();
      throw new AppError("unsupported_media_type", check.reason);
    }
    type = check.type;
  }
  const fixed = new FixedLengthStream(length, { highWaterMark: PIPE_BUFFER_BYTES });
  const putting = upload.uploadPart(part, fixed.readable);
  putting.catch(() => undefined); // awaited below
  const writer = fixed.writable.getWriter();
  let received = 0;
  const take = async (chunk: Uint8Array) => {
    received += chunk.byteLength;
    if (received > length) throw new AppError("invalid_request", "the part is longer than its Content-Length");
    await writer.write(chunk);
  };
  try {
    for (const chunk of head.chunks) await take(chunk);
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) await take(chunk);
    if (received < length) throw new AppError("invalid_request", "the part is shorter than its Content-Length");
    await writer.close();
    const stored = await putting;
    return { etag: stored.etag, type };
  } catch (error) {
    await Promise.allSettled([writer.abort(error), drop()]);
    await putting.catch(() => undefined);
    if (error instanceof AppError) throw error;
    log("error", "upload part failed", { part, error });
    throw new AppError("unavailable", "the part could not be stored; send it again");
  }
}
