/**
 * Resource caps on a user's hub: sockets and devices per user (the oldest goes, with the documented
 * close code), and typing indicators relayed at most once per interval per conversation.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  CLOSE_CODES,
  MAX_DEVICES_PER_USER,
  MAX_SOCKETS_PER_USER,
  TYPING_RELAY_INTERVAL_MS,
  type ServerFrame,
} from "../../client/sdk/protocol/index.ts";
import { isType, openDevice, type TestDevice } from "./hub-socket.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);

function closedWith(device: TestDevice): Promise<number> {
  return new Promise((resolve) => device.ws.addEventListener("close", (e) => resolve(e.code)));
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe("caps per user", () => {
  it(`keeps at most ${MAX_SOCKETS_PER_USER} sockets: the oldest closes with 'replaced', and a message reaches each open one once`, async () => {
    await conv("d_caps").open({ id: "d_caps", type: "direct", creatorId: "cap_alice", memberIds: ["cap_bob"] });
    const devices: TestDevice[] = [];
    const closes: Array<Promise<number>> = [];
    for (let i = 0; i < MAX_SOCKETS_PER_USER + 5; i++) {
      const d = await openDevice("cap_bob");
      closes.push(closedWith(d));
      d.send({ type: "hello", v: 1, deviceId: `bob-${i % 3}`, cursor: 0 });
      devices.push(d);
    }
    const codes = await Promise.all(closes.slice(0, 5));
    expect(codes).toEqual(Array(5).fill(CLOSE_CODES.replaced));
    const open = devices.slice(5);
    await Promise.all(open.map((d) => d.next(isType("synced"))));
    expect((await env.USER_HUB.getByName("cap_bob").stats()).sockets).toBe(MAX_SOCKETS_PER_USER);
    const sent = await conv("d_caps").send("cap_alice", { clientId: "c1", text: "hi bob" });
    expect(sent.ok).toBe(true);
    await runDurableObjectAlarm(conv("d_caps"));
    const hasHi = (fs: ServerFrame[]) =>
      fs.filter((f) => f.type === "events" && f.events.some((e) => e.kind === "message" && e.message.text === "hi bob"))
        .length;
    await Promise.all(open.map((d) => d.until((fs) => hasHi(fs) === 1)));
    for (const d of devices.slice(0, 5)) expect(hasHi(d.frames)).toBe(0);
    for (const d of open) d.ws.close(1000, "bye");
  });

  it(`keeps at most ${MAX_DEVICES_PER_USER} devices: the oldest device's socket closes`, async () => {
    const devices: TestDevice[] = [];
    const closes: Array<Promise<number>> = [];
    for (let i = 0; i < MAX_DEVICES_PER_USER + 1; i++) {
      const d = await openDevice("cap_carol");
      closes.push(closedWith(d));
      d.send({ type: "hello", v: 1, deviceId: `carol-${i}`, cursor: 0 });
      await d.next(isType("synced"));
      devices.push(d);
    }
    expect(await closes[0]).toBe(CLOSE_CODES.replaced);
    await settle();
    expect((await env.USER_HUB.getByName("cap_carol").stats()).sockets).toBe(MAX_DEVICES_PER_USER);
    for (const d of devices.slice(1)) d.ws.close(1000, "bye");
  });
});

describe("typing relay throttle", () => {
  it("relays a burst of 1,000 typing frames as one 'typing' per interval, and 'stopped' at once", async () => {
    await conv("d_typing_flood").open({
      id: "d_typing_flood",
      type: "direct",
      creatorId: "tf_alice",
      memberIds: ["tf_bob"],
    });
    const bob = await openDevice("tf_bob");
    bob.send({ type: "hello", v: 1, deviceId: "bob", cursor: 0 });
    await bob.next(isType("synced"));
    const alice = await openDevice("tf_alice");
    alice.send({ type: "hello", v: 1, deviceId: "alice", cursor: 0 });
    await alice.next(isType("synced"));
    const started = Date.now();
    for (let i = 0; i < 1_000; i++) alice.send({ type: "typing", conversationId: "d_typing_flood", typing: true });
    alice.send({ type: "typing", conversationId: "d_typing_flood", typing: false });
    const typingFrames = () => bob.frames.filter((f) => f.type === "typing");
    await bob.until((fs) => fs.some((f) => f.type === "typing" && !f.typing));
    const elapsed = Date.now() - started;
    await settle();
    const states = typingFrames().map((f) => f.type === "typing" && f.typing);
    expect(states.at(-1)).toBe(false);
    const relayed = states.filter(Boolean).length;
    expect(relayed).toBeGreaterThanOrEqual(1);
    expect(relayed).toBeLessThanOrEqual(1 + Math.floor(elapsed / TYPING_RELAY_INTERVAL_MS));
    alice.ws.close(1000, "bye");
    bob.ws.close(1000, "bye");
  });
});
