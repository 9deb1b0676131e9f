/**
 * The UserHub DO's log, replay, acks and chat list, in plain Node over SQLite: events are stored
 * once, the `events` frame spliced from the stored JSON is exactly the protocol's frame, and an ack
 * owes each conversation one delivered receipt — also for events delivered before the hub woke.
 */
import { describe, expect, it } from "vitest";
import { ServerFrame, type EventBody, type Message } from "../../../client/sdk/protocol/index.ts";
import { applyToChatList } from "../../../durable-objects/user-hub/chat-list.ts";
import { EventLog, eventsFrame } from "../../../durable-objects/user-hub/event-log.ts";
import { HUB_MIGRATIONS } from "../../../durable-objects/user-hub/schema.ts";
import {
  CURSOR_LEASE,
  HubStore,
  LAZY_PIGGYBACK_MS,
  MAX_LOG_EVENTS,
  TRIM_STEP,
} from "../../../durable-objects/user-hub/store.ts";
import { migrate } from "../../../durable-objects/shared/migrations.ts";
import { NodeStorage } from "./sqlite-storage.ts";

const ME = "me";

function message(seq: number, senderId: string, text = `m${seq}`): Message {
  return {
    conversationId: "d_1",
    seq,
    clientId: `c${seq}`,
    senderId,
    text,
    media: null,
    system: null,
    sentAt: new Date(1_700_000_000_000 + seq).toISOString(),
    deleted: false,
  };
}

const wire = (ev: number, body: EventBody) => ({ ev, json: JSON.stringify(body) });
/** The event that opens the direct chat d_1 with bob (it creates the chat's row). */
const OPENED: EventBody = {
  kind: "conversation",
  conversation: { id: "d_1", type: "direct", name: null, peerId: "bob", active: true },
};

function hub() {
  const storage = new NodeStorage();
  migrate(storage.storage, HUB_MIGRATIONS);
  const store = new HubStore(storage.sqlStorage);
  store.load();
  const log = new EventLog(store, () => ME);
  log.wake();
  const deliver = (events: Array<{ ev: number; json: string }>) =>
    storage.transactionSync(() => {
      const fresh = log.appendConversation("d_1", events, Date.now());
      for (const e of fresh) applyToChatList(store, ME, "d_1", e.body, Date.now());
      return fresh;
    });
  return { storage, store, log, deliver };
}

describe("the hub's event log, in Node", () => {
  it("stores each conversation event once and builds the protocol's events frame from the stored JSON", () => {
    const h = hub();
    const first = h.deliver([wire(1, OPENED), wire(2, { kind: "message", message: message(1, "bob") })]);
    const again = h.deliver([wire(2, { kind: "message", message: message(1, "bob") })]);
    expect(first.map((e) => e.cursor)).toEqual([1, 2]);
    expect(again).toEqual([]);
    const text = eventsFrame(first);
    const parsed = ServerFrame.parse(JSON.parse(text));
    expect(parsed).toEqual({
      type: "events",
      events: first.map((e) => ({ cursor: e.cursor, at: new Date(e.at).toISOString(), ...e.body })),
    });
    expect(h.store.chatList()[0]).toMatchObject({ id: "d_1", unreadCount: 1, peerId: "bob" });
  });

  it("replays what a device missed, in pages of valid frames, and resets a cursor from elsewhere", () => {
    const h = hub();
    h.deliver(Array.from({ length: 3 }, (_, i) => wire(i + 1, { kind: "message", message: message(i + 1, "bob") })));
    const frames: string[] = [];
    const { head, reset } = h.log.replay(1, (f) => frames.push(f));
    expect({ head, reset }).toEqual({ head: 3, reset: false });
    const cursors = frames.flatMap((f) => {
      const frame = ServerFrame.parse(JSON.parse(f));
      return frame.type === "events" ? frame.events.map((e) => e.cursor) : [];
    });
    expect(cursors).toEqual([2, 3]);
    expect(h.log.replay(99, () => undefined).reset).toBe(true);
  });

  it("turns an ack into one delivered receipt per conversation, for messages from others only", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    h.deliver([
      wire(1, { kind: "message", message: message(1, "bob") }),
      wire(2, { kind: "message", message: message(2, ME) }),
      wire(3, { kind: "message", message: message(3, "bob") }),
    ]);
    h.storage.transactionSync(() => h.log.ack("phone", 3, Date.now()));
    expect(h.store.receiptsDue(Date.now()).map((r) => [r.conversation_id, r.acked_upto])).toEqual([["d_1", 3]]);
  });

  it("trims what every device acked, in steps of TRIM_STEP rows, keeping the newest", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    const events = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => wire(from + i, { kind: "message", message: message(from + i, "bob") }));
    h.deliver(events(1, 3));
    h.storage.transactionSync(() => (h.log.ack("phone", 3, Date.now()), h.store.persistLazy(Date.now())));
    expect(h.store.logSize()).toBe(3); // fewer than a step: kept for now
    h.deliver(events(4, TRIM_STEP));
    h.deliver(events(4 + TRIM_STEP, 1));
    h.storage.transactionSync(() => (h.log.ack("phone", 4 + TRIM_STEP, Date.now()), h.store.persistLazy(Date.now())));
    expect(h.store.logSize()).toBe(1); // the newest row: the head after a wake
    expect(h.store.oldestCursor).toBe(4 + TRIM_STEP);
  });

  it("hands out no cursor twice after every device acked everything and the hub woke", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    const events = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => wire(from + i, { kind: "message", message: message(from + i, "bob") }));
    h.deliver(events(1, 2 * TRIM_STEP));
    h.storage.transactionSync(() => (h.log.ack("phone", 2 * TRIM_STEP, Date.now()), h.store.persistLazy(Date.now())));
    h.store.load();
    h.log.wake();
    expect(h.store.headCursor).toBe(2 * TRIM_STEP);
    expect(h.deliver(events(2 * TRIM_STEP + 1, 1)).map((e) => e.cursor)).toEqual([2 * TRIM_STEP + 1]);
    // The phone is up to date: its cursor is neither ahead of the log nor behind what was trimmed.
    expect(h.log.replay(2 * TRIM_STEP, () => undefined).reset).toBe(false);
  });

  it("keys only the hub's own events: a conversation's repeat is dropped by its watermark", () => {
    const h = hub();
    h.deliver([1, 2, 3].map((ev) => wire(ev, { kind: "message", message: message(ev, "bob") })));
    const own: EventBody = { kind: "read_marker", conversationId: "d_1", upTo: 3 };
    expect(h.storage.transactionSync(() => h.log.appendOwn("read:d_1:3", own, Date.now(), "d_1"))?.cursor).toBe(4);
    expect(h.storage.transactionSync(() => h.log.appendOwn("read:d_1:3", own, Date.now(), "d_1"))).toBeNull();
    const keyed = h.storage.sql.exec<{ key: string }>("SELECT key FROM log WHERE key IS NOT NULL").toArray();
    expect(keyed.map((r) => r.key)).toEqual(["read:d_1:3"]);
    expect(h.deliver([wire(3, { kind: "message", message: message(3, "bob") })])).toEqual([]);
  });

  it("rebuilds a log made before the rebuild, keeping its rows, keys and head", () => {
    const storage = new NodeStorage();
    const before = HUB_MIGRATIONS.indexOf(HUB_MIGRATIONS.find((m) => m.startsWith("CREATE TABLE log_v2"))!);
    migrate(storage.storage, HUB_MIGRATIONS.slice(0, before));
    const sql = storage.sql;
    for (let ev = 1; ev <= 5; ev++)
      sql.exec("INSERT INTO log (key, conversation_id, at, body) VALUES (?, 'd_1', 0, '{}')", `d_1:${ev}`);
    sql.exec("DELETE FROM log WHERE cursor <= 3");
    sql.exec("INSERT INTO log (key, conversation_id, at, body) VALUES ('profile:me:1', '', 0, '{}')");
    sql.exec("DELETE FROM log WHERE cursor = 6"); // trimmed empty of what followed: only the sequence knows 6
    migrate(storage.storage, HUB_MIGRATIONS);
    const store = new HubStore(storage.sqlStorage);
    store.load();
    expect(store.headCursor).toBe(6);
    expect(store.oldestCursor).toBe(4);
    expect(
      sql
        .exec<{ cursor: number }>("SELECT cursor FROM log ORDER BY cursor")
        .toArray()
        .map((r) => r.cursor),
    ).toEqual([4, 5]);
    expect(storage.transactionSync(() => store.appendOwnLog("profile:me:2", "", 0, "{}"))).toBe(7);
    expect(storage.transactionSync(() => store.appendOwnLog("profile:me:2", "", 0, "{}"))).toBeNull();
  });

  it("caps an absent device's backlog at MAX_LOG_EVENTS rows, also after the hub woke", () => {
    const h = hub();
    h.store.deviceSeen("tablet", Date.now()); // acks nothing, ever
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => wire(from + i, { kind: "message", message: message(from + i, "bob") }));
    for (let ev = 1; ev <= MAX_LOG_EVENTS; ev += 1000) h.deliver(batch(ev, 1000));
    h.storage.transactionSync(() => h.store.persistLazy(Date.now(), true));
    expect(h.store.logSize()).toBe(MAX_LOG_EVENTS); // at the cap: kept
    h.store.load(); // a wake in between: the count is not carried over
    h.log.wake();
    h.deliver(batch(MAX_LOG_EVENTS + 1, TRIM_STEP));
    h.storage.transactionSync(() => h.store.persistLazy(Date.now(), true));
    expect(h.store.logSize()).toBe(MAX_LOG_EVENTS);
    expect(h.store.oldestCursor).toBe(TRIM_STEP + 1);
  });

  it("wakes without reading the whole log", () => {
    const h = hub();
    h.deliver(Array.from({ length: 50 }, (_, i) => wire(i + 1, { kind: "message", message: message(i + 1, "bob") })));
    h.storage.sql.log.length = 0;
    h.storage.sql.recording = true;
    h.store.load();
    h.storage.sql.recording = false;
    expect(h.store.headCursor).toBe(50);
    expect(h.store.oldestCursor).toBe(1);
    const plans = h.storage.sql.log.flatMap((query) =>
      (h.storage.sql.db.prepare(`EXPLAIN QUERY PLAN ${query}`).all() as Array<{ detail: string }>).map((r) => r.detail),
    );
    expect(plans.filter((d) => /^SCAN log\b/.test(d))).toEqual([]);
  });

  it("reads the log back for events delivered before the hub woke", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    h.deliver([wire(1, { kind: "message", message: message(1, "bob") })]);
    const woken = new EventLog(h.store, () => ME);
    h.store.load();
    woken.wake();
    h.storage.transactionSync(() => woken.ack("phone", 1, Date.now()));
    expect(h.store.receiptsDue(Date.now()).map((r) => r.acked_upto)).toEqual([1]);
  });

  it("drops a conversation's repeat even after the log rows that held it were trimmed", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    const earlier = Array.from({ length: TRIM_STEP }, (_, i) =>
      wire(i + 1, { kind: "message", message: message(i + 1, "bob") }),
    );
    const event = earlier[earlier.length - 1]!;
    h.deliver(earlier);
    h.deliver([wire(TRIM_STEP + 1, { kind: "message", message: message(TRIM_STEP + 1, "bob") })]);
    h.storage.transactionSync(() => (h.log.ack("phone", TRIM_STEP + 1, Date.now()), h.store.persistLazy(Date.now())));
    expect(h.store.logSize()).toBe(1); // only the newest row stays
    // The conversation did not store that the hub has this ev (it keeps that lazily) and sends it again.
    const next = wire(TRIM_STEP + 2, { kind: "message", message: message(TRIM_STEP + 2, "bob") });
    expect(h.deliver([event, next]).map((e) => e.cursor)).toEqual([TRIM_STEP + 2]);
  });

  it("takes an ack without a statement, and stores it with the next write in a few", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    h.deliver([wire(1, { kind: "message", message: message(1, "bob") })]);
    h.storage.sql.statements = 0;
    expect(h.log.ack("phone", 1, Date.now())).toBe(1);
    expect(h.storage.sql.statements).toBe(0);
    expect(h.store.hasLazyWrites).toBe(true);
    h.storage.transactionSync(() => h.store.persistLazy(Date.now()));
    // The device's cursor and the receipt owed (the trim waits for a step).
    expect(h.storage.sql.statements).toBeLessThanOrEqual(2);
    expect(h.store.hasLazyWrites).toBe(false);
    // What was stored is what a woken hub reads back.
    h.store.load();
    expect(h.store.acked("phone")).toBe(1);
    expect(h.store.receiptsDue(Date.now()).map((r) => r.acked_upto)).toEqual([1]);
  });

  it("hands an owed receipt to its conversation's next delivery once, and not while it backs off", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    h.deliver([wire(1, { kind: "message", message: message(1, "bob") })]);
    h.log.ack("phone", 1, Date.now());
    expect(h.store.claimReceipt("d_1", Date.now())).toBe(1);
    expect(h.store.claimReceipt("d_1", Date.now())).toBeNull(); // reported: the timer has nothing left
    expect(h.store.receiptsDue(Date.now())).toEqual([]);
    h.deliver([wire(2, { kind: "message", message: message(2, "bob") })]);
    h.log.ack("phone", 2, Date.now());
    h.store.receiptFailed("d_1", 1, Date.now() + 60_000);
    expect(h.store.claimReceipt("d_1", Date.now())).toBeNull();
  });

  it("loses an ack that was never stored with the hub, and takes it again from the device", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    h.deliver([wire(1, { kind: "message", message: message(1, "bob") })]);
    h.log.ack("phone", 1, Date.now());
    // The isolate dies before the lazy write: a new hub reads the older state.
    h.store.load();
    const woken = new EventLog(h.store, () => ME);
    woken.wake();
    expect(h.store.acked("phone")).toBe(0);
    expect(h.store.receiptsDue(Date.now())).toEqual([]);
    // The device's hello carries the cursor it stored: acking it owes the receipt again.
    expect(woken.ack("phone", 1, Date.now())).toBe(1);
    expect(h.store.receiptsDue(Date.now()).map((r) => [r.conversation_id, r.acked_upto])).toEqual([["d_1", 1]]);
  });

  it("plans a delivery without a statement and never hands out a cursor a lost write had shown", () => {
    const h = hub();
    h.deliver([wire(1, { kind: "message", message: message(1, "bob") })]);
    h.storage.sql.statements = 0;
    const planned = h.log.plan("d_1", [wire(2, { kind: "message", message: message(2, "bob") })], Date.now());
    expect(h.storage.sql.statements).toBe(0);
    expect(planned.map((e) => e.cursor)).toEqual([2]);
    // Not leased yet (a hub without sockets never leases: its cursors stay dense); a hub with sockets
    // leases a block with a write, so from then on a frame may leave before its write…
    expect(h.store.leaseCovers(2)).toBe(false);
    h.storage.transactionSync(() => h.store.leaseThrough(1));
    expect(h.store.leaseCovers(2)).toBe(true);
    // …and the write is lost: the hub wakes from what was stored.
    h.store.load();
    h.log.wake();
    const again = h.deliver([wire(2, { kind: "message", message: message(2, "bob") })]);
    expect(again).toHaveLength(1);
    expect(again[0]!.cursor).toBeGreaterThan(2);
    // Past the lease a plan is not covered: its frame waits for the write that extends the lease.
    expect(h.store.leaseCovers(again[0]!.cursor + CURSOR_LEASE + 1)).toBe(false);
    // A device that saw cursor 2 resumes without a reset and gets the message again (it keeps one copy by seq).
    const frames: string[] = [];
    expect(h.log.replay(2, (f) => frames.push(f)).reset).toBe(false);
    expect(frames.join()).toContain('"seq":2');
  });

  it("stores a delivery in four statements; acks and receipts ride along at most once a second", () => {
    const h = hub();
    const t0 = Date.now();
    // ev 1 (cursor 1) opens the chat; message `seq` is ev and cursor seq + 1.
    const msg = (seq: number) => wire(seq + 1, { kind: "message", message: message(seq, "bob") });
    const deliver = (seq: number, at: number, events = [msg(seq)]) =>
      h.storage.transactionSync(() => {
        const fresh = h.log.appendConversation("d_1", events, at);
        for (const e of fresh) applyToChatList(h.store, ME, "d_1", e.body, at);
        h.store.persistLazy(at);
      });
    h.store.deviceSeen("phone", t0);
    deliver(1, t0, [wire(1, OPENED), msg(1)]);
    h.log.ack("phone", 2, t0);
    expect(h.store.claimReceipt("d_1", t0)).toBe(1); // rode back on a delivery's answer
    h.storage.sql.recording = true;
    deliver(2, t0);
    // The first lazy store: the device's cursor; the receipt was owed and reported in between, so no row.
    expect(h.storage.sql.log.slice(4)).toEqual(["UPDATE devices SET acked = ?, seen_at = ? WHERE device_id = ?"]);
    h.log.ack("phone", 3, t0 + 5);
    h.storage.sql.log.length = 0;
    deliver(3, t0 + 10);
    // Log row, inbox watermark and last message (the chat's row), unread; the new ack waits for a
    // write a second after the last store.
    expect(h.storage.sql.log).toHaveLength(4);
    expect(h.storage.sql.log.filter((q) => /\binbox\b/.test(q))).toEqual([]);
    expect(h.store.hasLazyWrites).toBe(true);
    h.storage.sql.log.length = 0;
    deliver(4, t0 + LAZY_PIGGYBACK_MS);
    expect(h.storage.sql.log.slice(4)).toEqual([
      "UPDATE devices SET acked = ?, seen_at = ? WHERE device_id = ?",
      expect.stringMatching(/^INSERT INTO receipts/),
    ]);
    h.store.load();
    expect(h.store.acked("phone")).toBe(3);
    expect(h.store.receiptsDue(t0 + LAZY_PIGGYBACK_MS).map((r) => r.acked_upto)).toEqual([2]);
  });

  it("keeps unread messages in one b-tree and each chat's watermark in its row, across a wake", () => {
    const h = hub();
    const table = (name: string) =>
      h.storage.sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = ?", name).one().sql;
    expect(table("unread")).toMatch(/WITHOUT ROWID/);
    h.deliver([wire(1, OPENED), wire(2, { kind: "message", message: message(1, "bob") })]);
    h.deliver([wire(3, { kind: "message", message: message(2, "bob") })]);
    // The chat's first delivery came before its row: `inbox` took that one, the row the next.
    expect(h.storage.sql.exec("SELECT conversation_id, ev FROM inbox").toArray()).toEqual([
      { conversation_id: "d_1", ev: 2 },
    ]);
    expect(h.storage.sql.exec("SELECT inbox_ev FROM chats").one()).toEqual({ inbox_ev: 3 });
    h.store.load();
    h.log.wake();
    expect(h.deliver([wire(3, { kind: "message", message: message(2, "bob") })])).toEqual([]);
    expect(h.deliver([wire(4, { kind: "message", message: message(3, "bob") })]).map((e) => e.cursor)).toEqual([4]);
    expect(h.store.chatList()[0]).toMatchObject({ id: "d_1", unreadCount: 3 });
  });

  it("caps an absent device's backlog by rows, not by cursor distance (leases leave gaps)", () => {
    const h = hub();
    h.store.deviceSeen("phone", Date.now());
    let ev = 0;
    // Many wakes of a hub with sockets: each skips the rest of a leased block.
    for (let wake = 0; h.store.headCursor < MAX_LOG_EVENTS * 2; wake++) {
      ev++;
      h.storage.transactionSync(() => {
        h.store.leaseThrough(h.store.headCursor + 1);
        h.log.appendConversation("d_1", [wire(ev, { kind: "message", message: message(ev, "bob") })], Date.now());
      });
      h.store.load();
      h.log.wake();
    }
    h.storage.transactionSync(() => h.store.persistLazy(Date.now(), true));
    // The phone acked nothing: every event is still there for it.
    expect(h.store.logSize()).toBe(ev);
    const frames: string[] = [];
    expect(h.log.replay(0, (f) => frames.push(f)).reset).toBe(false);
    expect(frames.join().match(/"kind":"message"/g)).toHaveLength(ev);
  });
});
