/**
 * Pictures and videos against the running stack (wrangler dev with local R2, two Postgres shards),
 * driven through the SDK as an app would: upload → send → the recipient downloads identical bytes
 * (SHA-256 compared, Range reads included); refusals; who may read; deletion for everyone.
 *
 * What is in Postgres is read directly with `pg`. What is in R2 is read from the local R2 that
 * `wrangler dev` persists (see `R2Oracle`): it is found by looking for a key this file just uploaded,
 * so a positive control proves the lookup before any "it is gone" is believed.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ApiError, SendError } from "../../client/sdk/index.ts";
import { MAX_MEDIA_BYTES, type Media, type Message } from "../../client/sdk/protocol/index.ts";
import * as f from "../fixtures/media-files.ts";
import { eventually, person, receivedMessages, type Person } from "./people.ts";

const baseUrl = inject("baseUrl");
const shardUrls = inject("shardUrls");

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let pools: pg.Pool[] = [];
beforeAll(() => {
  pools = shardUrls.map((connectionString) => new pg.Pool({ connectionString, max: 2 }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** Rows of a query run on every shard, concatenated. */
async function everyShard<T>(text: string, values: unknown[]): Promise<T[]> {
  const results = await Promise.all(pools.map((p) => p.query(text, values)));
  return results.flatMap((r) => r.rows as T[]);
}

interface MediaRow {
  id: string;
  r2_key: string;
  sha256: string;
  deleted_at: Date | null;
}
async function mediaRow(id: string): Promise<MediaRow> {
  const rows = await everyShard<MediaRow>("SELECT id, r2_key, sha256, deleted_at FROM media WHERE id = $1", [id]);
  expect(rows, `media ${id} on exactly one shard`).toHaveLength(1);
  return rows[0]!;
}
async function mediaCountOf(ownerId: string): Promise<number> {
  const rows = await everyShard<{ n: string }>("SELECT count(*) AS n FROM media WHERE owner_id = $1", [ownerId]);
  return rows.reduce((sum, r) => sum + Number(r.n), 0);
}
async function refCount(mediaId: string): Promise<number> {
  const rows = await everyShard<{ n: string }>("SELECT count(*) AS n FROM media_refs WHERE media_id = $1", [mediaId]);
  return rows.reduce((sum, r) => sum + Number(r.n), 0);
}

/**
 * The local R2 of this run's `wrangler dev`: miniflare keeps each bucket's objects in a SQLite table
 * `_mf_objects` under `<persist>/v3/r2/miniflare-R2BucketObject/`. Several stacks may be persisted
 * under `.data/test-*` at once, so the bucket file is identified by a key this file uploaded.
 */
class R2Oracle {
  private file: string | null = null;

  private static candidates(): string[] {
    const data = resolve(".data");
    return readdirSync(data)
      .filter((d) => d.startsWith("test-"))
      .map((d) => join(data, d, "v3/r2/miniflare-R2BucketObject"))
      .filter((dir) => existsSync(dir))
      .flatMap((dir) =>
        readdirSync(dir)
          .filter((n) => n.endsWith(".sqlite") && n !== "metadata.sqlite")
          .map((n) => join(dir, n)),
      );
  }

  private static query<T>(file: string, sql: string, ...params: string[]): T[] {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } catch {
      return []; // a bucket file without the table yet
    } finally {
      db.close();
    }
  }

  /** Finds the bucket file holding `knownKey` (a key of an object this file stored). */
  locate(knownKey: string): void {
    this.file =
      R2Oracle.candidates().find(
        (file) => R2Oracle.query(file, "SELECT key FROM _mf_objects WHERE key = ?", knownKey).length > 0,
      ) ?? null;
    if (!this.file) throw new Error(`no local R2 bucket holds ${knownKey}: has the R2 storage layout changed?`);
  }

  private bucket(): string {
    if (!this.file) throw new Error("locate() the bucket first");
    return this.file;
  }

  has(key: string): boolean {
    return R2Oracle.query(this.bucket(), "SELECT key FROM _mf_objects WHERE key = ?", key).length > 0;
  }

  count(): number {
    return R2Oracle.query<{ n: number }>(this.bucket(), "SELECT count(*) AS n FROM _mf_objects")[0]?.n ?? 0;
  }
}
const r2 = new R2Oracle();

/** A raw GET of a media URL (as an <img>/<video> loader or a curious stranger would do it). */
function download(url: string, token: string | null, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${url}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
}
const tokenOf = (p: Person) => p.client.api.token!;

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Status and error code with the per-request id removed: what a prober could compare. */
async function shapeOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return `${res.status} ${body.error.code} ${body.error.message}`;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError || error instanceof SendError)
      return `${error instanceof ApiError ? error.status : "ws"} ${error.code}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

let alice: Person;
let bob: Person;
let carol: Person;
let mallory: Person;
let aliceBob: string;
let aliceCarol: string;

beforeAll(async () => {
  [alice, bob, carol, mallory] = await Promise.all([
    person("alice"),
    person("bob"),
    person("carol"),
    person("mallory"),
  ]);
  aliceBob = (await alice.client.api.openDirect(bob.id)).id;
  aliceCarol = (await alice.client.api.openDirect(carol.id)).id;
  // The R2 oracle needs one object of this run to find its bucket.
  const canary = await alice.client.api.uploadMedia(f.jpeg(512, 1234), "image/jpeg");
  r2.locate((await mediaRow(canary.id)).r2_key);
});

afterAll(() => {
  for (const p of [alice, bob, carol, mallory]) p?.client.close();
});

describe("sending a video", () => {
  it("lets bob download exactly the bytes alice sent, and seek into the middle of the video", async () => {
    await bob.connect();
    const video = f.mp4(3_000_000, 77);
    const thumbnail = f.jpeg(1_500, 78);
    const progress: Array<[number, number]> = [];
    const media = await alice.client.api.uploadMedia(video, "video/mp4", {
      width: 1280,
      height: 720,
      durationMs: 12_000,
      thumbnail,
      onProgress: (sent, total) => progress.push([sent, total]),
    });
    expect(media).toEqual({
      id: media.id,
      type: "video/mp4",
      size: video.length,
      url: `/v1/media/${media.id}`,
      thumbnail: `data:image/jpeg;base64,${Buffer.from(thumbnail).toString("base64")}`,
      width: 1280,
      height: 720,
      durationMs: 12_000,
    } satisfies Media);
    expect(progress).toEqual([
      [0, video.length],
      [video.length, video.length],
    ]);
    const row = await mediaRow(media.id);
    expect(row.sha256).toBe(sha256(video));
    expect(row.r2_key).not.toContain(media.id);
    expect(r2.has(row.r2_key)).toBe(true);

    const sent = await alice.client.api.sendMessage(aliceBob, { clientId: `video-${media.id}`, mediaId: media.id });
    expect(sent.media).toEqual({ ...media, url: `/v1/media/${media.id}?c=${aliceBob}` });

    // Bob sees it live and in history, with the inline thumbnail, then fetches the bytes.
    await eventually(() => expect(receivedMessages(bob, aliceBob).at(-1)?.media?.id).toBe(media.id));
    const history = await bob.client.api.history(aliceBob);
    const carried = history.find((m: Message) => m.media?.id === media.id)!.media!;
    expect(carried.thumbnail).toBe(media.thumbnail);
    const res = await download(carried.url, tokenOf(bob));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-length")).toBe(String(video.length));
    expect(res.headers.get("etag")).toBe(`"${sha256(video)}"`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="/);
    expect(sha256(await bytesOf(res))).toBe(sha256(video));

    const seek = await download(carried.url, tokenOf(bob), { range: "bytes=1500000-1599999" });
    expect(seek.status).toBe(206);
    expect(seek.headers.get("content-range")).toBe(`bytes 1500000-1599999/${video.length}`);
    expect(sha256(await bytesOf(seek))).toBe(sha256(video.slice(1_500_000, 1_600_000)));

    const revalidate = await download(carried.url, tokenOf(bob), { "if-none-match": `"${sha256(video)}"` });
    expect(revalidate.status).toBe(304);
    const head = await fetch(`${baseUrl}${carried.url}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${tokenOf(bob)}` },
    });
    expect([head.status, head.headers.get("content-length")]).toEqual([200, String(video.length)]);
  });

  it("keeps a text alice sends right behind a picture behind it, over the WebSocket", async () => {
    await alice.connect();
    const media = await alice.client.api.uploadMedia(f.png(5_000, 90), "image/png");
    const conn = alice.client.connection!;
    const [picture, text] = await Promise.all([
      conn.send(aliceBob, { mediaId: media.id }),
      conn.send(aliceBob, { text: "look!" }),
    ]);
    expect(text.seq).toBe(picture.seq + 1);
    expect(picture.media?.url).toBe(`/v1/media/${media.id}?c=${aliceBob}`);
    expect((await download(picture.media!.url, tokenOf(bob))).status).toBe(200);
  });

  it("lets only the uploader send a media: bob gets the 404 of a missing id, over REST and WebSocket", async () => {
    const media = await alice.client.api.uploadMedia(f.gif(3_000, 91), "image/gif");
    const asBob = await refusal(bob.client.api.sendMessage(aliceBob, { clientId: "steal-1", mediaId: media.id }));
    const missing = await refusal(
      bob.client.api.sendMessage(aliceBob, { clientId: "steal-2", mediaId: "m_doesnotexist" }),
    );
    expect(asBob).toBe("404 not_found");
    expect(missing).toBe(asBob);
    expect(await refusal(bob.client.connection!.send(aliceBob, { mediaId: media.id }))).toBe("ws not_found");
    expect(await refCount(media.id)).toBe(0);
  });
});

describe("who may read a media", () => {
  it("answers mallory, carol (another chat's member) and a logged-out caller exactly like a missing media", async () => {
    const media = await alice.client.api.uploadMedia(f.webp(4_000, 92), "image/webp");
    const sent = await alice.client.api.sendMessage(aliceBob, { clientId: `private-${media.id}`, mediaId: media.id });
    const url = sent.media!.url;
    expect((await download(url, tokenOf(bob))).status).toBe(200);

    const missing = await shapeOf(await download(`/v1/media/m_doesnotexist?c=${aliceBob}`, tokenOf(bob)));
    expect(missing).toMatch(/^404 not_found/);
    const probes = [
      download(url, tokenOf(mallory)),
      download(`/v1/media/${media.id}`, tokenOf(mallory)),
      download(`/v1/media/${media.id}?c=${aliceCarol}`, tokenOf(mallory)),
      download(url, tokenOf(carol)),
      download(`/v1/media/${media.id}?c=${aliceCarol}`, tokenOf(carol)),
      download(url, null),
      download(url, "not-a-token"),
      download(url, tokenOf(mallory), { range: "bytes=0-10" }),
    ];
    for (const res of await Promise.all(probes)) expect(await shapeOf(res)).toBe(missing);
  });

  it("forwards a media to another chat without copying its bytes, readable only through each chat", async () => {
    const picture = f.jpeg(20_000, 93);
    const before = await mediaCountOf(alice.id);
    const media = await alice.client.api.uploadMedia(picture, "image/jpeg");
    const toBob = await alice.client.api.sendMessage(aliceBob, { clientId: `fwd-b-${media.id}`, mediaId: media.id });
    const toCarol = await alice.client.api.sendMessage(aliceCarol, {
      clientId: `fwd-c-${media.id}`,
      mediaId: media.id,
    });
    expect(toCarol.media?.id).toBe(toBob.media?.id);
    expect(await mediaCountOf(alice.id)).toBe(before + 1);
    expect(sha256(await bytesOf(await download(toCarol.media!.url, tokenOf(carol))))).toBe(sha256(picture));
    expect((await download(toCarol.media!.url, tokenOf(bob))).status).toBe(404);
    expect((await download(toBob.media!.url, tokenOf(carol))).status).toBe(404);
    await eventually(async () => expect(await refCount(media.id)).toBe(2));
  });
});

describe("refused uploads", () => {
  it("refuses 16 MB + 1, a PNG as MP4, text as JPEG, HTML and an empty body, and keeps none of them", async () => {
    const api = alice.client.api;
    const rowsBefore = await mediaCountOf(alice.id);
    const objectsBefore = r2.count();
    const tooBig = f.jpeg(MAX_MEDIA_BYTES + 1, 94);
    expect(await refusal(api.uploadMedia(tooBig, "image/jpeg"))).toBe("413 media_too_large");
    expect(await refusal(api.uploadMedia(f.png(), "video/mp4"))).toBe("415 unsupported_media_type");
    expect(await refusal(api.uploadMedia(f.plainText(), "image/jpeg"))).toBe("415 unsupported_media_type");
    expect(await refusal(api.uploadMedia(f.html(), "text/html"))).toBe("415 unsupported_media_type");
    expect(await refusal(api.uploadMedia(f.html(), "image/jpeg"))).toBe("415 unsupported_media_type");
    expect(await refusal(api.uploadMedia(f.svg(), "image/svg+xml"))).toBe("415 unsupported_media_type");
    expect(await refusal(api.uploadMedia(new Uint8Array(0), "image/jpeg"))).toBe("400 invalid_request");
    expect(await refusal(api.uploadMedia(f.jpeg(), "image/jpeg", { thumbnail: f.png(500) }))).toBe(
      "415 unsupported_media_type",
    );
    expect(await refusal(api.uploadMedia(f.jpeg(), "image/jpeg", { width: 100 }))).toBe("400 invalid_request");
    expect(await refusal(api.uploadMedia(f.jpeg(), "image/jpeg", { durationMs: 5_000 }))).toBe("400 invalid_request");
    expect(await mediaCountOf(alice.id)).toBe(rowsBefore);
    expect(r2.count()).toBe(objectsBefore);
  });

  it("answers an upload without a session with 401", async () => {
    const res = await fetch(`${baseUrl}/v1/media`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: f.png(),
    });
    expect(res.status).toBe(401);
  });
});

describe("deleting for everyone", () => {
  it("makes the media 404 for everyone and deletes its bytes from R2", async () => {
    const media = await alice.client.api.uploadMedia(f.mp4(200_000, 95), "video/mp4");
    const sent = await alice.client.api.sendMessage(aliceBob, { clientId: `del-${media.id}`, mediaId: media.id });
    const { r2_key } = await mediaRow(media.id);
    expect((await download(sent.media!.url, tokenOf(bob))).status).toBe(200);
    expect(r2.has(r2_key)).toBe(true);

    await alice.client.api.deleteMessage(aliceBob, sent.seq, "everyone");
    await eventually(async () => {
      expect((await mediaRow(media.id)).deleted_at).not.toBeNull();
      expect(r2.has(r2_key)).toBe(false);
    });
    for (const [who, url] of [
      [bob, sent.media!.url],
      [alice, sent.media!.url],
      [alice, media.url],
    ] as const) {
      expect(await shapeOf(await download(url, tokenOf(who)))).toMatch(/^404 not_found/);
    }
    const tombstone = (await bob.client.api.history(aliceBob)).find((m) => m.seq === sent.seq);
    expect(tombstone).toMatchObject({ deleted: true, media: null });
    expect(
      await refusal(alice.client.api.sendMessage(aliceCarol, { clientId: `again-${media.id}`, mediaId: media.id })),
    ).toBe("404 not_found");
  });

  it("keeps a forwarded media while another chat still shows it, and deletes it with the last", async () => {
    const media = await alice.client.api.uploadMedia(f.jpeg(30_000, 96), "image/jpeg");
    const toBob = await alice.client.api.sendMessage(aliceBob, { clientId: `rc-b-${media.id}`, mediaId: media.id });
    const toCarol = await alice.client.api.sendMessage(aliceCarol, { clientId: `rc-c-${media.id}`, mediaId: media.id });
    const { r2_key } = await mediaRow(media.id);
    await eventually(async () => expect(await refCount(media.id)).toBe(2));

    await alice.client.api.deleteMessage(aliceBob, toBob.seq, "everyone");
    await eventually(async () => expect(await refCount(media.id)).toBe(1));
    expect((await download(toBob.media!.url, tokenOf(bob))).status).toBe(404);
    expect((await download(toCarol.media!.url, tokenOf(carol))).status).toBe(200);
    expect((await mediaRow(media.id)).deleted_at).toBeNull();
    expect(r2.has(r2_key)).toBe(true);

    await alice.client.api.deleteMessage(aliceCarol, toCarol.seq, "everyone");
    await eventually(async () => {
      expect((await mediaRow(media.id)).deleted_at).not.toBeNull();
      expect(r2.has(r2_key)).toBe(false);
    });
    expect((await download(toCarol.media!.url, tokenOf(carol))).status).toBe(404);
  });
});
