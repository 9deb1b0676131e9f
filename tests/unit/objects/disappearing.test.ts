/**
 * Disappearing messages in the Conversation object's rules, in plain Node over SQLite: when each
 * message's deadline falls and when the alarm must ring (the pure scheduling module), who may set
 * the timer, and what the alarm's pass removes — the row, its media references, the archive row
 * (queued), every device's copy (an event) — and what it leaves alone.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody, Media, Message } from "../../../client/sdk/protocol/index.ts";
import type { ConversationContext } from "../../../durable-objects/conversation/context.ts";
import * as disappearing from "../../../durable-objects/conversation/disappearing.ts";
import { earliest, expiresAt, expiryAlarm, isExpired } from "../../../durable-objects/conversation/expiry.ts";
import * as groups from "../../../durable-objects/conversation/group-ops.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import type { ConversationStore } from "../../../durable-objects/conversation/store.ts";
import { CONVERSATION_MIGRATIONS } from "../../../durable-objects/conversation/schema.ts";
import { ConversationStore as Store } from "../../../durable-objects/conversation/store.ts";
import { ok } from "../../../lib/result.ts";
import { conversationObject } from "./conversation-object.ts";
import type { NodeStorage } from "./sqlite-storage.ts";

const admitAll = () => ok(null);
const DAY = 86_400;

describe("expiry scheduling (pure)", () => {
  it("puts a message's deadline one timer after it was sent, none with the timer off", () => {
    expect(expiresAt(1_000, DAY)).toBe(1_000 + DAY * 1000);
    expect(expiresAt(1_000, 0)).toBeNull();
  });

  it("uses the test lifetime instead of the timer on a test stack, never to turn the timer on", () => {
    expect(expiresAt(1_000, 7 * DAY, 2)).toBe(3_000);
    expect(expiresAt(1_000, 0, 2)).toBeNull();
  });

  it("keeps the earliest of deadlines that may be absent", () => {
    expect(earliest(null, null)).toBeNull();
    expect(earliest(5, null)).toBe(5);
    expect(earliest(null, 7)).toBe(7);
    expect(earliest(9, 7)).toBe(7);
  });

  it("rings the alarm at the next deadline, now when it already passed, never when none waits", () => {
    expect(expiryAlarm(5_000, 1_000)).toBe(5_000);
    expect(expiryAlarm(500, 1_000)).toBe(1_000);
    expect(expiryAlarm(null, 1_000)).toBeNull();
  });

  it("treats a message as gone from its deadline on", () => {
    expect(isExpired(1_000, 999)).toBe(false);
    expect(isExpired(1_000, 1_000)).toBe(true);
    expect(isExpired(null, 1e15)).toBe(false);
  });
});

describe("disappearing messages, in Node", () => {
  let ctx: ConversationContext;
  let store: ConversationStore;
  let storage: NodeStorage;
  const send = (userId: string, clientId: string, media?: Media): Message => {
    const sent = messages.send(ctx, userId, { clientId, ...(media ? { media } : { text: clientId }) }, admitAll);
    if (!sent.ok) throw new Error(sent.error.code);
    return sent.value.message;
  };
  const page = (userId = "bob"): Message[] => {
    const plan = messages.history(ctx, userId, { limit: 50 });
    if (!plan.ok) throw new Error(plan.error.code);
    return plan.value.messages;
  };
  const events = () =>
    store.events.map((e) => JSON.parse(e.json) as EventBody).filter((b) => b.kind !== "conversation");
  const count = (sql: string) => storage.sqlStorage.exec<{ n: number }>(sql).one().n;

  beforeEach(() => {
    ({ ctx, store, storage } = conversationObject());
    messages.open(ctx, { id: "d_ab", type: "direct", creatorId: "alice", memberIds: ["bob"] }, () => {});
  });

  it("lets either member of a direct chat set the timer, recorded as a system message", () => {
    const set = disappearing.setTimer(ctx, "bob", DAY);
    expect(set.ok && set.value.disappearingSeconds).toBe(DAY);
    const system = page().at(-1)?.system;
    expect(system).toEqual({ kind: "disappearing_changed", by: "bob", seconds: DAY });
    // The same value again changes nothing and records nothing.
    expect(disappearing.setTimer(ctx, "alice", DAY).ok).toBe(true);
    expect(store.meta?.last_seq).toBe(1);
    const off = disappearing.setTimer(ctx, "alice", 0);
    expect(off.ok && off.value.disappearingSeconds).toBeUndefined();
    expect(page().map((m) => m.system?.kind === "disappearing_changed" && m.system.seconds)).toEqual([DAY, 0]);
  });

  it("lets only an admin of a group set the timer, and nobody outside it", () => {
    const g = conversationObject();
    messages.open(g.ctx, { id: "g_1", type: "group", creatorId: "alice", memberIds: ["bob"] }, (by, name, now) =>
      groups.recordCreated(g.ctx, by, name, now),
    );
    const member = disappearing.setTimer(g.ctx, "bob", DAY);
    expect(member.ok || member.error.code).toBe("forbidden");
    const stranger = disappearing.setTimer(g.ctx, "carol", DAY);
    expect(stranger.ok || stranger.error.code).toBe("not_found");
    expect(g.store.meta?.disappearing_seconds).toBe(0);
    expect(disappearing.setTimer(g.ctx, "alice", 7 * DAY).ok).toBe(true);
    expect(g.store.meta?.disappearing_seconds).toBe(7 * DAY);
  });

  it("gives messages sent while the timer is on a deadline, and none before or after", () => {
    send("alice", "before");
    disappearing.setTimer(ctx, "alice", DAY);
    const during = send("bob", "during");
    disappearing.setTimer(ctx, "alice", 0);
    send("alice", "after");
    const shown = page();
    expect(shown.find((m) => m.text === "before")?.expiresAt).toBeUndefined();
    expect(shown.find((m) => m.text === "after")?.expiresAt).toBeUndefined();
    expect(Date.parse(during.expiresAt ?? "") - Date.parse(during.sentAt)).toBe(DAY * 1000);
    expect(store.nextExpiry).toBe(Date.parse(during.expiresAt ?? ""));
  });

  it("adds no statement to a send with the timer on or off", () => {
    send("alice", "warm");
    storage.sql.statements = 0;
    send("alice", "plain");
    const off = storage.sql.statements;
    disappearing.setTimer(ctx, "alice", DAY);
    send("alice", "warm again");
    storage.sql.statements = 0;
    send("alice", "disappearing");
    expect(storage.sql.statements).toBe(off);
    expect(off).toBeLessThanOrEqual(7);
  });

  it("removes a message when its time comes: row, media reference, archive row, every device", () => {
    disappearing.setTimer(ctx, "alice", DAY);
    const photo: Media = { id: "m_1", type: "image/jpeg", size: 10, width: 1, height: 1, url: "/x" };
    const sent = send("alice", "photo", photo);
    const deadline = Date.parse(sent.expiresAt ?? "");
    expect(disappearing.expirePass(ctx, deadline - 1).removed).toEqual([]);
    expect(page().some((m) => m.seq === sent.seq)).toBe(true);
    const pass = disappearing.expirePass(ctx, deadline);
    expect(pass).toEqual({ removed: [sent.seq], more: false });
    expect(store.messageRow(sent.seq)).toBeNull();
    expect(page().some((m) => m.seq === sent.seq)).toBe(false);
    expect(events().at(-1)).toEqual({ kind: "messages_expired", conversationId: "d_ab", seqs: [sent.seq] });
    expect(store.archiveRemovals(10)).toEqual([sent.seq]);
    expect(store.mediaJobs(10).map((j) => [j.media_id, j.op])).toEqual([
      ["m_1", "add"],
      ["m_1", "remove"],
    ]);
    expect(messages.mediaAccess(ctx, "bob", "m_1")).toBe(false);
    expect(store.nextExpiry).toBeNull();
    // A second pass finds nothing and writes nothing.
    expect(disappearing.expirePass(ctx, deadline + 1).removed).toEqual([]);
  });

  it("skips a message past its time in history even before the alarm removes it", () => {
    disappearing.setTimer(ctx, "alice", DAY);
    const sent = send("alice", "soon", undefined);
    const row = store.messageRow(sent.seq);
    storage.sqlStorage.exec("UPDATE messages SET expires_at = ? WHERE seq = ?", Date.now() - 1, sent.seq);
    expect(row).not.toBeNull();
    expect(page().some((m) => m.seq === sent.seq)).toBe(false);
  });

  it("keeps the deadline of a message that left the hot window, and still removes it", () => {
    disappearing.setTimer(ctx, "alice", DAY);
    const sent = send("alice", "old");
    for (let i = 0; i < 3; i++) send("bob", `later ${i}`);
    // The later ones go a second later (the test sends them within one millisecond).
    storage.sqlStorage.exec("UPDATE messages SET expires_at = expires_at + 1000 WHERE seq > ?", sent.seq);
    for (const r of store.archiveBatch(100)) store.archived(r.seq, r.outbox_version);
    storage.transactionSync(() => store.trimHotWindow(2));
    expect(store.messageRow(sent.seq)).toBeNull();
    // Seqs 2 and 3 left the hot window (seq 1 is the timer's system message, which never expires).
    expect(count("SELECT COUNT(*) AS n FROM expiring")).toBe(2);
    const pass = disappearing.expirePass(ctx, Date.parse(sent.expiresAt ?? ""));
    expect(pass.removed).toEqual([sent.seq]);
    expect(count("SELECT COUNT(*) AS n FROM expiring")).toBe(1);
    expect(store.archiveRemovals(10)).toEqual([sent.seq]);
  });

  it("finds its deadlines again after a restart (read from the indexes on wake)", () => {
    disappearing.setTimer(ctx, "alice", DAY);
    const sent = send("alice", "kept");
    const woken = new Store(storage.sqlStorage);
    woken.load();
    expect(woken.nextExpiry).toBe(Date.parse(sent.expiresAt ?? ""));
    expect(CONVERSATION_MIGRATIONS.some((s) => s.includes("messages_by_expiry"))).toBe(true);
  });
});
