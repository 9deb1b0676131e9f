/**
 * Uploads and downloads inside workerd, against the real R2 binding of the test runtime: the streaming
 * limits, the sniffing, the hashing and the "nothing left behind" promise of workers/lib/media-upload.ts,
 * and the Range/ETag behaviour of workers/lib/media-serve.ts. The routes need Postgres for auth and the
 * media rows, so they are covered end to end in tests/integration/media.test.ts; here only the answers
 * that come before any database.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_MEDIA_BYTES } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";
import { serveMedia, type ServableMedia } from "../../workers/lib/media-serve.ts";
import { storeUpload, type StoredUpload } from "../../workers/lib/media-upload.ts";
import * as f from "../fixtures/media-files.ts";
import { worker } from "./bindings.ts";

/**
 * A body that hands out `bytes` in `chunk`-sized pieces and counts how many bytes were pulled
 * (high-water mark 0: nothing is pulled until the reader asks).
 */
function body(bytes: Uint8Array, chunk = 64 * 1024) {
  const stats = { pulled: 0 };
  let at = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        const piece = bytes.slice(at, at + chunk);
        at += piece.length;
        stats.pulled += piece.length;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}

/** An endless-looking body of `size` bytes that never holds more than one chunk in memory. */
function bigBody(size: number, head: Uint8Array) {
  const stats = { pulled: 0 };
  const chunk = filler64k;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (stats.pulled >= size) return controller.close();
        const n = Math.min(chunk.length, size - stats.pulled);
        const piece = chunk.slice(0, n);
        if (stats.pulled === 0) piece.set(head.subarray(0, Math.min(head.length, n)));
        stats.pulled += n;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}
const filler64k = f.filler(64 * 1024, 99);

async function upload(bytes: Uint8Array, type: string, contentLength: string | null = String(bytes.length)) {
  return storeUpload(env.MEDIA, { body: body(bytes).stream, contentLength, contentType: type });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

async function keysInR2(): Promise<string[]> {
  return (await env.MEDIA.list()).objects.map((o) => o.key);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const stored: StoredUpload[] = [];
afterEach(async () => {
  for (const s of stored.splice(0)) await env.MEDIA.delete(s.key);
  expect(await keysInR2()).toEqual([]);
});

describe("storing an upload", () => {
  it("streams alice's video into R2 under a random key with its size, type and SHA-256", async () => {
    const bytes = f.mp4(300_000);
    const result = await upload(bytes, "video/mp4");
    stored.push(result);
    expect(result).toMatchObject({ type: "video/mp4", size: bytes.length, sha256: await sha256Hex(bytes) });
    expect(result.key).toMatch(/^m\/[0-9a-f]{32}$/);
    const object = await env.MEDIA.get(result.key);
    expect(await sha256Hex(new Uint8Array(await object!.arrayBuffer()))).toBe(result.sha256);
    expect(object!.httpMetadata?.contentType).toBe("video/mp4");
    const again = await upload(bytes, "video/mp4");
    stored.push(again);
    expect(again.key).not.toBe(result.key);
  });

  it("accepts exactly 16 MB, streamed", async () => {
    const { stream, stats } = bigBody(MAX_MEDIA_BYTES, f.jpeg(64));
    const result = await storeUpload(env.MEDIA, {
      body: stream,
      contentLength: String(MAX_MEDIA_BYTES),
      contentType: "image/jpeg",
    });
    stored.push(result);
    expect(stats.pulled).toBe(MAX_MEDIA_BYTES);
    expect((await env.MEDIA.head(result.key))?.size).toBe(MAX_MEDIA_BYTES);
  });

  it("reads a real request body in large pieces, whatever its size", async () => {
    for (const size of [65_536, 100_001, 1_000_003]) {
      const bytes = f.webm(size, size);
      const request = new Request("http://x/v1/media", { method: "POST", body: bytes });
      const result = await storeUpload(env.MEDIA, {
        body: request.body,
        contentLength: String(size),
        contentType: "video/webm",
      });
      stored.push(result);
      expect(result).toMatchObject({ size, sha256: await sha256Hex(bytes), type: "video/webm" });
    }
  });

  it("stores tiny files whose head is shorter than the sniffing window", async () => {
    const bytes = f.gif(40);
    const result = await upload(bytes, "image/gif");
    stored.push(result);
    expect(result.size).toBe(40);
  });
});

describe("refusing an upload leaves nothing in R2", () => {
  it("refuses 16 MB + 1 byte from its Content-Length, before reading the body", async () => {
    const { stream, stats } = bigBody(MAX_MEDIA_BYTES + 1, f.jpeg(64));
    const answer = await refusal(
      storeUpload(env.MEDIA, { body: stream, contentLength: String(MAX_MEDIA_BYTES + 1), contentType: "image/jpeg" }),
    );
    expect(answer).toBe("413 media_too_large");
    expect(stats.pulled).toBe(0);
    expect(await keysInR2()).toEqual([]);
  });

  it("cuts off mallory's body that is longer than its Content-Length at the first extra byte", async () => {
    const { stream, stats } = bigBody(MAX_MEDIA_BYTES * 4, f.mp4(64));
    const answer = await refusal(
      storeUpload(env.MEDIA, { body: stream, contentLength: "1000000", contentType: "video/mp4" }),
    );
    expect(answer).toBe("413 media_too_large");
    expect(stats.pulled).toBeLessThanOrEqual(1_000_000 + 2 * 64 * 1024);
    expect(await keysInR2()).toEqual([]);
  });

  it("cuts off a real request body that is longer than its Content-Length", async () => {
    const request = new Request("http://x/v1/media", { method: "POST", body: f.mp4(300_000) });
    const answer = await refusal(
      storeUpload(env.MEDIA, { body: request.body, contentLength: "100000", contentType: "video/mp4" }),
    );
    expect(answer).toBe("413 media_too_large");
    expect(await keysInR2()).toEqual([]);
  });

  it("refuses a body shorter than its Content-Length", async () => {
    expect(await refusal(upload(f.mp4(10_000), "video/mp4", "20000"))).toBe("400 invalid_request");
    expect(await keysInR2()).toEqual([]);
  });

  it("refuses a PNG declared as video/mp4", async () => {
    expect(await refusal(upload(f.png(), "video/mp4"))).toBe("415 unsupported_media_type");
  });

  it("refuses a text file declared as image/jpeg", async () => {
    expect(await refusal(upload(f.plainText(), "image/jpeg"))).toBe("415 unsupported_media_type");
  });

  it("refuses HTML and SVG, declared as themselves or as pictures", async () => {
    expect(await refusal(upload(f.html(), "text/html"))).toBe("415 unsupported_media_type");
    expect(await refusal(upload(f.html(), "image/png"))).toBe("415 unsupported_media_type");
    expect(await refusal(upload(f.svg(), "image/svg+xml"))).toBe("415 unsupported_media_type");
  });

  it("refuses an empty body and a missing or malformed Content-Length", async () => {
    expect(await refusal(upload(new Uint8Array(0), "image/jpeg"))).toBe("400 invalid_request");
    expect(await refusal(storeUpload(env.MEDIA, { body: null, contentLength: "0", contentType: "image/jpeg" }))).toBe(
      "400 invalid_request",
    );
    expect(await refusal(upload(new Uint8Array(0), "image/jpeg", "10"))).toBe("400 invalid_request");
    expect(await refusal(upload(f.jpeg(), "image/jpeg", null))).toBe("400 invalid_request");
    expect(await refusal(upload(f.jpeg(), "image/jpeg", "12abc"))).toBe("400 invalid_request");
  });

  it("refuses a missing or unlisted Content-Type before reading", async () => {
    const { stream, stats } = body(f.jpeg());
    expect(await refusal(storeUpload(env.MEDIA, { body: stream, contentLength: "2048", contentType: null }))).toBe(
      "415 unsupported_media_type",
    );
    expect(stats.pulled).toBe(0);
  });
});

describe("serving stored bytes", () => {
  const video = f.mp4(1_000_000, 42);
  async function stage(): Promise<ServableMedia> {
    const result = await upload(video, "video/mp4");
    stored.push(result);
    return { id: "m_test", r2Key: result.key, type: result.type, size: result.size, sha256: result.sha256 };
  }
  const get = (media: ServableMedia, headers: Record<string, string> = {}, method = "GET") =>
    serveMedia(env.MEDIA, media, { method, headers: new Headers(headers) });

  it("serves the whole file with type, length, ETag and the never-a-page headers", async () => {
    const media = await stage();
    const res = (await get(media))!;
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      "content-type": "video/mp4",
      "content-length": String(video.length),
      etag: `"${media.sha256}"`,
      "accept-ranges": "bytes",
      "x-content-type-options": "nosniff",
      "content-disposition": 'inline; filename="m_test.mp4"',
    });
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(await sha256Hex(new Uint8Array(await res.arrayBuffer()))).toBe(media.sha256);
  });

  it("answers a seek into the middle of the video with 206 and exactly those bytes", async () => {
    const media = await stage();
    const res = (await get(media, { range: "bytes=500000-500999" }))!;
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 500000-500999/${video.length}`);
    expect(res.headers.get("content-length")).toBe("1000");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(video.slice(500_000, 501_000));
    const tail = (await get(media, { range: "bytes=-10" }))!;
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(video.slice(-10));
  });

  it("answers 304 to a matching If-None-Match and 416 to a range past the end", async () => {
    const media = await stage();
    const cached = (await get(media, { "if-none-match": `"${media.sha256}"` }))!;
    expect(cached.status).toBe(304);
    expect(cached.body).toBeNull();
    const past = (await get(media, { range: `bytes=${video.length}-` }))!;
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${video.length}`);
  });

  it("ignores a Range whose If-Range names other bytes, and serves HEAD without a body", async () => {
    const media = await stage();
    const stale = (await get(media, { range: "bytes=0-9", "if-range": '"other"' }))!;
    expect(stale.status).toBe(200);
    await stale.body?.cancel();
    const head = (await get(media, {}, "HEAD"))!;
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(video.length));
  });

  it("answers null (the route's 404) when the object is gone from R2", async () => {
    const media = await stage();
    await env.MEDIA.delete(media.r2Key);
    expect(await get(media)).toBeNull();
  });
});

describe("routes, before any database", () => {
  it("answers a logged-out download with the same 404 as a missing media", async () => {
    const res = await worker.fetch("http://x/v1/media/m_anything?c=c_whatever");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("requires a session to upload", async () => {
    const res = await worker.fetch("http://x/v1/media", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: f.png(),
    });
    expect(res.status).toBe(401);
  });

  it("serves no bench routes: the bench's baselines live in their own Worker (bench/baseline)", async () => {
    const res = await worker.fetch("http://x/v1/_bench/r2");
    expect(res.status).toBe(404);
  });
});
