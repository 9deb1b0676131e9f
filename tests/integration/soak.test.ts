/**
 * A short soak (SOAK_SECONDS, default 20): people in direct chats and a group send continuously
 * while the harness cuts their sockets at random, makes Postgres and then Redis unreachable for a
 * while, and kills the whole dev server (SIGKILL) once.
 * Then the oracles: every acknowledged message is in the history and on every member's device
 * exactly once, in the same order for everyone, seq gap-free; the Postgres archive equals the
 * history; the status watermarks each sender saw never went backwards.
 */
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import type { Event, Message } from "../../client/sdk/protocol/index.ts";
import { eventually, fullHistory, person, range, receivedMessages, type Person } from "./people.ts";
import { restartDevServer, setDependency } from "./stack-control.ts";
import { shardIndex, shardKey } from "../../db/shards.ts";

const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 20) * 1000;

describe("soak", () => {
  it("loses, repeats and reorders nothing while sockets drop and the server is killed", async () => {
    const [alice, bob, carol, dave] = (await Promise.all(["alice", "bob", "carol", "dave"].map((n) => person(n)))) as [
      Person,
      Person,
      Person,
      Person,
    ];
    const ab = await alice.client.api.openDirect(bob.id);
    const cd = await carol.client.api.openDirect(dave.id);
    const group = await alice.client.api.createGroup("Soak", [bob.id, carol.id, dave.id]);
    const chats = [
      { id: ab.id, members: [alice, bob] },
      { id: cd.id, members: [carol, dave] },
      { id: group.id, members: [alice, bob, carol, dave] },
    ];
    const everyone = [alice, bob, carol, dave];
    for (const p of everyone) await p.connect();

    const acked = new Map<string, Message[]>(chats.map((c) => [c.id, []]));
    let faults = 0;
    const end = Date.now() + SOAK_MS;
    const lanes = chats.flatMap((chat, c) =>
      chat.members.map(async (p, lane) => {
        for (let i = 0; Date.now() < end; i++) {
          const m = await p.client.connection!.send(chat.id, { text: `${p.username} #${i}` }, `soak-${c}-${lane}-${i}`);
          acked.get(chat.id)!.push(m);
          if (postgresDown) ackedWhilePostgresDown++;
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
        }
      }),
    );
    // While Postgres is unreachable, chat must go on (the DOs serve; the archive catches up later).
    let ackedWhilePostgresDown = 0;
    let postgresDown = false;
    const chaos = (async () => {
      const start = Date.now();
      const at = (fraction: number) => start + SOAK_MS * fraction;
      const steps = [
        { when: at(0.2), run: () => setDependency("postgres", false).then(() => (postgresDown = true)) },
        { when: at(0.35), run: () => setDependency("postgres", true).then(() => (postgresDown = false)) },
        { when: at(0.5), run: () => restartDevServer({ signal: "SIGKILL" }) },
        { when: at(0.65), run: () => setDependency("redis", false) },
        { when: at(0.8), run: () => setDependency("redis", true) },
      ];
      while (Date.now() < end || steps.length > 0) {
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
        const step = steps[0];
        if (step && Date.now() >= step.when) {
          steps.shift();
          await step.run();
          faults++;
          continue;
        }
        if (Date.now() < end) {
          everyone[Math.floor(Math.random() * everyone.length)]!.client.connection?.drop();
          faults++;
        }
      }
    })();
    await Promise.all([...lanes, chaos]);

    let total = 0;
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const chat of chats) {
      const sent = acked.get(chat.id)!;
      total += sent.length;
      await eventually(() => {
        for (const p of chat.members)
          expect(receivedMessages(p, chat.id).filter((m) => !m.system).length).toBeGreaterThanOrEqual(sent.length);
      }, 60_000);
      const history = await fullHistory(alice.id === chat.members[0]!.id ? alice : chat.members[0]!, chat.id);
      const seqs = history.map((m) => m.seq);
      expect(seqs).toEqual(range(1, history.length));
      const inHistory = new Set(history.map((m) => m.clientId));
      lost += sent.filter((m) => !inHistory.has(m.clientId)).length;
      duplicated += history.length - inHistory.size;
      for (const p of chat.members) {
        const seen = receivedMessages(p, chat.id).map((m) => m.seq);
        duplicated += seen.length - new Set(seen).size;
        outOfOrder += seen.filter((s, i) => i > 0 && s <= seen[i - 1]!).length;
        expect(seen).toEqual(seqs);
      }
      // The archive catches up and equals the history.
      await eventually(async () => {
        const url = inject("shardUrls")[shardIndex(shardKey.conversation(chat.id), inject("shardUrls").length)]!;
        const client = new pg.Client(url);
        await client.connect();
        try {
          const rows = await client.query<{ seq: string; client_id: string }>(
            "SELECT seq, client_id FROM messages WHERE conversation_id = $1 ORDER BY seq",
            [chat.id],
          );
          expect(rows.rows.map((r) => `${r.seq}:${r.client_id}`)).toEqual(history.map((m) => `${m.seq}:${m.clientId}`));
        } finally {
          await client.end();
        }
      }, 30_000);
    }
    // Receipts never went backwards for any sender.
    for (const p of everyone) {
      const last = new Map<string, number[]>();
      for (const e of p.events as Event[]) {
        if (e.kind !== "status") continue;
        const now = [e.deliveredSome, e.deliveredAll, e.readSome, e.readAll];
        const before = last.get(e.conversationId);
        if (before) now.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(before[i]!));
        last.set(e.conversationId, now);
      }
    }
    console.log(
      `soak: ${total} messages (${ackedWhilePostgresDown} while Postgres was down), ${faults} faults injected, ` +
        `lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}`,
    );
    expect({ lost, duplicated, outOfOrder }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(total).toBeGreaterThan(50);
    expect(faults).toBeGreaterThan(5);
    expect(ackedWhilePostgresDown).toBeGreaterThan(0);
    for (const p of everyone) p.client.close();
  }, 240_000);
});
