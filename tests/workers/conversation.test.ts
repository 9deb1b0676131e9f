import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Message } from "../../client/sdk/protocol/index.ts";
import { ConversationDO } from "../../durable-objects/conversation/ConversationDO.ts";
import { LAZY_DELAY_MS } from "../../durable-objects/conversation/fanout.ts";
import { recordHubCalls } from "./hub-calls.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);

async function openDirect(id: string, a: string, b: string) {
  const r = await conv(id).open({ id, type: "direct", creatorId: a, memberIds: [b] });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function send(id: string, userId: string, clientId: string, text: string): Promise<Message> {
  const r = await conv(id).send(userId, { clientId, text });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value.message;
}

/** How long until the conversation's alarm rings, in ms (Infinity: none set). */
async function alarmIn(id: string): Promise<number> {
  const at = await runInDurableObject(conv(id), (_, state) => state.storage.getAlarm());
  return (at ?? Infinity) - Date.now();
}

/**
 * Rings the conversation's alarm now, whenever it was set for, once the sender's held-back echo has
 * gone (until then the fan-out keeps its safety net); how long until the alarm it leaves.
 */
async function ringNow(id: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, LAZY_DELAY_MS + 100));
  await runDurableObjectAlarm(conv(id));
  return alarmIn(id);
}

describe("Conversation DO", () => {
  it("opens the same direct chat twice without creating it again", async () => {
    const first = await openDirect("d_twice", "alice", "bob");
    const again = await conv("d_twice").open({ id: "d_twice", type: "direct", creatorId: "bob", memberIds: ["alice"] });
    expect(again.ok && again.value.created).toBe(false);
    expect(first.conversation.members.map((m) => m.userId).sort()).toEqual(["alice", "bob"]);
  });

  it("acks a retried send with the original seq and stores it once", async () => {
    await openDirect("d_retry", "alice", "bob");
    const a = await send("d_retry", "alice", "c1", "hello");
    const retry = await conv("d_retry").send("alice", { clientId: "c1", text: "hello" });
    expect(retry.ok && retry.value).toMatchObject({ duplicate: true, message: { seq: a.seq, clientId: "c1" } });
    const page = await conv("d_retry").history("bob", { limit: 50 });
    expect(page.ok && page.value.messages.map((m) => m.seq)).toEqual([1]);
  });

  it("gives two concurrent senders one gap-free order", async () => {
    await openDirect("d_race", "alice", "bob");
    const sends = [];
    for (let i = 0; i < 100; i++) {
      sends.push(send("d_race", "alice", `a${i}`, `a${i}`), send("d_race", "bob", `b${i}`, `b${i}`));
    }
    const acked = await Promise.all(sends);
    expect(acked.map((m) => m.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const page = await conv("d_race").history("alice", { limit: 100 });
    expect(page.ok && page.value.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 101));
  });

  it("answers mallory, a non-member, exactly as for a conversation that does not exist", async () => {
    await openDirect("d_private", "alice", "bob");
    const asMallory = await conv("d_private").send("mallory", { clientId: "x", text: "hi" });
    const missing = await conv("d_nothing_here").send("mallory", { clientId: "x", text: "hi" });
    expect(asMallory).toEqual(missing);
    expect(await conv("d_private").history("mallory", { limit: 10 })).toEqual(
      await conv("d_nothing_here").history("mallory", { limit: 10 }),
    );
    expect(await conv("d_private").describe("mallory")).toEqual(await conv("d_nothing_here").describe("mallory"));
  });

  it("refuses text over 700 bytes and stores nothing", async () => {
    await openDirect("d_big", "alice", "bob");
    const r = await conv("d_big").send("alice", { clientId: "big", text: "é".repeat(351) });
    expect(r).toMatchObject({ ok: false, error: { code: "message_too_large" } });
    const ok = await conv("d_big").send("alice", { clientId: "fits", text: "é".repeat(350) });
    expect(ok.ok && ok.value.message.seq).toBe(1);
  });

  it("keeps a deleted-for-everyone message as a tombstone at its seq", async () => {
    await openDirect("d_del", "alice", "bob");
    await send("d_del", "alice", "m1", "oops");
    await send("d_del", "bob", "m2", "ok");
    expect(await conv("d_del").deleteMessage("bob", 1, "everyone")).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    expect((await conv("d_del").deleteMessage("alice", 1, "everyone")).ok).toBe(true);
    const page = await conv("d_del").history("bob", { limit: 10 });
    expect(page.ok && page.value.messages[0]).toMatchObject({ seq: 1, deleted: true, text: null });
  });

  it("hides a message deleted for me from my history only", async () => {
    await openDirect("d_hide", "alice", "bob");
    await send("d_hide", "alice", "m1", "one");
    await send("d_hide", "alice", "m2", "two");
    expect((await conv("d_hide").deleteMessage("bob", 1, "me")).ok).toBe(true);
    const bob = await conv("d_hide").history("bob", { limit: 10 });
    const alice = await conv("d_hide").history("alice", { limit: 10 });
    expect(bob.ok && bob.value.messages.map((m) => m.seq)).toEqual([2]);
    expect(alice.ok && alice.value.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it("keeps receipts monotonic: stale and future values are ignored, read lifts delivered", async () => {
    await openDirect("d_rcpt", "alice", "bob");
    for (let i = 1; i <= 3; i++) await send("d_rcpt", "alice", `m${i}`, `m${i}`);
    await conv("d_rcpt").markRead("bob", 2);
    await conv("d_rcpt").markDelivered("bob", 1); // stale
    await conv("d_rcpt").markRead("bob", 99); // future: capped at the last seq
    const s2 = await conv("d_rcpt").messageStatus("alice", 2);
    const s3 = await conv("d_rcpt").messageStatus("alice", 3);
    expect(s2.ok && s2.value).toMatchObject({ delivered: "all", read: "all" });
    expect(s3.ok && s3.value).toMatchObject({ delivered: "all", read: "all" });
    expect(s2.ok && s2.value.recipients[0]?.readAt).not.toBeNull();
    expect(await conv("d_rcpt").messageStatus("bob", 2)).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });

  it("archives a quiet chat about every 2 minutes, one batch for several messages, and a busy one every 2 s", async () => {
    await openDirect("d_pace", "alice", "bob");
    await send("d_pace", "alice", "p0", "first");
    // The alarm a write arms is the fan-out's safety net; rung, it leaves the archive's own time.
    expect(await alarmIn("d_pace")).toBeLessThanOrEqual(30_500);
    expect(await ringNow("d_pace")).toBeGreaterThan(115_000);
    await send("d_pace", "alice", "p1", "quiet");
    const withP0 = await ringNow("d_pace"); // p1 goes with p0, two minutes after p0
    expect(withP0).toBeGreaterThan(110_000);
    expect(withP0).toBeLessThanOrEqual(120_500);
    // Twenty messages waiting: a busy chat, archived within 2 s.
    for (let i = 2; i <= 20; i++) await send("d_pace", i % 2 ? "alice" : "bob", `p${i}`, "busy");
    expect(await alarmIn("d_pace")).toBeLessThanOrEqual(2_500);
  });

  it("keeps the quiet pace across a wake: the wait counts from the oldest message not yet archived", async () => {
    await openDirect("d_woken", "alice", "bob");
    await send("d_woken", "alice", "w0", "waits");
    // The runtime evicts a quiet chat between messages; the next one meets a freshly built object.
    const alarms = await runInDurableObject(conv("d_woken"), async (_, state) => {
      const woken = new ConversationDO(state, env);
      await new Promise((resolve) => setTimeout(resolve, 10)); // its constructor's load
      const r = await woken.send("bob", { clientId: "w1", text: "after the wake" });
      expect(r).toMatchObject({ ok: true });
      const afterSend = ((await state.storage.getAlarm()) ?? 0) - Date.now();
      await new Promise((resolve) => setTimeout(resolve, LAZY_DELAY_MS + 100)); // the echo goes
      await woken.alarm();
      return { afterSend, afterRing: ((await state.storage.getAlarm()) ?? 0) - Date.now() };
    });
    // Not at once (it was: a Postgres connection per wake), and two minutes after "waits" was sent.
    expect(alarms.afterSend).toBeGreaterThan(25_000);
    expect(alarms.afterRing).toBeGreaterThan(110_000);
    expect(alarms.afterRing).toBeLessThanOrEqual(120_500);
  });

  it("sends a direct chat's read tick at once, with the sender's echo, and leaves no fan-out timer behind", async () => {
    await openDirect("d_tick", "alice", "bob");
    await send("d_tick", "alice", "t0", "hello"); // introduces the chat (not held back)
    await new Promise((resolve) => setTimeout(resolve, LAZY_DELAY_MS + 100));
    const delivers = await recordHubCalls("deliver", "alice");
    try {
      const { seq } = await send("d_tick", "alice", "t1", "read me");
      await vi.waitUntil(() => delivers.calls.includes("bob"), { timeout: 2_000 });
      expect(delivers.calls).not.toContain("alice"); // her echo waits for her ticks
      const read = await conv("d_tick").markRead("bob", seq, true);
      expect(read.ok).toBe(true);
      // Bob read everything she sent: her echo and read tick go in the pass the read starts, not
      // when the echo's wait (LAZY_DELAY_MS after her send) would have run out.
      const after = await runInDurableObject(conv("d_tick"), async (instance) => {
        const o = instance as unknown as {
          fanout: { run(): Promise<void> };
          fanoutTimer: { armed: boolean };
          store: { meta: { last_ev: number } | null; member(id: string): { fanout_ev: number } | null };
        };
        await o.fanout.run(); // the pass the read started, or one more: either way done after this
        return {
          behind: (o.store.meta?.last_ev ?? 0) - (o.store.member("alice")?.fanout_ev ?? 0),
          armed: o.fanoutTimer.armed,
        };
      });
      expect(after).toEqual({ behind: 0, armed: false });
      expect(delivers.calls).toContain("alice");
    } finally {
      delivers.restore();
    }
  });

  it("takes a message deleted for everyone out of the archive at a busy chat's pace, not the quiet one", async () => {
    await openDirect("d_gone", "alice", "bob");
    await send("d_gone", "alice", "g0", "first");
    await ringNow("d_gone");
    const oops = await send("d_gone", "alice", "g1", "not for the archive");
    expect(await alarmIn("d_gone")).toBeGreaterThan(25_000); // quiet: the text would wait
    expect((await conv("d_gone").deleteMessage("alice", oops.seq, "everyone")).ok).toBe(true);
    expect(await alarmIn("d_gone")).toBeLessThanOrEqual(2_500); // its tombstone replaces it within ~2 s
  });

  it("applies a group's reads that arrive a few ms apart together: the sender's ticks move once", async () => {
    const readers = ["gr_1", "gr_2", "gr_3", "gr_4"];
    const open = await conv("g_reads").open({
      id: "g_reads",
      type: "group",
      creatorId: "gr_owner",
      memberIds: readers,
      name: "Readers",
    });
    expect(open.ok).toBe(true);
    const { seq } = await send("g_reads", "gr_owner", "r1", "read me");
    const statuses = () =>
      runInDurableObject(conv("g_reads"), (_, state) =>
        state.storage.sql
          .exec<{ body: string }>("SELECT body FROM events WHERE target = 'gr_owner' ORDER BY ev")
          .toArray()
          .map((r) => JSON.parse(r.body) as { kind: string; readSome: number; readAll: number })
          .filter((b) => b.kind === "status"),
      );
    const before = (await statuses()).length;
    // Each reader on their own device, a few ms after the previous one.
    const answers: Promise<unknown>[] = [];
    for (const reader of readers) {
      answers.push(conv("g_reads").markRead(reader, seq));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect((await Promise.all(answers)).every((r) => (r as { ok: boolean }).ok)).toBe(true);
    const after = (await statuses()).slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ readSome: seq, readAll: seq });
  });

  it("fans out every message to both members' hubs, and retries from the alarm", async () => {
    await openDirect("d_fan", "fan_alice", "fan_bob");
    for (let i = 1; i <= 5; i++) await send("d_fan", "fan_alice", `m${i}`, `m${i}`);
    await runDurableObjectAlarm(conv("d_fan"));
    const list = await env.USER_HUB.getByName("fan_bob").chatList();
    expect(list[0]).toMatchObject({ id: "d_fan", unreadCount: 5, lastMessage: { seq: 5 }, peerId: "fan_alice" });
    const mine = await env.USER_HUB.getByName("fan_alice").chatList();
    expect(mine[0]).toMatchObject({ id: "d_fan", unreadCount: 0 });
  });
});
