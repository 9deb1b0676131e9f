/**
 * The profile version (users.updated_at) must grow in the order writes land on the row: profile
 * events carry it and every hub keeps the highest, so if the last write carried an older stamp,
 * contacts would keep a name Postgres no longer has. The race is made deterministic here: another
 * transaction holds bob's row lock, bob's `PATCH /v1/me` starts and waits for it, the holder then
 * stamps the row *later* than the PATCH started and commits, and only then does the PATCH write.
 */
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { shardIndex, shardKey } from "../../db/shards.ts";
import { eventually, person } from "./people.ts";

const shardUrls = inject("shardUrls");
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

function shardPool(userId: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: shardUrls[shardIndex(shardKey.user(userId), shardUrls.length)],
    max: 2,
  });
  pools.push(pool);
  return pool;
}

describe("profile version", () => {
  it("is higher for the write that lands last, even when it started first", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    // A direct chat reaches bob (whose profile events go to his chats) with its first message.
    await alice.client.api.sendMessage(chat.id, { clientId: "hello", text: "hello" });
    const db = shardPool(bob.id);
    const holder = await db.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [bob.id]);
      // Bob's PATCH starts now and blocks on the row lock.
      const patch = bob.client.api.updateMe({ displayName: "Landed last" });
      await eventually(async () => {
        const waiting = await db.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'update \"users\"%'",
        );
        expect(waiting.rows[0].n).toBeGreaterThan(0);
      });
      // The holder's write lands first but is stamped after the PATCH began.
      await holder.query(
        "UPDATE users SET display_name = 'Landed first', updated_at = clock_timestamp() WHERE id = $1",
        [bob.id],
      );
      // In µs, as text: the versions differ by less than a millisecond when the fix works.
      const micros = "(extract(epoch from updated_at) * 1000000)::bigint::text AS v";
      const { rows } = await holder.query(`SELECT ${micros} FROM users WHERE id = $1`, [bob.id]);
      const holderVersion = BigInt(rows[0].v as string);
      await holder.query("COMMIT");
      expect((await patch).displayName).toBe("Landed last");

      const after = await db.query(`SELECT display_name, ${micros} FROM users WHERE id = $1`, [bob.id]);
      expect(after.rows[0].display_name).toBe("Landed last");
      expect(BigInt(after.rows[0].v as string) > holderVersion).toBe(true);
      // Alice's hub ends on what Postgres has, and stays there.
      await eventually(async () => {
        const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
        expect(row?.peer?.displayName).toBe("Landed last");
      });
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      holder.release();
    }
  });
});
