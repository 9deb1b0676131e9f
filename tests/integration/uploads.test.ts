/**
 * Multipart (resumable) uploads against the running stack (wrangler dev with miniflare's local R2,
 * whose multipart API the Worker uses as in production): a large document goes up in parts and
 * downloads whole; after a simulated drop only the missing parts are sent; nobody but the uploader can
 * see, extend, complete or cancel an upload; the first part of a picture or video is sniffed like a
 * single upload; a cancelled or forgotten upload frees its parts.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ApiError, uploadResumable } from "../../client/sdk/index.ts";
import { MULTIPART_PART_BYTES } from "../../client/sdk/protocol/index.ts";
import { filler, png } from "../fixtures/media-files.ts";
import { person, type Person } from "./people.ts";

const baseUrl = inject("baseUrl");
const shardUrls = inject("shardUrls");
let pools: pg.Pool[] = [];
beforeAll(() => {
  pools = shardUrls.map((connectionString) => new pg.Pool({ connectionString, max: 2 }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const download = (url: string, who: Person) =>
  fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${who.client.api.token}` } });

/** A PDF of `size` bytes: its header, then deterministic filler. */
function pdf(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = filler(size, seed);
  bytes.set(new TextEncoder().encode("%PDF-1.7\n"), 0);
  return bytes;
}

/** The parts `uploadPart` is asked to send; the `failOnce` part fails once as a dropped connection would. */
function recordParts(who: Person, failOnce?: number): number[] {
  const api = who.client.api;
  const original = api.uploadPart.bind(api);
  const sent: number[] = [];
  let failed = false;
  api.uploadPart = async (id, part, bytes, onProgress) => {
    sent.push(part);
    if (part === failOnce && !failed) {
      failed = true;
      throw new ApiError(0, "network", "connection dropped");
    }
    return original(id, part, bytes, onProgress);
  };
  return sent;
}

describe("multipart uploads", () => {
  it("uploads a document in parts with progress, and bob downloads it whole", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const file = pdf(2 * MULTIPART_PART_BYTES + 123_456);
    const progress: number[] = [];
    const media = await uploadResumable(alice.client.api, new Blob([file]), "application/pdf", {
      filename: "big report.pdf",
      onProgress: (sent) => progress.push(sent),
    });
    expect(media).toMatchObject({ type: "application/pdf", size: file.byteLength, filename: "big report.pdf" });
    expect(progress.at(-1)).toBe(file.byteLength);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const sent = await alice.client.api.sendMessage(chat.id, { clientId: "d", mediaId: media.id });
    const res = await download(sent.media!.url, bob);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(file));
  });

  it("after a drop, asks which parts arrived and sends only the missing ones", async () => {
    const alice = await person("alice");
    const file = pdf(3 * MULTIPART_PART_BYTES + 10, 7);
    const blob = new Blob([file]);
    const upload = await alice.client.api.createUpload(file.byteLength, "application/pdf", "resume.pdf");
    expect(upload.partCount).toBe(4);
    // An earlier session got parts 1 and 3 through before the page was reloaded.
    const slice = (part: number) => blob.slice((part - 1) * MULTIPART_PART_BYTES, part * MULTIPART_PART_BYTES);
    await alice.client.api.uploadPart(upload.id, 1, slice(1));
    await alice.client.api.uploadPart(upload.id, 3, slice(3));
    expect((await alice.client.api.uploadStatus(upload.id)).received).toEqual([1, 3]);

    const sent = recordParts(alice, 2);
    const media = await uploadResumable(alice.client.api, blob, "application/pdf", {
      filename: "resume.pdf",
      resume: upload.id,
    });
    // Part 2 dropped once and went again; 1 and 3 were never sent twice.
    expect(sent).toEqual([2, 2, 4]);
    const res = await download(media.url, alice);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(file));
    await expect(alice.client.api.uploadStatus(upload.id)).rejects.toMatchObject({ status: 404 });
  });

  it("lets nobody but the uploader see, extend, complete or cancel an upload", async () => {
    const alice = await person("alice");
    const mallory = await person("mallory");
    const file = pdf(MULTIPART_PART_BYTES + 5);
    const upload = await alice.client.api.createUpload(file.byteLength, "application/pdf", "mine.pdf");
    const part = new Blob([file]).slice(0, MULTIPART_PART_BYTES);
    const api = mallory.client.api;
    for (const attempt of [
      () => api.uploadStatus(upload.id),
      () => api.uploadPart(upload.id, 1, part),
      () => api.completeUpload(upload.id),
      () => api.abortUpload(upload.id),
    ])
      await expect(attempt()).rejects.toMatchObject({ status: 404, code: "not_found" });
    // Untouched: alice still finishes it.
    const media = await uploadResumable(alice.client.api, new Blob([file]), "application/pdf", {
      filename: "mine.pdf",
      resume: upload.id,
    });
    expect(media.size).toBe(file.byteLength);
  });

  it("sniffs the first part of a picture or video: a mislabelled file is refused and its upload ends", async () => {
    const alice = await person("alice");
    const notVideo = png(MULTIPART_PART_BYTES + 100);
    const upload = await alice.client.api.createUpload(notVideo.byteLength, "video/mp4");
    const first = new Blob([notVideo]).slice(0, MULTIPART_PART_BYTES);
    await expect(alice.client.api.uploadPart(upload.id, 1, first)).rejects.toMatchObject({
      status: 415,
      code: "unsupported_media_type",
    });
    await expect(alice.client.api.uploadStatus(upload.id)).rejects.toMatchObject({ status: 404 });
    // Declared types that are not pictures or videos need a file name (a document).
    await expect(alice.client.api.createUpload(10, "text/html")).rejects.toMatchObject({ status: 415 });
    await expect(alice.client.api.createUpload(17 * 1024 * 1024, "video/mp4")).rejects.toMatchObject({ status: 413 });
  });

  it("refuses a part of the wrong length and a completion with parts missing", async () => {
    const alice = await person("alice");
    const upload = await alice.client.api.createUpload(MULTIPART_PART_BYTES + 1, "application/zip", "a.zip");
    await expect(alice.client.api.uploadPart(upload.id, 2, new Blob([new Uint8Array(2)]))).rejects.toMatchObject({
      status: 400,
    });
    await expect(alice.client.api.completeUpload(upload.id)).rejects.toMatchObject({ status: 400 });
    await alice.client.api.abortUpload(upload.id);
    await expect(alice.client.api.uploadStatus(upload.id)).rejects.toMatchObject({ status: 404 });
  });

  it("aborts an upload left incomplete for a day when the media sweep runs", async () => {
    const alice = await person("alice");
    const upload = await alice.client.api.createUpload(MULTIPART_PART_BYTES + 1, "application/pdf", "left.pdf");
    await Promise.all(
      pools.map((p) =>
        p.query("UPDATE media_uploads SET created_at = now() - interval '25 hours' WHERE id = $1", [upload.id]),
      ),
    );
    const res = await fetch(`${baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
    expect(res.status).toBe(200);
    await expect(alice.client.api.uploadStatus(upload.id)).rejects.toMatchObject({ status: 404 });
  });
});
