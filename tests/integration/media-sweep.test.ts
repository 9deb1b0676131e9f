/**
 * The sweep of unreferenced media (workers/jobs/media-sweep.ts) against the running stack: uploads
 * are made through the API, some are sent, their rows are then aged in Postgres past the sweep's
 * 24 h threshold (the default, so uploads of other test files, seconds old, are never touched), and
 * the Cron Trigger is fired through wrangler's local trigger endpoint. Unsent uploads must be gone
 * (404 to their uploader, R2 object and row deleted); sent ones must still download for both members.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as f from "../fixtures/media-files.ts";
import { eventually, person, type Person } from "./people.ts";

const baseUrl = inject("baseUrl");
const shardUrls = inject("shardUrls");
/** wrangler dev's output (tests/integration/global-setup.ts), where the sweep's log line lands. */
const WRANGLER_LOG = resolve(".data/test-wrangler.log");

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let pools: pg.Pool[] = [];

/** Runs `text` on every shard; rows concatenated (each media row lives on exactly one shard). */
async function onEveryShard<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const results = await Promise.all(pools.map((p) => p.query(text, values)));
  return results.flatMap((r) => r.rows as T[]);
}

async function mediaRows(ids: string[]) {
  return onEveryShard<{ id: string; r2_key: string; deleted_at: Date | null }>(
    "SELECT id, r2_key, deleted_at FROM media WHERE id = ANY($1::text[])",
    [ids],
  );
}

async function r2KeyOf(id: string): Promise<string> {
  const [row] = await mediaRows([id]);
  if (!row) throw new Error(`no media row ${id}`);
  return row.r2_key;
}

/** Ages media rows as if uploaded (and, when given, last claimed for a send) that long ago. */
async function age(ids: string[], uploadedHoursAgo: number, sendClaimedHoursAgo: number | null = null) {
  await onEveryShard(
    `UPDATE media SET created_at = now() - make_interval(hours => $2),
       last_send_at = CASE WHEN $3::int IS NULL THEN last_send_at ELSE now() - make_interval(hours => $3::int) END
     WHERE id = ANY($1::text[])`,
    [ids, uploadedHoursAgo, sendClaimedHoursAgo],
  );
}

/**
 * Whether the local R2 of this run holds `key`. Miniflare keeps a bucket's objects in the table
 * `_mf_objects` of a SQLite file under `<persist dir>/v3/r2/miniflare-R2BucketObject/`; several
 * runs' persist dirs (`.data/test-*`) may exist, so every bucket file is asked.
 */
function r2Has(key: string): boolean {
  const data = resolve(".data");
  for (const run of readdirSync(data).filter((d) => d.startsWith("test-"))) {
    const dir = join(data, run, "v3/r2/miniflare-R2BucketObject");
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((n) => n.endsWith(".sqlite") && n !== "metadata.sqlite")) {
      const db = new DatabaseSync(join(dir, file), { readOnly: true });
      try {
        if (db.prepare("SELECT 1 FROM _mf_objects WHERE key = ?").get(key)) return true;
      } catch {
        // a bucket file without the table yet
      } finally {
        db.close();
      }
    }
  }
  return false;
}

/** Fires the Worker's Cron Trigger as Cloudflare would (wrangler dev's local trigger endpoint). */
async function runCron(): Promise<void> {
  const res = await fetch(`${baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
  expect([res.status, await res.text()]).toEqual([200, "ok"]);
}

/** The last "media sweep" JSON line wrangler printed. */
function lastSweepLog(): Record<string, unknown> | null {
  const lines = existsSync(WRANGLER_LOG) ? readFileSync(WRANGLER_LOG, "utf8").split("\n") : [];
  const line = lines.findLast((l) => l.includes('"msg":"media sweep"'));
  return line ? (JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>) : null;
}

const download = (url: string, who: Person) =>
  fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${who.client.api.token!}` } });

let alice: Person;
let bob: Person;
let aliceBob: string;

beforeAll(async () => {
  pools = shardUrls.map((connectionString) => new pg.Pool({ connectionString, max: 2 }));
  [alice, bob] = await Promise.all([person("alice"), person("bob")]);
  aliceBob = (await alice.client.api.openDirect(bob.id)).id;
});

afterAll(async () => {
  for (const p of [alice, bob]) p?.client.close();
  await Promise.all(pools.map((p) => p.end()));
});

describe("the media sweep", () => {
  it("deletes an unsent upload a day old, bytes and row, and keeps the one that was sent", async () => {
    const sentBytes = f.jpeg(6_000, 301);
    const sent = await alice.client.api.uploadMedia(sentBytes, "image/jpeg");
    const unsent = await alice.client.api.uploadMedia(f.png(5_000, 302), "image/png");
    const message = await alice.client.api.sendMessage(aliceBob, { clientId: `sweep-${sent.id}`, mediaId: sent.id });
    // The reference reaches Postgres asynchronously (the conversation's outbox); wait for it, as a
    // day-old message's reference would long have landed.
    await eventually(async () =>
      expect(await onEveryShard("SELECT 1 FROM media_refs WHERE media_id = $1", [sent.id])).toHaveLength(1),
    );
    const sentKey = await r2KeyOf(sent.id);
    const unsentKey = await r2KeyOf(unsent.id);
    // Positive control: the R2 lookup finds both objects before anything is believed gone.
    expect([r2Has(sentKey), r2Has(unsentKey)]).toEqual([true, true]);
    expect((await download(unsent.url, alice)).status).toBe(200);

    // Both uploaded over a day ago, the sent one's send authorised as long ago: only its reference
    // can keep it.
    await age([unsent.id], 25);
    await age([sent.id], 25, 25);
    await runCron();

    expect((await download(unsent.url, alice)).status).toBe(404);
    expect(r2Has(unsentKey)).toBe(false);
    expect(await mediaRows([unsent.id])).toEqual([]);

    expect(r2Has(sentKey)).toBe(true);
    for (const member of [alice, bob]) {
      const res = await download(message.media!.url, member);
      expect(res.status).toBe(200);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(sentBytes));
    }
    // The kept media is still fully usable: it can be forwarded again.
    const again = await alice.client.api.sendMessage(aliceBob, { clientId: `again-${sent.id}`, mediaId: sent.id });
    expect(again.media?.id).toBe(sent.id);

    const log = lastSweepLog();
    expect(log).toMatchObject({ level: "info", msg: "media sweep", failedShards: 0 });
    expect(log?.marked).toBeGreaterThanOrEqual(1);
    expect(log?.rowsDeleted).toBeGreaterThanOrEqual(1);
  });

  it("sweeps an authorised send that never landed, but not one authorised moments ago, nor a fresh upload", async () => {
    const neverLanded = await alice.client.api.uploadMedia(f.gif(3_000, 303), "image/gif");
    const sendingNow = await alice.client.api.uploadMedia(f.webp(3_000, 304), "image/webp");
    const fresh = await alice.client.api.uploadMedia(f.mp4(8_000, 305), "video/mp4");
    // Old uploads: one claimed for a send a day ago whose reference never came, one claimed just now
    // (its message may be stored with the reference still on its way: it must survive).
    await age([neverLanded.id], 30, 25);
    await age([sendingNow.id], 30, 0);
    const keys = await Promise.all([neverLanded.id, sendingNow.id, fresh.id].map(r2KeyOf));
    expect(keys.map(r2Has)).toEqual([true, true, true]);

    await runCron();
    // Running again changes nothing more: the sweep is idempotent.
    await runCron();

    expect((await mediaRows([neverLanded.id, sendingNow.id, fresh.id])).map((r) => r.id).sort()).toEqual(
      [sendingNow.id, fresh.id].sort(),
    );
    expect(keys.map(r2Has)).toEqual([false, true, true]);
    expect((await download(neverLanded.url, alice)).status).toBe(404);
    expect((await download(sendingNow.url, alice)).status).toBe(200);
    expect((await download(fresh.url, alice)).status).toBe(200);
  });

  // Pictures have no media_refs row; they survive because setting one pins the media
  // (MediaStore.claimForPicture, called by requireOwnPicture in workers/lib/pictures.ts).
  it("keeps profile and group pictures, which no message references", async () => {
    const profile = await alice.client.api.uploadMedia(f.jpeg(3_000, 307), "image/jpeg");
    const groupPicture = await alice.client.api.uploadMedia(f.png(3_000, 308), "image/png");
    const me = await alice.client.api.updateMe({ pictureMediaId: profile.id });
    const group = await alice.client.api.createGroup("sweep", [bob.id]);
    const updated = await alice.client.api.updateGroup(group.id, { pictureMediaId: groupPicture.id });
    await age([profile.id, groupPicture.id], 30);

    await runCron();

    for (const url of [me.pictureUrl!, updated.pictureUrl!]) {
      expect([url, (await download(url, bob)).status]).toEqual([url, 200]);
    }
    expect((await mediaRows([profile.id, groupPicture.id])).map((r) => r.deleted_at)).toEqual([null, null]);
  });

  it("never deletes a media a send is claiming while the sweep runs", async () => {
    const media = await alice.client.api.uploadMedia(f.jpeg(4_000, 306), "image/jpeg");
    await age([media.id], 30);
    const key = await r2KeyOf(media.id);
    const found = await Promise.all(pools.map((p) => p.query("SELECT 1 FROM media WHERE id = $1", [media.id])));
    const shard = found.findIndex((r) => r.rowCount === 1);
    // A send's claim (MediaStore.claimForSend's statement), left uncommitted while the cron runs: the
    // sweep must not wait for it nor delete the row under it.
    const sender = await pools[shard]!.connect();
    try {
      await sender.query("BEGIN");
      const claimed = await sender.query(
        "UPDATE media SET last_send_at = now() WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL RETURNING id",
        [media.id, alice.id],
      );
      expect(claimed.rowCount).toBe(1);
      await runCron();
      await sender.query("COMMIT");
    } finally {
      sender.release();
    }
    // Once the claim has committed, the send it authorised holds the media off for a day.
    await runCron();
    expect(await mediaRows([media.id])).toMatchObject([{ id: media.id, deleted_at: null }]);
    expect(r2Has(key)).toBe(true);
    const message = await alice.client.api.sendMessage(aliceBob, { clientId: `race-${media.id}`, mediaId: media.id });
    expect((await download(message.media!.url, bob)).status).toBe(200);
  });
});
