/**
 * How the SDK acks what it stored, against a scripted socket: a message from someone else is acked
 * at once (its sender's delivered tick waits on it), while ticks, read markers and the user's own
 * messages coming back wait up to ACK_DEFERRED_MS for an ack that is not deferred to carry them.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ACK_DEFERRED_MS, type Message } from "../../client/sdk/protocol/index.ts";
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
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("SDK acks", () => {
  afterEach(() => void vi.useRealTimers());

  it("acks a message from someone else at once", async () => {
    const { connection, socket } = await connected();
    socket.serve({ type: "events", events: [{ cursor: 1, at, kind: "message", message: message(1, "u_bob") }] });
    await settle();
    expect(acks(socket.sent)).toEqual([{ type: "ack", cursor: 1 }]);
    connection.close();
  });

  it("holds back the ack of ticks, read markers and its own messages until a message from someone else", async () => {
    const { connection, socket } = await connected();
    socket.serve({
      type: "events",
      events: [
        { cursor: 1, at, kind: "message", message: message(1, "u_alice") },
        {
          cursor: 2,
          at,
          kind: "status",
          conversationId: "d_ab",
          deliveredAll: 1,
          deliveredSome: 1,
          readAll: 0,
          readSome: 0,
        },
        { cursor: 3, at, kind: "read_marker", conversationId: "d_ab", upTo: 1 },
      ],
    });
    await settle();
    expect(connection.cursor).toBe(3); // stored, only the ack waits
    expect(acks(socket.sent)).toEqual([]);
    socket.serve({ type: "events", events: [{ cursor: 4, at, kind: "message", message: message(2, "u_bob") }] });
    await settle();
    expect(acks(socket.sent)).toEqual([{ type: "ack", cursor: 4 }]);
    connection.close();
  });

  it("sends a held-back ack on its own once ACK_DEFERRED_MS has passed", async () => {
    const { connection, socket } = await connected();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    socket.serve({
      type: "events",
      events: [{ cursor: 1, at, kind: "read_marker", conversationId: "d_ab", upTo: 1 }],
    });
    await vi.advanceTimersByTimeAsync(ACK_DEFERRED_MS - 100);
    expect(acks(socket.sent)).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(acks(socket.sent)).toEqual([{ type: "ack", cursor: 1 }]);
    connection.close();
  });
});
