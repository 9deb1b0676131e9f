/**
 * A user's chat list state in the UserHub DO, in workerd (durable-objects/user-hub/chat-state.ts):
 * a change is stored with the chat row and logged, so a device that was away replays it and one
 * that is live gets it at once; the conversation's next message brings an archived chat back.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, type ServerFrame } from "../../client/sdk/protocol/index.ts";
import { openDevice } from "./hub-socket.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);
const hub = (userId: string) => env.USER_HUB.getByName(userId);

type EventsFrame = Extract<ServerFrame, { type: "events" }>;
const chatStates = (frames: ServerFrame[]) =>
  frames.flatMap((f) => (f.type === "events" ? (f as EventsFrame).events : [])).filter((e) => e.kind === "chat_state");

async function listState(userId: string, conversationId: string) {
  return (await hub(userId).chatList()).find((c) => c.id === conversationId)?.listState;
}

describe("chat list state (UserHub)", () => {
  it("replays a change to a device that was away and pushes the next one to it live", async () => {
    const opened = await conv("g_cs1").open({
      id: "g_cs1",
      type: "group",
      creatorId: "cs_alice",
      memberIds: ["cs_bob"],
      name: "Team",
    });
    expect(opened.ok).toBe(true);
    await runDurableObjectAlarm(conv("g_cs1"));
    await expect.poll(() => listState("cs_alice", "g_cs1")).toMatchObject({ archived: false });
    expect(await hub("cs_alice").changeChatState("g_cs1", { pinned: true })).toMatchObject({ ok: true });

    const device = await openDevice("cs_alice");
    device.send({ type: "hello", v: PROTOCOL_VERSION, deviceId: "phone", cursor: 0 });
    await device.until((fs) => fs.some((f) => f.type === "synced"));
    expect(chatStates(device.frames)).toEqual([
      expect.objectContaining({
        conversationId: "g_cs1",
        state: expect.objectContaining({ pinnedAt: expect.any(String) }),
      }),
    ]);

    expect(await hub("cs_alice").changeChatState("g_cs1", { archived: true })).toMatchObject({
      ok: true,
      value: { archived: true, pinnedAt: null },
    });
    await device.until((fs) => chatStates(fs).length === 2);
    expect(chatStates(device.frames)[1]).toMatchObject({ state: { archived: true, pinnedAt: null } });
    device.ws.close();
  });

  it("brings an archived chat back with the conversation's next message", async () => {
    await conv("g_cs2").open({ id: "g_cs2", type: "group", creatorId: "cs2_alice", memberIds: ["cs2_bob"], name: "T" });
    await runDurableObjectAlarm(conv("g_cs2"));
    await expect.poll(() => listState("cs2_alice", "g_cs2")).toBeDefined();
    await hub("cs2_alice").changeChatState("g_cs2", { archived: true });
    expect(await listState("cs2_alice", "g_cs2")).toMatchObject({ archived: true });
    const sent = await conv("g_cs2").send("cs2_bob", { clientId: "c1", text: "hello" });
    expect(sent.ok).toBe(true);
    await runDurableObjectAlarm(conv("g_cs2"));
    await expect.poll(() => listState("cs2_alice", "g_cs2")).toMatchObject({ archived: false });
  });
});
