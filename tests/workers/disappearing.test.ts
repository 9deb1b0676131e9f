/**
 * Disappearing messages in the Conversation DO, inside workerd with its real SQLite and alarm: a
 * message whose time came is removed by the object's alarm — gone from history, its media no longer
 * readable, and the other member's device told — and the deadline survives the object restarting.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Message, ServerFrame } from "../../client/sdk/protocol/index.ts";
import { isType, openDevice } from "./hub-socket.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);
const DAY = 86_400;

async function openDirect(id: string, a: string, b: string) {
  const r = await conv(id).open({ id, type: "direct", creatorId: a, memberIds: [b] });
  if (!r.ok) throw new Error(r.error.message);
}

async function send(id: string, userId: string, clientId: string, text: string): Promise<Message> {
  const r = await conv(id).send(userId, { clientId, text });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value.message;
}

async function seqs(id: string, userId: string): Promise<number[]> {
  const page = await conv(id).history(userId, { limit: 50 });
  if (!page.ok) throw new Error(page.error.message);
  return page.value.messages.map((m) => m.seq);
}

/** Moves a message's deadline to `at` (the test cannot wait a day), as stored. */
async function dueAt(id: string, seq: number, at: number) {
  await runInDurableObject(conv(id), (_, state) => {
    state.storage.sql.exec("UPDATE messages SET expires_at = ? WHERE seq = ?", at, seq);
  });
}

const expired =
  (conversationId: string) =>
  (fs: ServerFrame[]): boolean =>
    fs.some(
      (f) =>
        f.type === "events" &&
        f.events.some((e) => e.kind === "messages_expired" && e.conversationId === conversationId),
    );

describe("Conversation DO: disappearing messages", () => {
  it("removes a message on the alarm at its time and tells the other member's device", async () => {
    await openDirect("d_dm_alarm", "dm_alice", "dm_bob");
    await send("d_dm_alarm", "dm_alice", "first", "hi");
    const set = await conv("d_dm_alarm").setDisappearing("dm_bob", DAY);
    expect(set.ok && set.value.disappearingSeconds).toBe(DAY);
    const secret = await send("d_dm_alarm", "dm_alice", "secret", "gone tomorrow");
    expect(Date.parse(secret.expiresAt ?? "") - Date.parse(secret.sentAt)).toBe(DAY * 1000);
    await runDurableObjectAlarm(conv("d_dm_alarm"));
    const bob = await openDevice("dm_bob");
    bob.send({ type: "hello", v: 1, deviceId: "b", cursor: 0 });
    await bob.next(isType("synced"));

    // Not yet: the alarm rings for the next deadline and leaves the message.
    await runDurableObjectAlarm(conv("d_dm_alarm"));
    expect(await seqs("d_dm_alarm", "dm_bob")).toContain(secret.seq);
    // The alarm is set no later than the deadline (read back from SQLite after a wake).
    const at = Date.now() + 60_000;
    await dueAt("d_dm_alarm", secret.seq, at);
    await evictDurableObject(conv("d_dm_alarm"));
    const alarm = await runInDurableObject(conv("d_dm_alarm"), (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm).toBeLessThanOrEqual(at);
    // Its time comes (moved into the past rather than waited for): the alarm removes it.
    await dueAt("d_dm_alarm", secret.seq, Date.now() - 1);
    await evictDurableObject(conv("d_dm_alarm"));
    expect(await runDurableObjectAlarm(conv("d_dm_alarm"))).toBe(true);

    expect(await seqs("d_dm_alarm", "dm_bob")).not.toContain(secret.seq);
    expect(await seqs("d_dm_alarm", "dm_alice")).toEqual([1, 2]); // "hi" and the timer's system message
    await bob.until(expired("d_dm_alarm"));
    bob.ws.close(1000, "done");
  });

  it("keeps a deadline across a restart and removes the message when the object wakes past it", async () => {
    await openDirect("d_dm_restart", "dr_alice", "dr_bob");
    expect((await conv("d_dm_restart").setDisappearing("dr_alice", 7 * DAY)).ok).toBe(true);
    const m = await send("d_dm_restart", "dr_bob", "m", "see you");
    await dueAt("d_dm_restart", m.seq, Date.now() - 1_000);
    // A restart: the object forgets its memory; the deadline is read back from SQLite.
    await evictDurableObject(conv("d_dm_restart"));
    const alarm = await runInDurableObject(conv("d_dm_restart"), (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    await runDurableObjectAlarm(conv("d_dm_restart"));
    expect(await seqs("d_dm_restart", "dr_alice")).toEqual([1]);
    const left = await runInDurableObject(conv("d_dm_restart"), (_, state) => ({
      rows: state.storage.sql.exec("SELECT seq FROM messages WHERE seq = ?", m.seq).toArray().length,
      removals: state.storage.sql.exec("SELECT seq FROM archive_removals").toArray().length,
    }));
    expect(left.rows).toBe(0);
    // No Postgres in this project: the archive removal waits in the object's queue.
    expect(left.removals).toBe(1);
  });

  it("lets only a group admin set the timer", async () => {
    const r = await conv("g_dm_admin").open({
      id: "g_dm_admin",
      type: "group",
      creatorId: "ga_alice",
      memberIds: ["ga_bob"],
      name: "Group",
    });
    expect(r.ok).toBe(true);
    expect(await conv("g_dm_admin").setDisappearing("ga_bob", DAY)).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    expect(await conv("g_dm_admin").setDisappearing("ga_alice", DAY)).toMatchObject({
      ok: true,
      value: { disappearingSeconds: DAY },
    });
  });
});
