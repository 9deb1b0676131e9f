/**
 * The archive queue cannot wedge on one bad row: a message Postgres refuses for good (a NUL in its
 * text, SQLSTATE 22021) is split out of its batch and set aside as a dead letter, and every other
 * message still lands; a transient failure (Postgres down) keeps the whole batch for a retry.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { archivePass, type ArchiveTarget } from "../../../durable-objects/conversation/archiver.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import type { ArchivedMessage } from "../../../db/history-store.ts";
import { ok } from "../../../lib/result.ts";
import { isRefusedByDatabase } from "../../../lib/transient.ts";
import { conversationObject } from "./conversation-object.ts";

const POISON = "a row Postgres refuses";

/** What Postgres answers for a NUL in a text column (checked against a real server below). */
function refusal(): Error {
  return Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
}

/**
 * An archive that refuses, atomically like one multi-row upsert, any batch holding the poisoned row
 * (marked by its text here: the test's SQLite is not where the NUL would be refused).
 */
function strictArchive(): ArchiveTarget & { stored: Map<number, ArchivedMessage> } {
  const stored = new Map<number, ArchivedMessage>();
  return {
    configured: true,
    stored,
    async upsert(_conversationId, rows) {
      if (rows.some((r) => r.text === POISON)) throw refusal();
      for (const r of rows) stored.set(r.seq, r);
    },
  };
}

function conversationWith(texts: string[]) {
  const { store, ctx } = conversationObject();
  messages.open(ctx, { id: "d_archive", type: "direct", creatorId: "alice", memberIds: ["bob"] }, () => {});
  texts.forEach((text, i) => messages.send(ctx, "alice", { clientId: `c${i}`, text }, () => ok(null)));
  return store;
}

describe("the archive queue", () => {
  it("sets a poisoned row aside and archives every other one", async () => {
    const texts = Array.from({ length: 50 }, (_, i) => (i === 17 ? POISON : `message ${i}`));
    const store = conversationWith(texts);
    const archive = strictArchive();
    const counted: string[] = [];
    await archivePass(store, archive, 1000, (queue) => counted.push(queue));
    expect(counted).toEqual(["archive"]);
    expect([...archive.stored.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1).filter((seq) => seq !== 18),
    );
    expect(store.deadLetterCount()).toBe(1);
    expect(store.archiveBatch(10)).toEqual([]); // the queue moved on
  });

  it("keeps the whole batch for a retry when the archive is down", async () => {
    const store = conversationWith(["one", "two"]);
    const down: ArchiveTarget = {
      configured: true,
      upsert: async () => {
        throw new Error("fetch failed");
      },
    };
    await expect(archivePass(store, down, 1000)).rejects.toThrow("fetch failed");
    expect(store.archiveBatch(10)).toHaveLength(2);
    expect(store.deadLetterCount()).toBe(0);
  });

  it.skipIf(!process.env.DATABASE_URL)("classifies Postgres's own answer to a NUL as a refusal", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const error = await client.query("SELECT $1::text", ["a\u0000b"]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isRefusedByDatabase(error)).toBe(true);
      const down = Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
      expect(isRefusedByDatabase(down)).toBe(false);
    } finally {
      await client.end();
    }
  });
});
