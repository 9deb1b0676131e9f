/**
 * One owner for the outbox: the SDK keeps unacknowledged sends (and says when they change); the web
 * app shows them as pending, adding only what its tab knows (a file uploading, a refusal).
 */
import { describe, expect, it } from "vitest";
import { Connection } from "../../client/sdk/connection.ts";
import { MemoryStore, type PendingSend } from "../../client/sdk/store.ts";
import type { Message, User } from "../../client/sdk/protocol/index.ts";
import { addLocalSend, applyMessage, failLocalSend, setQueued } from "../../client/web/src/state/reducers.ts";
import { pendingIn, waitingCount } from "../../client/web/src/state/selectors.ts";
import { initialState } from "../../client/web/src/state/types.ts";

const alice = { id: "alice" } as User;
const queued = (clientId: string, queuedAt: number, text = clientId): PendingSend => ({
  conversationId: "c1",
  clientId,
  text,
  queuedAt,
});

describe("the SDK's outbox", () => {
  it("tells the app when a send is stored, before any socket is open", async () => {
    const store = new MemoryStore();
    const connection = new Connection({ url: "ws://unused", ticket: async () => null, deviceId: "d1", store });
    const seen: (readonly PendingSend[])[] = [];
    connection.on("outbox", (list) => seen.push(list));
    void connection.send("c1", { text: "hi" }, "m1").catch(() => undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.map((list) => list.map((p) => p.clientId))).toEqual([["m1"]]);
    expect((await store.loadOutbox()).map((p) => p.clientId)).toEqual(["m1"]);
  });
});

describe("alice's pending bubbles", () => {
  it("shows the outbox's sends with what the tab adds, oldest first", () => {
    let s = initialState(alice);
    s = addLocalSend(s, {
      clientId: "pic",
      conversationId: "c1",
      file: { url: "blob:x", type: "image/png", name: "a.png" },
      progress: 0.5,
      queuedAt: 3,
    });
    s = setQueued(s, [queued("text", 1), { ...queued("pic", 4), text: undefined, mediaId: "m" }]);
    const pending = pendingIn(s, "c1");
    expect(pending.map((p) => p.clientId)).toEqual(["text", "pic"]);
    expect(pending[1]).toMatchObject({ mediaId: "m", progress: 0.5, file: { name: "a.png" } });
    expect(pendingIn(s, "c1")).toBe(pending);
    expect(waitingCount(s)).toBe(2);
  });

  it("keeps a refused send on screen, not counted as waiting, after the outbox dropped it", () => {
    let s = setQueued(initialState(alice), [queued("big", 1)]);
    s = setQueued(failLocalSend(s, queued("big", 1), "Not sent: longer than 700 bytes"), []);
    expect(pendingIn(s, "c1").map((p) => p.error)).toEqual(["Not sent: longer than 700 bytes"]);
    expect(waitingCount(s)).toBe(0);
  });

  it("does not show a send twice once its message is in the thread", () => {
    let s = initialState(alice);
    s = { ...s, threads: { c1: { items: [], hasOlder: false, loadingOlder: false } } };
    s = setQueued(s, [queued("m1", 1)]);
    const stored = {
      conversationId: "c1",
      seq: 1,
      clientId: "m1",
      senderId: "alice",
      sentAt: "2026-01-01T00:00:00Z",
      system: null,
      deleted: false,
    } as unknown as Message;
    s = applyMessage(s, stored, true);
    expect(pendingIn(s, "c1")).toEqual([]);
  });
});
