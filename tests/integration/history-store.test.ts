/**
 * The message archive's upsert against the stack's real Postgres: a batch (one statement, a column
 * array per field) comes back from a history page exactly as the conversation sent it — texts with
 * quotes, braces, commas, backslashes and emoji, media and system JSON, reply quotes, tombstones,
 * timers — and an older version of a row never overwrites a newer one.
 */
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Media } from "../../client/sdk/protocol/index.ts";
import type { ShardSet } from "../../db/connection.ts";
import { HistoryStore, type ArchivedMessage } from "../../db/history-store.ts";
import * as schema from "../../db/schema.ts";

const shardUrls = inject("shardUrls");
const RUN = Math.random().toString(36).slice(2, 8);

let pool: pg.Pool;
let history: HistoryStore;

beforeAll(() => {
  // One shard holds every conversation of this test: the store's SQL is what is under test.
  pool = new pg.Pool({ connectionString: shardUrls[0], max: 2 });
  const db = drizzle({ client: pool, schema });
  history = new HistoryStore({ for: () => db } as unknown as ShardSet);
});

afterAll(async () => {
  await pool.end();
});

const picture: Media = { id: "m_1", type: "image/png", size: 120, url: "/v1/media/m_1", width: 4, height: 3 };

function row(conversationId: string, seq: number, fields: Partial<ArchivedMessage> = {}): ArchivedMessage {
  return {
    conversationId,
    seq,
    clientId: `c${seq}`,
    senderId: "u_alice",
    text: `message ${seq}`,
    media: null,
    system: null,
    sentAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)),
    deletedAt: null,
    version: 1,
    ...fields,
  };
}

describe("the message archive", () => {
  it("gives back a batch exactly as the conversation sent it", async () => {
    const id = `d_hist_${RUN}`;
    const awkward = `quotes " and ', braces {a,b}, a backslash \\ and NULL, 🙂 ünïcode`;
    await history.upsert(id, [
      row(id, 1, { senderId: "u_sys", text: null, system: { kind: "created", by: "u_alice", name: "Trip" } }),
      row(id, 2, { text: awkward }),
      row(id, 3, { text: null, media: picture, forwarded: true }),
      row(id, 4, {
        text: "yes",
        replyTo: { seq: 2, senderId: "u_alice", snippet: "quotes", mediaType: null, deleted: false },
        editedAt: "2026-01-01T12:05:00.000Z",
      }),
      row(id, 5, { text: null, deletedAt: new Date(Date.UTC(2026, 0, 1, 12, 6)) }),
      row(id, 6, { expiresAt: "2999-01-01T00:00:00.000Z" }),
    ]);
    const page = await history.page(id, { before: 100, minSeq: 1, limit: 10 });
    expect(page.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const [created, text, media, reply, deleted, timed] = page;
    expect(created).toMatchObject({ senderId: "u_sys", text: null, system: { kind: "created", name: "Trip" } });
    expect(text).toMatchObject({ text: awkward, media: null, sentAt: "2026-01-01T12:00:02.000Z", deleted: false });
    expect(media).toMatchObject({ text: null, media: picture, forwarded: true });
    expect(reply).toMatchObject({
      text: "yes",
      replyTo: { seq: 2, senderId: "u_alice", snippet: "quotes", mediaType: null, deleted: false },
      editedAt: "2026-01-01T12:05:00.000Z",
    });
    expect(deleted).toMatchObject({ deleted: true, text: null, media: null });
    expect(timed).toMatchObject({ expiresAt: "2999-01-01T00:00:00.000Z" });
    expect(text?.forwarded).toBeUndefined();
  });

  it("keeps the newest version of a row whatever order the batches land in", async () => {
    const id = `d_hist_order_${RUN}`;
    const tombstone = row(id, 1, { text: null, deletedAt: new Date(), version: 3 });
    await history.upsert(id, [tombstone, row(id, 2, { version: 1 })]);
    await history.upsert(id, [row(id, 1, { text: "the original", version: 1 }), row(id, 2, { version: 1 })]);
    await history.upsert(id, [row(id, 2, { text: "edited", editedAt: "2026-01-01T13:00:00.000Z", version: 2 })]);
    const all = await history.all(id);
    expect(all.map((m) => [m.seq, m.deleted, m.text])).toEqual([
      [1, true, null],
      [2, false, "edited"],
    ]);
  });
});
