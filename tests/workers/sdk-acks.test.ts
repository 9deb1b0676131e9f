/**
 * How the SDK acks what it stored, against a scripted socket: a message from someone else is acked
 * ACK_INTERVAL_MS after it arrived, in one ack with whatever came meanwhile, or sooner, inside a read
 * frame; ticks, read markers and the user's own messages coming back wait up to ACK_DEFERRED_MS for
 * an ack that is not deferred to carry them; an ack never covers what is not yet stored.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryStore } from "../../client/sdk/store.ts";
import { ACK_DEFERRED_MS, ACK_INTERVAL_MS, type Message } from "../../client/sdk/protocol/index.ts";
import { connected } from "./scripted-socket.ts";

const at = "2026-12-01T00:00:01.000Z";
const message = (seq: number, senderId: string): Message => ({
  conversationId: "d_ab",
  seq,
  clientId: `c${seq}`,
  senderId,
  text: `text ${seq}`,
  media: null,
  system: null,
  sentAt: at,
  deleted: false,
});
const acks = (sent: unknown[]) => sent.filter((f) => (f as { type: string }).type === "ack");

const types = (sent: unknown[]) => sent.map((f) => (f as { type: string }).type);
const fake = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
const marker = (cursor: number) => ({ cursor, at, kind: "read_marker", conversationId: "d_ab", upTo: 1 });
const tick = (cursor: number) => ({
  cursor,
  at,
  kind: "status",
  conversationId: "d_ab",
  deliveredAll: 1,
  deliveredSome: 1,
  readAll: 0,
  readSome: 0,
});

describe("SDK acks", () => {
  afterEach(() => void vi.useRealTimers());

  it("acks messages from someone else once, ACK_INTERVAL_MS after the first arrived", async () => {
    const { connection, socket } = await connected();
    fake();
    socket.serve({ type: "events", events: [{ cursor: 1, at, kind: "message", message: message(1, "u_bob") }] });
    await vi.advanceTimersByTimeAsync(ACK_INTERVAL_MS / 2);
    socket.serve({ type: "events", events: [{ cursor: 2, at, kind: "message", message: message(2, "u_bob") }] });
    await vi.advanceTimersByTimeAsync(ACK_INTERVAL_MS / 2 - 10);
    expect(acks(socket.sent)).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(acks(socket.sent)).toEqual([{ type: "ack", cursor: 2 }]);
    await vi.advanceTimersByTimeAsync(ACK_DEFERRED_MS * 2);
    expect(acks(socket.sent)).toHaveLength(1); // nothing new, nothing more
    connection.close();
  });

  it("carries a held ack in the read frame, so the hub takes both in one turn", async () => {
    const { connection, socket } = await connected();
    fake();
    socket.serve({ type: "events", events: [{ cursor: 1, at, kind: "message", message: message(1, "u_bob") }] });
    await vi.advanceTimersByTimeAsync(5);
    void connection.read("d_ab", 1).catch(() => undefined);
    expect(socket.sent.slice(-1)).toMatchObject([{ type: "read", conversationId: "d_ab", upTo: 1, ack: 1 }]);
    await vi.advanceTimersByTimeAsync(ACK_INTERVAL_MS * 2);
    expect(acks(socket.sent)).toEqual([]); // the timer went with it
    connection.close();
  });

  it("reads without an ack when nothing is held", async () => {
    const { connection, socket } = await connected();
    void connection.read("d_ab", 1).catch(() => undefined);
    expect(types(socket.sent).slice(-1)).toEqual(["read"]);
    expect(socket.sent.slice(-1)[0]).not.toHaveProperty("ack");
    expect(acks(socket.sent)).toEqual([]);
    connection.close();
  });

  it("holds back the ack of ticks, read markers and its own messages until a message from someone else", async () => {
    const { connection, socket } = await connected();
    fake();
    socket.serve({
      type: "events",
      events: [{ cursor: 1, at, kind: "message", message: message(1, "u_alice") }, tick(2), marker(3)],
    });
    await vi.advanceTimersByTimeAsync(ACK_INTERVAL_MS * 4);
    expect(connection.cursor).toBe(3); // stored, only the ack waits
    expect(acks(socket.sent)).toEqual([]);
    socket.serve({ type: "events", events: [{ cursor: 4, at, kind: "message", message: message(2, "u_bob") }] });
    await vi.advanceTimersByTimeAsync(ACK_INTERVAL_MS + 10);
    expect(acks(socket.sent)).toEqual([{ type: "ack", cursor: 4 }]);
    connection.close();
  });

  it("sends a held-back ack on its own once ACK_DEFERRED_MS has passed", async () => {
    const { connection, socket } = await connected();
    fake();
    socket.serve({ type: "events", events: [marker(1)] });
    await vi.advanceTimersByTimeAsync(ACK_DEFERRED_MS - 100);
    expect(acks(socket.sent)).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(acks(socket.sent)).toEqual([{ type: "ack", cursor: 1 }]);
    connection.close();
  });

  it("never acks an event its store has not saved yet", async () => {
    // A store whose second save hangs: the second frame's events are emitted, not yet stored.
    let saves = 0;
    const store = new MemoryStore();
    const save = store.saveCursor.bind(store);
    store.saveCursor = (cursor) => (++saves >= 2 ? new Promise<void>(() => undefined) : save(cursor));
    const { connection, socket } = await connected({ store });
    fake();
    socket.serve({ type: "events", events: [{ cursor: 1, at, kind: "message", message: message(1, "u_bob") }] });
    await vi.advanceTimersByTimeAsync(5);
    socket.serve({ type: "events", events: [{ cursor: 2, at, kind: "message", message: message(2, "u_bob") }] });
    await vi.advanceTimersByTimeAsync(5);
    expect(connection.cursor).toBe(2);
    void connection.read("d_ab", 2).catch(() => undefined);
    expect(socket.sent.slice(-1)).toMatchObject([{ type: "read", upTo: 2, ack: 1 }]);
    connection.close();
  });
});
