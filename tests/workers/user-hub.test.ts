import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Event, ServerFrame } from "../../client/sdk/protocol/index.ts";
import { recordConversationCalls, recordHubCalls } from "./hub-calls.ts";
import { isType, openDevice, syncedDevice } from "./hub-socket.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);

async function chat(id: string, a: string, b: string) {
  const r = await conv(id).open({ id, type: "direct", creatorId: a, memberIds: [b] });
  if (!r.ok) throw new Error(r.error.message);
}

const eventsOf = (frames: ServerFrame[]): Event[] => frames.flatMap((f) => (f.type === "events" ? f.events : []));
const messageSeqs = (frames: ServerFrame[]) =>
  eventsOf(frames).flatMap((e) => (e.kind === "message" ? [e.message.seq] : []));

describe("UserHub DO", () => {
  it("replays exactly the events a device missed, in order, after hello", async () => {
    await chat("d_replay", "r_alice", "r_bob");
    for (let i = 1; i <= 30; i++) await conv("d_replay").send("r_alice", { clientId: `m${i}`, text: `m${i}` });
    await runDurableObjectAlarm(conv("d_replay"));
    const first = await openDevice("r_bob");
    first.send({ type: "hello", v: 1, deviceId: "phone", cursor: 0 });
    await first.next(isType("synced"));
    expect(messageSeqs(first.frames)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Resume from the middle: only what comes after the cursor.
    const tenth = eventsOf(first.frames).find((e) => e.kind === "message" && e.message.seq === 10)!;
    const second = await openDevice("r_bob");
    second.send({ type: "hello", v: 1, deviceId: "laptop", cursor: tenth.cursor });
    await second.next(isType("synced"));
    expect(messageSeqs(second.frames)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
  });

  it("pushes new messages live to every device of the recipient", async () => {
    await chat("d_live", "l_alice", "l_bob");
    const phone = await syncedDevice("l_bob", "phone");
    const laptop = await syncedDevice("l_bob", "laptop");
    await conv("d_live").send("l_alice", { clientId: "hi", text: "hi bob" });
    await phone.until((fs) => messageSeqs(fs).includes(1));
    await laptop.until((fs) => messageSeqs(fs).includes(1));
  });

  it("reports delivered once a device acks, and the sender sees the status change live", async () => {
    await chat("d_ack", "k_alice", "k_bob");
    const alice = await openDevice("k_alice");
    alice.send({ type: "hello", v: 1, deviceId: "a1", cursor: 0 });
    await alice.next(isType("synced"));
    const bob = await openDevice("k_bob");
    bob.send({ type: "hello", v: 1, deviceId: "b1", cursor: 0 });
    await bob.next(isType("synced"));
    alice.send({ type: "send", id: "s1", conversationId: "d_ack", clientId: "s1", text: "are you there?" });
    const sent = await alice.next(isType("sent"));
    expect(sent.message).toMatchObject({ seq: 1, senderId: "k_alice", text: "are you there?" });
    await bob.until((fs) => messageSeqs(fs).includes(1));
    const cursor = eventsOf(bob.frames).at(-1)!.cursor;
    bob.send({ type: "ack", cursor });
    await alice.until((fs) => eventsOf(fs).some((e) => e.kind === "status" && e.deliveredAll >= 1));
    bob.send({ type: "read", id: "r1", conversationId: "d_ack", upTo: 1 });
    await bob.next((f): f is Extract<ServerFrame, { type: "ok" }> => f.type === "ok" && f.id === "r1");
    await alice.until((fs) => eventsOf(fs).some((e) => e.kind === "status" && e.readAll >= 1));
  });

  it("lets a group's delivered receipt ride on the next delivery, and report alone only when none comes", async () => {
    const opened = await conv("g_ride").open({
      id: "g_ride",
      type: "group",
      creatorId: "gr_alice",
      memberIds: ["gr_bob"],
      name: "Ride",
    });
    expect(opened.ok).toBe(true);
    const calls = await recordConversationCalls("markDelivered", "g_ride");
    try {
      const bob = await openDevice("gr_bob");
      bob.send({ type: "hello", v: 1, deviceId: "b1", cursor: 0 });
      await bob.next(isType("synced"));
      const first = await conv("g_ride").send("gr_alice", { clientId: "one", text: "one" });
      expect(first.ok).toBe(true);
      const seq = first.ok ? first.value.message.seq : 0;
      await bob.until((fs) => messageSeqs(fs).includes(seq));
      bob.send({ type: "ack", cursor: eventsOf(bob.frames).at(-1)!.cursor });
      // Alice's next message within the group's wait carries bob's receipt back with its delivery.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await conv("g_ride").send("gr_alice", { clientId: "two", text: "two" });
      await bob.until((fs) => messageSeqs(fs).includes(seq + 1));
      const deliveredOne = async () => {
        const status = await conv("g_ride").messageStatus("gr_alice", seq);
        return status.ok && status.value.recipients.some((r) => r.userId === "gr_bob" && r.deliveredAt !== null);
      };
      for (let i = 0; i < 100 && !(await deliveredOne()); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await deliveredOne()).toBe(true);
      expect(calls.calls).toEqual([]);
      // With nothing more to ride on, the receipt of the second message reports by its own call.
      bob.send({ type: "ack", cursor: eventsOf(bob.frames).at(-1)!.cursor });
      for (let i = 0; i < 200 && calls.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(calls.calls).toEqual([["gr_bob", seq + 1]]);
    } finally {
      calls.restore();
    }
  });

  it("lets a read that covers an acked message settle its delivered receipt, with no call of its own", async () => {
    await chat("d_readrcpt", "rr_alice", "rr_bob");
    const calls = await recordConversationCalls("markDelivered", "d_readrcpt");
    try {
      const bob = await openDevice("rr_bob");
      bob.send({ type: "hello", v: 1, deviceId: "b1", cursor: 0 });
      await bob.next(isType("synced"));
      const sent = await conv("d_readrcpt").send("rr_alice", { clientId: "one", text: "one" });
      const seq = sent.ok ? sent.value.message.seq : 0;
      await bob.until((fs) => messageSeqs(fs).includes(seq));
      // Acked, then read at once (an open chat): the read carries delivered with it.
      bob.send({ type: "ack", cursor: eventsOf(bob.frames).at(-1)!.cursor });
      bob.send({ type: "read", id: "r1", conversationId: "d_readrcpt", upTo: seq });
      await bob.next((f): f is Extract<ServerFrame, { type: "ok" }> => f.type === "ok" && f.id === "r1");
      await new Promise((resolve) => setTimeout(resolve, 600)); // past the receipt's wait
      expect(calls.calls).toEqual([]);
      const status = await conv("d_readrcpt").messageStatus("rr_alice", seq);
      expect(status.ok && status.value.recipients).toEqual([
        { userId: "rr_bob", deliveredAt: expect.any(String), readAt: expect.any(String) },
      ]);
      // A message acked and not read still reports its receipt by its own call.
      const next = await conv("d_readrcpt").send("rr_alice", { clientId: "two", text: "two" });
      const seq2 = next.ok ? next.value.message.seq : 0;
      await bob.until((fs) => messageSeqs(fs).includes(seq2));
      bob.send({ type: "ack", cursor: eventsOf(bob.frames).at(-1)!.cursor });
      for (let i = 0; i < 100 && calls.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(calls.calls).toEqual([["rr_bob", seq2]]);
    } finally {
      calls.restore();
    }
  });

  it("logs a reader's read marker for their other devices itself: the conversation delivers none back", async () => {
    await chat("d_readmark", "rm_alice", "rm_bob");
    const phone = await syncedDevice("rm_bob", "phone");
    const laptop = await syncedDevice("rm_bob", "laptop");
    const sent = await conv("d_readmark").send("rm_alice", { clientId: "one", text: "one" });
    const seq = sent.ok ? sent.value.message.seq : 0;
    await phone.until((fs) => messageSeqs(fs).includes(seq));
    await laptop.until((fs) => messageSeqs(fs).includes(seq));
    const delivers = await recordHubCalls("deliver", "rm_bob");
    try {
      phone.send({ type: "read", id: "r1", conversationId: "d_readmark", upTo: seq });
      await phone.next((f): f is Extract<ServerFrame, { type: "ok" }> => f.type === "ok" && f.id === "r1");
      const markers = (frames: ServerFrame[]) => eventsOf(frames).filter((e) => e.kind === "read_marker");
      await laptop.until((fs) => markers(fs).length > 0);
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // past any held-back marker's wait
      expect(markers(laptop.frames)).toMatchObject([{ kind: "read_marker", conversationId: "d_readmark", upTo: seq }]);
      expect(markers(phone.frames)).toHaveLength(1);
      expect(delivers.calls.filter((user) => user === "rm_bob")).toEqual([]);
      expect(delivers.calls).toContain("rm_alice"); // her read tick still goes out
      const list = await env.USER_HUB.getByName("rm_bob").chatList();
      expect(list[0]).toMatchObject({ id: "d_readmark", unreadCount: 0 });
      const status = await conv("d_readmark").messageStatus("rm_alice", seq);
      expect(status.ok && status.value.read).toBe("all");
    } finally {
      delivers.restore();
    }
  });

  it("takes the ack a read frame carries: messages of other chats the device holds turn delivered", async () => {
    await chat("d_ackread_x", "ar_alice", "ar_bob");
    await chat("d_ackread_y", "ar_carol", "ar_bob");
    const phone = await syncedDevice("ar_bob", "phone");
    await conv("d_ackread_x").send("ar_alice", { clientId: "x1", text: "in x" });
    await conv("d_ackread_y").send("ar_carol", { clientId: "y1", text: "in y" });
    await phone.until((fs) => messageSeqs(fs).length === 2);
    const cursor = eventsOf(phone.frames).at(-1)!.cursor;
    // No `ack` frame at all: only the read of y, carrying the device's ack of both chats.
    phone.send({ type: "read", id: "r1", conversationId: "d_ackread_y", upTo: 1, ack: cursor });
    await phone.next((f): f is Extract<ServerFrame, { type: "ok" }> => f.type === "ok" && f.id === "r1");
    const deliveredInX = async () => {
      const status = await conv("d_ackread_x").messageStatus("ar_alice", 1);
      return status.ok ? status.value.delivered : null;
    };
    for (let i = 0; i < 50 && (await deliveredInX()) !== "all"; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await deliveredInX()).toBe("all");
    const inY = await conv("d_ackread_y").messageStatus("ar_carol", 1);
    expect(inY.ok && inY.value.read).toBe("all");
  });

  it("stores a read's ack with the read marker's write, not with a persist timer seconds later", async () => {
    await chat("d_ackstore", "as_alice", "as_bob");
    const phone = await syncedDevice("as_bob", "phone");
    const storedAck = () =>
      runInDurableObject(env.USER_HUB.getByName("as_bob"), (_, state) =>
        state.storage.sql.exec<{ acked: number }>("SELECT acked FROM devices WHERE device_id = 'phone'").one(),
      );
    await conv("d_ackstore").send("as_alice", { clientId: "m1", text: "one" });
    await phone.until((fs) => messageSeqs(fs).includes(1));
    phone.send({ type: "ack", cursor: eventsOf(phone.frames).at(-1)!.cursor });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // This delivery's write stores that ack (acks ride with writes at most once a second)...
    await conv("d_ackstore").send("as_alice", { clientId: "m2", text: "two" });
    await phone.until((fs) => messageSeqs(fs).includes(2));
    const cursor = eventsOf(phone.frames).at(-1)!.cursor;
    // ...and the read's, well within that second, stores the one it carries all the same.
    phone.send({ type: "read", id: "r1", conversationId: "d_ackstore", upTo: 2, ack: cursor });
    await phone.next((f): f is Extract<ServerFrame, { type: "ok" }> => f.type === "ok" && f.id === "r1");
    expect((await storedAck()).acked).toBe(cursor);
  });

  it("arms no receipt timer for an ack that owes nothing: the sender's own echo", async () => {
    await chat("d_ownack", "oa_alice", "oa_bob");
    const phone = await syncedDevice("oa_alice", "phone");
    const sent = await conv("d_ownack").send("oa_alice", { clientId: "mine", text: "mine" });
    const seq = sent.ok ? sent.value.message.seq : 0;
    await phone.until((fs) => messageSeqs(fs).includes(seq));
    phone.send({ type: "ack", cursor: eventsOf(phone.frames).at(-1)!.cursor });
    const reportArmed = () =>
      runInDurableObject(
        env.USER_HUB.getByName("oa_alice"),
        (hub) => (hub as unknown as { reportTimer: unknown }).reportTimer !== null,
      );
    const storedAck = () =>
      runInDurableObject(env.USER_HUB.getByName("oa_alice"), (hub) =>
        (hub as unknown as { store: { acked(deviceId: string): number } }).store.acked("phone"),
      );
    for (let i = 0; i < 50 && (await storedAck()) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await storedAck()).toBeGreaterThan(0);
    // Nothing is owed to anyone for one's own message: no wake-up 250 ms later to find that out.
    expect(await reportArmed()).toBe(false);
  });

  it("keeps hibernated sockets working after the object is evicted", async () => {
    await chat("d_evict", "e_alice", "e_bob");
    const bob = await openDevice("e_bob");
    bob.send({ type: "hello", v: 1, deviceId: "b1", cursor: 0 });
    await bob.next(isType("synced"));
    await evictDurableObject(env.USER_HUB.getByName("e_bob"));
    await conv("d_evict").send("e_alice", { clientId: "after", text: "after eviction" });
    await bob.until((fs) => messageSeqs(fs).includes(1));
    bob.send({ type: "ack", cursor: eventsOf(bob.frames).at(-1)!.cursor });
  });

  it("answers malformed, unknown and oversized frames with an error and keeps the socket", async () => {
    const dev = await openDevice("m_mallory");
    dev.send("not json");
    dev.send({ type: "hello", v: 1, deviceId: "m", cursor: 0 });
    await dev.next(isType("synced"));
    dev.send(JSON.stringify({ type: "launch_missiles" }));
    dev.send(
      JSON.stringify({ type: "send", id: "x", conversationId: "d_x", clientId: "x", text: "hi", senderId: "alice" }),
    );
    dev.send(
      JSON.stringify({ type: "send", id: "big", conversationId: "d_x", clientId: "big", text: "x".repeat(20_000) }),
    );
    await dev.until((fs) => fs.filter((f) => f.type === "error").length >= 4);
    const codes = dev.frames.filter(isType("error")).map((f) => f.code);
    expect(codes).toEqual(["invalid_json", "invalid_request", "invalid_request", "frame_too_large"]);
    dev.send({ type: "ping" });
    await dev.next(isType("pong"));
  });

  it("refuses a send to a conversation the user is not in, as if it did not exist", async () => {
    await chat("d_closed", "c_alice", "c_bob");
    const dev = await openDevice("c_mallory");
    dev.send({ type: "hello", v: 1, deviceId: "m", cursor: 0 });
    await dev.next(isType("synced"));
    dev.send({ type: "send", id: "s", conversationId: "d_closed", clientId: "s", text: "let me in" });
    dev.send({ type: "send", id: "t", conversationId: "d_nonexistent", clientId: "t", text: "let me in" });
    await dev.until((fs) => fs.filter((f) => f.type === "error").length >= 2);
    const [a, b] = dev.frames.filter(isType("error"));
    expect({ ...a, id: "" }).toEqual({ ...b, id: "" });
    expect(a?.code).toBe("not_found");
  });
});
