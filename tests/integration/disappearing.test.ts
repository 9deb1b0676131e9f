/**
 * Disappearing messages against the running stack (wrangler dev, Postgres shards, Redis; hot window
 * 20; DISAPPEARING_TEST_SECONDS=15, so a message sent while a chat's timer is on lasts 15 s). A
 * message whose time came is gone from the Postgres archive, from history pages and from the other
 * member's device (an event), and its picture's bytes leave R2 unless another message still carries it.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as f from "../fixtures/media-files.ts";
import { eventually, fullHistory, person, type Person } from "./people.ts";

const baseUrl = inject("baseUrl");
const shardUrls = inject("shardUrls");
const DAY = 86_400;
let pools: pg.Pool[] = [];

beforeAll(() => {
  pools = shardUrls.map((connectionString) => new pg.Pool({ connectionString, max: 2 }));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** Runs `text` on every shard; rows concatenated (each row lives on exactly one shard). */
async function onEveryShard<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const results = await Promise.all(pools.map((p) => p.query(text, values)));
  return results.flatMap((r) => r.rows as T[]);
}

const archivedSeqs = async (conversationId: string) =>
  (
    await onEveryShard<{ seq: string; expires_at: Date | null }>(
      "SELECT seq, expires_at FROM messages WHERE conversation_id = $1 ORDER BY seq",
      [conversationId],
    )
  ).map((r) => ({ seq: Number(r.seq), expiring: r.expires_at !== null }));

async function r2KeyOf(id: string): Promise<string> {
  const [row] = await onEveryShard<{ r2_key: string }>("SELECT r2_key FROM media WHERE id = $1", [id]);
  if (!row) throw new Error(`no media row ${id}`);
  return row.r2_key;
}

/** Whether the local R2 of this run holds `key` (miniflare's bucket SQLite files; see media-sweep.test.ts). */
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

const download = (url: string, who: Person) =>
  fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${who.client.api.token!}` } });

describe("disappearing messages", () => {
  it("removes a message everywhere when its time comes: archive, history, devices, unreferenced bytes", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await bob.connect();
    const only = await alice.client.api.uploadMedia(f.png(2_000, 11), "image/png");
    const shared = await alice.client.api.uploadMedia(f.png(2_000, 12), "image/png");

    expect((await bob.client.api.setDisappearing(chat.id, DAY)).disappearingSeconds).toBe(DAY);
    const gone = await alice.client.api.sendMessage(chat.id, { clientId: "g", text: "self-destructs" });
    const goneOnly = await alice.client.api.sendMessage(chat.id, { clientId: "p1", mediaId: only.id });
    const goneShared = await alice.client.api.sendMessage(chat.id, { clientId: "p2", mediaId: shared.id });
    expect(gone.expiresAt).toBeTruthy();
    expect((await alice.client.api.setDisappearing(chat.id, 0)).disappearingSeconds).toBeUndefined();
    const kept = await alice.client.api.sendMessage(chat.id, { clientId: "k", mediaId: shared.id });
    expect(kept.expiresAt ?? null).toBeNull();
    // Past the hot window (20): the disappearing ones reach Postgres, with their deadline, first.
    for (let i = 0; i < 22; i++) await alice.client.api.sendMessage(chat.id, { clientId: `f${i}`, text: `f${i}` });
    const doomed = [gone.seq, goneOnly.seq, goneShared.seq];
    await eventually(async () => {
      const rows = await archivedSeqs(chat.id);
      expect(rows.filter((r) => doomed.includes(r.seq))).toEqual(doomed.map((seq) => ({ seq, expiring: true })));
    }, 14_000);
    const onlyKey = await r2KeyOf(only.id);
    expect(r2Has(onlyKey)).toBe(true); // positive control for the R2 lookup

    // Their time comes: the archive rows go, pages skip them, bob's device is told.
    await eventually(async () => {
      const seqs = (await archivedSeqs(chat.id)).map((r) => r.seq);
      expect(seqs.filter((s) => doomed.includes(s))).toEqual([]);
      expect(seqs).toContain(kept.seq);
    }, 40_000);
    const history = await fullHistory(bob, chat.id);
    expect(history.map((m) => m.seq).filter((s) => doomed.includes(s))).toEqual([]);
    expect(history.map((m) => m.seq)).toContain(kept.seq);
    expect(history.some((m) => m.system?.kind === "disappearing_changed")).toBe(true);
    await eventually(() => {
      const told = bob.events.flatMap((e) => (e.kind === "messages_expired" ? e.seqs : []));
      expect(told.sort((a, b) => a - b)).toEqual(doomed);
    });

    // The picture only the vanished message carried is freed; the one another message carries stays.
    await eventually(async () => {
      expect((await download(goneOnly.media!.url, bob)).status).toBe(404);
      expect(r2Has(onlyKey)).toBe(false);
    });
    const stays = await download(kept.media!.url, bob);
    expect(stays.status).toBe(200);
    expect(r2Has(await r2KeyOf(shared.id))).toBe(true);
    bob.client.close();
  }, 90_000);

  it("lets a direct chat's members and a group's admins set the timer, and refuses anything else", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const direct = await alice.client.api.openDirect(bob.id);
    await expect(carol.client.api.setDisappearing(direct.id, DAY)).rejects.toMatchObject({ status: 404 });
    await expect(alice.client.api.setDisappearing(direct.id, 3_600)).rejects.toMatchObject({
      status: 400,
      code: "invalid_request",
    });
    const group = await alice.client.api.createGroup("Timers", [bob.id]);
    await expect(bob.client.api.setDisappearing(group.id, DAY)).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
    expect((await alice.client.api.setDisappearing(group.id, 7 * DAY)).disappearingSeconds).toBe(7 * DAY);
    const last = (await bob.client.api.history(group.id)).at(-1);
    expect(last?.system).toEqual({ kind: "disappearing_changed", by: alice.id, seconds: 7 * DAY });
  });
});
