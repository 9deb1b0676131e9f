import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  TYPING_OFFLINE_SKIP_MS,
  TypingRelay,
  type TypingHub,
} from "../../durable-objects/conversation/typing-relay.ts";
import { recordHubCalls } from "./hub-calls.ts";
import { isType, openDevice } from "./hub-socket.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);
const hub = (id: string) => env.USER_HUB.getByName(id);

async function online(userId: string) {
  const device = await openDevice(userId);
  device.send({ type: "hello", v: 1, deviceId: `${userId}-d`, cursor: 0 });
  await device.next(isType("synced"));
  return device;
}

describe("Typing relay", () => {
  it("has the hub answer whether its user has a connected device", async () => {
    expect(await hub("ty_solo").typing("c", "someone", true)).toBe(false);
    const device = await online("ty_solo");
    expect(await hub("ty_solo").typing("c", "someone", true)).toBe(true);
    device.ws.close(1000, "bye");
  });

  it("does not wake an offline member's hub for a second typing event, while an online member still gets both", async () => {
    const id = "g_typing_offline";
    const opened = await conv(id).open({
      id,
      type: "group",
      creatorId: "ty_alice",
      memberIds: ["ty_bob", "ty_carol"],
      name: "Typists",
    });
    expect(opened.ok).toBe(true);
    await runDurableObjectAlarm(conv(id));
    const bob = await online("ty_bob"); // carol has no device
    const spy = await recordHubCalls("typing", "ty_bob");
    try {
      const first = await conv(id).typing("ty_alice", true);
      const second = await conv(id).typing("ty_alice", true);
      await bob.until((fs) => fs.filter((f) => f.type === "typing").length === 2);
      expect(spy.calls.filter((u) => u === "ty_carol")).toHaveLength(1);
      expect(spy.calls.filter((u) => u === "ty_bob")).toHaveLength(2);
      expect(first).toEqual({ ok: true, value: { woken: 2, skipped: 0 } });
      expect(second).toEqual({ ok: true, value: { woken: 1, skipped: 1 } });
    } finally {
      spy.restore();
    }
    expect(bob.frames.filter(isType("typing"))[1]).toMatchObject({ conversationId: id, userId: "ty_alice" });
  });

  it("keeps waking the peer of a direct chat, whose indicator matters most right after they return", async () => {
    const id = "d_typing_offline";
    expect((await conv(id).open({ id, type: "direct", creatorId: "ty_dave", memberIds: ["ty_erin"] })).ok).toBe(true);
    expect(await conv(id).typing("ty_dave", true)).toEqual({ ok: true, value: { woken: 1, skipped: 0 } });
    expect(await conv(id).typing("ty_dave", false)).toEqual({ ok: true, value: { woken: 1, skipped: 0 } });
  });

  it("wakes a skipped member again once the window has passed, and never skips on a failed or silent hub", async () => {
    const answers: Record<string, () => Promise<boolean | void>> = {
      off: async () => false,
      on: async () => true,
      broken: async () => {
        throw new Error("hub unreachable");
      },
      old: async () => undefined, // a hub from before the answer existed
    };
    const called: string[] = [];
    const relay = new TypingRelay((userId): TypingHub => ({
      typing: () => {
        called.push(userId);
        return (answers[userId] as () => Promise<boolean | void>)();
      },
    }));
    const members = Object.keys(answers);
    const t0 = 1_000_000;
    expect(await relay.relay("g", "me", true, members, true, t0)).toEqual({ woken: 4, skipped: 0 });
    expect(await relay.relay("g", "me", true, members, true, t0 + 3_000)).toEqual({ woken: 3, skipped: 1 });
    expect(called.filter((u) => u === "off")).toHaveLength(1);
    expect(await relay.relay("g", "me", true, members, true, t0 + TYPING_OFFLINE_SKIP_MS)).toEqual({
      woken: 4,
      skipped: 0,
    });
    expect(called.filter((u) => u === "off")).toHaveLength(2);
  });
});
