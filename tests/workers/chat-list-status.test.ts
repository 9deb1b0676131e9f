/**
 * The chat list carries the receipt watermarks of the user's own messages (durable-objects/user-hub/
 * chat-list.ts, from the `status` events the hub receives), so a fresh device has its ticks at once.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventBody } from "../../client/sdk/protocol/index.ts";
import { LAZY_DELAY_MS } from "../../durable-objects/conversation/fanout.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);
const hub = (userId: string) => env.USER_HUB.getByName(userId);

async function open(id: string, type: "direct" | "group", creatorId: string, memberIds: string[]) {
  const r = await conv(id).open({ id, type, creatorId, memberIds, ...(type === "group" ? { name: "Team" } : {}) });
  if (!r.ok) throw new Error(r.error.message);
}

async function send(conversationId: string, from: string, text: string): Promise<number> {
  const r = await conv(conversationId).send(from, { clientId: text, text });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.message.seq;
}

async function statusIn(userId: string, conversationId: string) {
  // A sender's ticks may wait a moment to ride with other events (conversation/fanout.ts).
  await new Promise((resolve) => setTimeout(resolve, LAZY_DELAY_MS + 50));
  await runDurableObjectAlarm(conv(conversationId)); // finish the fan-out of what happened so far
  return (await hub(userId).chatList()).find((c) => c.id === conversationId)?.status;
}

describe("chat list receipt watermarks (UserHub)", () => {
  it("follows delivered and read in a direct chat", async () => {
    await open("d_ws", "direct", "ws_alice", ["ws_bob"]);
    await send("d_ws", "ws_alice", "one");
    const two = await send("d_ws", "ws_alice", "two");
    expect(await statusIn("ws_alice", "d_ws")).toEqual({ deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 });
    expect((await conv("d_ws").markDelivered("ws_bob", two)).ok).toBe(true);
    expect(await statusIn("ws_alice", "d_ws")).toEqual({
      deliveredSome: two,
      deliveredAll: two,
      readSome: 0,
      readAll: 0,
    });
    expect((await conv("d_ws").markRead("ws_bob", two - 1)).ok).toBe(true);
    expect(await statusIn("ws_alice", "d_ws")).toEqual({
      deliveredSome: two,
      deliveredAll: two,
      readSome: two - 1,
      readAll: two - 1,
    });
    // Bob's own list is about bob's messages: he sent none, so nothing moved for him.
    expect(await statusIn("ws_bob", "d_ws")).toEqual({ deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 });
  });

  it("keeps some and all apart in a group, and never goes back", async () => {
    await open("g_ws", "group", "wg_alice", ["wg_bob", "wg_carol"]);
    const seq = await send("g_ws", "wg_alice", "hello team");
    expect((await conv("g_ws").markRead("wg_bob", seq)).ok).toBe(true);
    expect(await statusIn("wg_alice", "g_ws")).toEqual({
      deliveredSome: seq,
      deliveredAll: 0,
      readSome: seq,
      readAll: 0,
    });
    expect((await conv("g_ws").markRead("wg_carol", seq)).ok).toBe(true);
    expect(await statusIn("wg_alice", "g_ws")).toEqual({
      deliveredSome: seq,
      deliveredAll: seq,
      readSome: seq,
      readAll: seq,
    });
    // A late or repeated status event (a redelivery) cannot lower the watermarks.
    await hub("wg_alice").deliver("g_ws", [
      {
        ev: 1_000_000,
        json: JSON.stringify({
          kind: "status",
          conversationId: "g_ws",
          deliveredSome: 0,
          deliveredAll: 0,
          readSome: 0,
          readAll: 0,
        } satisfies EventBody),
      },
    ]);
    expect((await hub("wg_alice").chatList()).find((c) => c.id === "g_ws")?.status?.readAll).toBe(seq);
  });
});
