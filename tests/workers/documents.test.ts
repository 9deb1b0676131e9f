/**
 * Document uploads inside workerd with its R2: any bytes stream into R2 under a safe type, and an
 * upload over 100 MB is refused from its Content-Length before a byte of the body is read.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_BYTES, documentType } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";
import { attachment } from "../../workers/lib/media-serve.ts";
import { DOCUMENT_UPLOAD, storeUpload } from "../../workers/lib/media-upload.ts";

/** A body that counts what was pulled from it. */
function countedBody(size: number) {
  const stats = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (stats.pulled >= size) return controller.close();
        const n = Math.min(64 * 1024, size - stats.pulled);
        stats.pulled += n;
        controller.enqueue(new Uint8Array(n));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

describe("document uploads", () => {
  it("refuses 100 MB + 1 byte from its Content-Length, before reading the body", async () => {
    const { stream, stats } = countedBody(MAX_DOCUMENT_BYTES + 1);
    const refused = await storeUpload(
      env.MEDIA,
      { body: stream, contentLength: String(MAX_DOCUMENT_BYTES + 1), contentType: "application/zip" },
      DOCUMENT_UPLOAD,
    ).catch((error: unknown) => error);
    expect(refused instanceof AppError && `${refused.status} ${refused.code}`).toBe("413 media_too_large");
    expect(stats.pulled).toBe(0);
  });

  it("streams a 20 MB file of any type into R2, stored as octet-stream unless its type is safe", async () => {
    const size = 20 * 1024 * 1024;
    const { stream } = countedBody(size);
    const stored = await storeUpload(
      env.MEDIA,
      { body: stream, contentLength: String(size), contentType: "text/html" },
      DOCUMENT_UPLOAD,
    );
    expect(stored).toMatchObject({ size, type: "application/octet-stream" });
    const object = await env.MEDIA.head(stored.key);
    expect(object?.size).toBe(size);
    await env.MEDIA.delete(stored.key);
    expect(documentType("application/pdf")).toBe("application/pdf");
    expect(documentType("image/svg+xml")).toBe("application/octet-stream");
  });

  it("names the attachment safely: quotes and non-ASCII replaced, the exact name in filename*", () => {
    expect(attachment('a "b".txt')).toBe(`attachment; filename="a _b_.txt"; filename*=UTF-8''a%20%22b%22.txt`);
    expect(attachment("résumé.pdf")).toBe(`attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
  });
});
