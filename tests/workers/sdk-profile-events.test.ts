/**
 * The SDK side of `profile` events, against a scripted socket: the typed `profile` event, and an
 * `events` frame holding a kind this SDK does not know (a newer server) keeps its known events and
 * moves the cursor past the unknown one instead of dropping the whole frame.
 */
import { describe, expect, it } from "vitest";
import { ACK_INTERVAL_MS, type Event as LogEvent, type User } from "../../client/sdk/protocol/index.ts";
import { connected } from "./scripted-socket.ts";

const bob: User = {
  id: "u_bob",
  username: "bob",
  displayName: "Robert",
  about: "",
  pictureUrl: null,
  createdAt: "2026-11-26T00:00:00.000Z",
};

/** Long enough for the held-back ack to go out. */
const settle = () => new Promise((r) => setTimeout(r, ACK_INTERVAL_MS + 20));

describe("SDK profile events", () => {
  it("emits a typed profile event beside the log event", async () => {
    const { connection, socket } = await connected();
    const profiles: User[] = [];
    const events: LogEvent[] = [];
    connection.on("profile", (u) => profiles.push(u));
    connection.on("event", (e) => events.push(e));
    socket.serve({
      type: "events",
      events: [{ cursor: 1, at: "2026-11-26T00:00:01.000Z", kind: "profile", user: bob }],
    });
    await settle();
    expect(profiles).toEqual([bob]);
    expect(events.map((e) => e.kind)).toEqual(["profile"]);
    expect(socket.sent.at(-1)).toEqual({ type: "ack", cursor: 1 });
    connection.close();
  });

  it("keeps the known events of a frame that also holds an unknown kind, and moves past it", async () => {
    const { connection, socket } = await connected();
    const events: LogEvent[] = [];
    connection.on("event", (e) => events.push(e));
    const at = "2026-11-26T00:00:01.000Z";
    socket.serve({
      type: "events",
      events: [
        { cursor: 1, at, kind: "read_marker", conversationId: "d_x", upTo: 3 },
        { cursor: 2, at, kind: "sticker_pack_added", pack: "cats" },
        { cursor: 3, at, kind: "profile", user: bob },
      ],
    });
    await settle();
    expect(events.map((e) => e.cursor)).toEqual([1, 3]);
    expect(connection.cursor).toBe(3);
    expect(socket.sent.at(-1)).toEqual({ type: "ack", cursor: 3 });
    // A replay of the same frame shows nothing twice.
    socket.serve({ type: "events", events: [{ cursor: 2, at, kind: "sticker_pack_added" }] });
    await settle();
    expect(events).toHaveLength(2);
    connection.close();
  });
});
