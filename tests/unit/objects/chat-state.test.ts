/**
 * A user's own state of their chats in the hub, in plain Node over SQLite: pins (at most three),
 * archive, mark unread, delete for me and mute, each logged once as a `chat_state` event for every
 * device; an archived chat comes back with a newer message unless muted, folded into the one
 * chat-row UPDATE the message path already runs.
 */
import { describe, expect, it } from "vitest";
import { MAX_PINNED_CHATS, type Event, type EventBody, type Message } from "../../../client/sdk/protocol/index.ts";
import { applyToChatList } from "../../../durable-objects/user-hub/chat-list.ts";
import { HubChatState } from "../../../durable-objects/user-hub/chat-state.ts";
import { ChatStateStore } from "../../../durable-objects/user-hub/chat-state-store.ts";
import { EventLog, asEvent } from "../../../durable-objects/user-hub/event-log.ts";
import { HubPush } from "../../../durable-objects/user-hub/push.ts";
import { HUB_MIGRATIONS } from "../../../durable-objects/user-hub/schema.ts";
import { HubStore } from "../../../durable-objects/user-hub/store.ts";
import { migrate } from "../../../durable-objects/shared/migrations.ts";
import { NodeStorage } from "./sqlite-storage.ts";

const ME = "alice";

function message(conversationId: string, seq: number, senderId = "bob"): Message {
  return {
    conversationId,
    seq,
    clientId: `c${seq}`,
    senderId,
    text: `m${seq}`,
    media: null,
    system: null,
    sentAt: new Date(Date.now() + seq).toISOString(),
    deleted: false,
  };
}

function hub(chats = ["d_1"]) {
  const storage = new NodeStorage();
  migrate(storage.storage, HUB_MIGRATIONS);
  const store = new HubStore(storage.sqlStorage);
  store.load();
  const log = new EventLog(store, () => ME);
  log.wake();
  const push = new HubPush(
    store,
    {} as Env,
    () => ME,
    () => undefined,
  );
  const broadcast: Event[] = [];
  const chatState = new HubChatState(new ChatStateStore(storage.sqlStorage), {
    transaction: (write) => storage.transactionSync(write),
    log: (key, body) => {
      const e = log.appendOwn(key, body, Date.now());
      return e && asEvent(e);
    },
    broadcast: (events) => broadcast.push(...events),
    mutePush: (id, until) => push.mute(id, until),
  });
  for (const id of chats)
    store.upsertChat({ id, type: "direct", name: null, peerId: `peer-${id}`, active: true }, Date.now());
  const deliver = (conversationId: string, body: EventBody) =>
    storage.transactionSync(() => applyToChatList(store, ME, conversationId, body, Date.now()));
  const listed = (id: string) => store.chatList().find((c) => c.id === id);
  return { storage, store, chatState, broadcast, deliver, listed };
}

describe("chat list state in the hub, in Node", () => {
  it("pins three chats and refuses a fourth with too_many_pinned, changing nothing", () => {
    const h = hub(["d_1", "d_2", "d_3", "d_4"]);
    for (const id of ["d_1", "d_2", "d_3"]) expect(h.chatState.change(id, { pinned: true }).ok).toBe(true);
    const fourth = h.chatState.change("d_4", { pinned: true });
    expect(fourth).toMatchObject({ ok: false, error: { code: "too_many_pinned" } });
    expect(h.listed("d_4")?.listState?.pinnedAt).toBeNull();
    expect(h.store.chatList().filter((c) => c.listState?.pinnedAt).length).toBe(MAX_PINNED_CHATS);
    expect(h.broadcast.filter((e) => e.kind === "chat_state")).toHaveLength(3);
    // Re-pinning a pinned chat is not a fourth pin.
    expect(h.chatState.change("d_1", { pinned: true }).ok).toBe(true);
    expect(h.chatState.change("d_1", { pinned: false }).ok).toBe(true);
    expect(h.chatState.change("d_4", { pinned: true }).ok).toBe(true);
  });

  it("logs each change once for every device, and nothing for a change that changes nothing", () => {
    const h = hub();
    h.chatState.change("d_1", { archived: true });
    h.chatState.change("d_1", { archived: true });
    expect(h.broadcast).toHaveLength(1);
    expect(h.broadcast[0]).toMatchObject({
      kind: "chat_state",
      conversationId: "d_1",
      state: { archived: true, pinnedAt: null, markedUnread: false, mutedUntil: null, clearedUpTo: null },
    });
    expect(h.store.logSize()).toBe(1);
  });

  it("answers not_found for a chat that is not in the list", () => {
    const h = hub();
    expect(h.chatState.change("g_nope", { archived: true })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(h.chatState.mute("g_nope", "always")).toBe(false);
    expect(h.broadcast).toHaveLength(0);
  });

  it("brings an archived chat back with a newer message, in the one chat-row statement", () => {
    const h = hub();
    h.chatState.change("d_1", { archived: true });
    h.storage.sql.statements = 0;
    h.storage.sql.recording = true;
    h.deliver("d_1", { kind: "message", message: message("d_1", 1) });
    const updates = h.storage.sql.log.filter((q) => q.startsWith("UPDATE chats"));
    expect(updates).toHaveLength(1);
    expect(h.listed("d_1")?.listState?.archived).toBe(false);
  });

  it("keeps a muted archived chat in the archive when a message arrives", () => {
    const h = hub();
    h.chatState.change("d_1", { archived: true });
    expect(h.chatState.mute("d_1", "always")).toBe(true);
    expect(h.broadcast.at(-1)).toMatchObject({ kind: "chat_state", state: { mutedUntil: "always", archived: true } });
    h.deliver("d_1", { kind: "message", message: message("d_1", 1) });
    expect(h.listed("d_1")?.listState).toMatchObject({ archived: true, mutedUntil: "always" });
    // A mute that ran out lets the next message bring it back.
    h.chatState.mute("d_1", Date.now() - 1);
    h.deliver("d_1", { kind: "message", message: message("d_1", 2) });
    expect(h.listed("d_1")?.listState?.archived).toBe(false);
  });

  it("pinning takes a chat out of the archive, archiving unpins it", () => {
    const h = hub();
    h.chatState.change("d_1", { archived: true });
    expect(h.chatState.change("d_1", { pinned: true })).toMatchObject({ ok: true, value: { archived: false } });
    const archived = h.chatState.change("d_1", { archived: true });
    expect(archived).toMatchObject({ ok: true, value: { archived: true, pinnedAt: null } });
  });

  it("keeps a chat marked unread until a read on any device", () => {
    const h = hub();
    h.chatState.change("d_1", { unread: true });
    expect(h.listed("d_1")?.listState?.markedUnread).toBe(true);
    h.deliver("d_1", { kind: "read_marker", conversationId: "d_1", upTo: 0 });
    expect(h.listed("d_1")?.listState?.markedUnread).toBe(false);
  });

  it("hides a chat deleted for me until a newer message, which counts alone as unread", () => {
    const h = hub();
    h.deliver("d_1", { kind: "message", message: message("d_1", 1) });
    h.deliver("d_1", { kind: "message", message: message("d_1", 2) });
    h.chatState.change("d_1", { pinned: true });
    expect(h.chatState.change("d_1", { clear: true })).toMatchObject({
      ok: true,
      value: { clearedUpTo: 2, pinnedAt: null },
    });
    expect(h.listed("d_1")).toBeUndefined();
    h.deliver("d_1", { kind: "message", message: message("d_1", 3) });
    expect(h.listed("d_1")).toMatchObject({ unreadCount: 1, listState: { clearedUpTo: 2 } });
  });
});
