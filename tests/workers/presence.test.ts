import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../client/sdk/protocol/index.ts";
import { isType, openDevice, syncedDevice } from "./hub-socket.ts";

const hub = (id: string) => env.USER_HUB.getByName(id);

async function chat(id: string, a: string, b: string) {
  const r = await env.CONVERSATION.getByName(id).open({ id, type: "direct", creatorId: a, memberIds: [b] });
  if (!r.ok) throw new Error(r.error.message);
  // Contacts are chats both have: a direct chat reaches the peer with its first message.
  const first = await env.CONVERSATION.getByName(id).send(a, { clientId: "first", text: "hi" });
  if (!first.ok) throw new Error(first.error.message);
  await runDurableObjectAlarm(env.CONVERSATION.getByName(id));
}

const presenceOf =
  (userId: string) =>
  (f: ServerFrame): f is Extract<ServerFrame, { type: "presence" }> =>
    f.type === "presence" && f.presence.userId === userId;

describe("Presence and typing", () => {
  it("shows bob online to alice while a device is connected, then last seen after the grace", async () => {
    await chat("d_presence", "p_alice", "p_bob");
    const alice = await openDevice("p_alice");
    alice.send({ type: "hello", v: 1, deviceId: "a", cursor: 0 });
    await alice.next(isType("synced"));
    const bob = await openDevice("p_bob");
    bob.send({ type: "hello", v: 1, deviceId: "b", cursor: 0 });
    await bob.next(isType("synced"));
    expect(await hub("p_bob").presence()).toMatchObject({ online: true });
    await alice.until((fs) => fs.some((f) => presenceOf("p_bob")(f) && f.presence.online));

    bob.ws.close(1000, "bye");
    await new Promise((r) => setTimeout(r, 100));
    // Still online during the grace period: a quick reconnect must not flap.
    await runDurableObjectAlarm(hub("p_bob"));
    expect(await hub("p_bob").presence()).toMatchObject({ online: true });
    // Pretend the grace has passed: rewrite the stored start of it, then let the hub wake with it
    // (it keeps its settings in memory while awake).
    await runInDurableObject(hub("p_bob"), (_, state) => {
      state.storage.sql.exec("UPDATE settings SET value = ? WHERE key = 'offline_since'", String(Date.now() - 60_000));
    });
    await evictDurableObject(hub("p_bob"));
    await runDurableObjectAlarm(hub("p_bob"));
    const record = await hub("p_bob").presence();
    expect(record.online).toBe(false);
    expect(record.lastSeenAt).toBeGreaterThan(Date.now() - 120_000);
    await alice.until((fs) =>
      fs.some((f) => presenceOf("p_bob")(f) && !f.presence.online && f.presence.lastSeenAt !== null),
    );
  });

  it("never shows a user who chose nobody as online", async () => {
    await chat("d_private_presence", "n_alice", "n_bob");
    await hub("n_bob").setPresenceVisibility("nobody");
    const alice = await openDevice("n_alice");
    alice.send({ type: "hello", v: 1, deviceId: "a", cursor: 0 });
    await alice.next(isType("synced"));
    const bob = await openDevice("n_bob");
    bob.send({ type: "hello", v: 1, deviceId: "b", cursor: 0 });
    await bob.next(isType("synced"));
    await new Promise((r) => setTimeout(r, 200));
    expect(
      alice.frames.filter(presenceOf("n_bob")).every((f) => !f.presence.online && f.presence.lastSeenAt === null),
    ).toBe(true);
  });

  it("relays typing to the other member's devices only, without storing it", async () => {
    await chat("d_typing", "t_alice", "t_bob");
    const alice = await syncedDevice("t_alice", "a");
    const bob = await syncedDevice("t_bob", "b");
    const headBefore = (await hub("t_bob").stats()).head;
    alice.send({ type: "typing", conversationId: "d_typing", typing: true });
    const typing = await bob.next(isType("typing"));
    expect(typing).toMatchObject({ conversationId: "d_typing", userId: "t_alice", typing: true });
    expect(alice.frames.some((f) => f.type === "typing")).toBe(false);
    expect((await hub("t_bob").stats()).head).toBe(headBefore);
  });
});
