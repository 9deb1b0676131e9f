/**
 * Blocking in a direct chat, over the Conversation DO's rules in Node: a blocked sender's message is
 * stored and acknowledged to them, never delivered to the blocker — not even after an unblock — and
 * an ordinary send costs the same statements and commits as before.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { EventBody } from "../../../client/sdk/protocol/index.ts";
import { setBlock } from "../../../durable-objects/conversation/blocks.ts";
import { fanoutPass, type WireEvent } from "../../../durable-objects/conversation/fanout.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import { ConversationStore } from "../../../durable-objects/conversation/store.ts";
import { ok } from "../../../lib/result.ts";
import { conversationObject } from "./conversation-object.ts";

const admitAll = () => ok(null);

function direct() {
  const { storage, store, ctx } = conversationObject();
  const delivered = new Map<string, EventBody[]>();
  const hub = (userId: string) => ({
    async deliver(_c: string, events: WireEvent[]) {
      delivered.set(userId, [...(delivered.get(userId) ?? []), ...events.map((e) => JSON.parse(e.json) as EventBody)]);
    },
  });
  messages.open(ctx, { id: "d_ab", type: "direct", creatorId: "alice", memberIds: ["bob"] }, () => {});
  const fanout = async () => {
    // Past the own-echo delay, so the sender's own hub is owed its message too.
    for (let i = 0; i < 5; i++) await fanoutPass(store, hub, Date.now() + 10_000);
  };
  const texts = (userId: string) =>
    (delivered.get(userId) ?? []).flatMap((e) => (e.kind === "message" ? [e.message.text] : []));
  const history = (userId: string) => {
    const page = messages.history(ctx, userId, { limit: 50 });
    if (!page.ok) throw new Error(page.error.message);
    return page.value.messages.map((m) => m.text);
  };
  return { storage, store, ctx, fanout, texts, history };
}

describe("blocking in a direct chat", () => {
  let h: ReturnType<typeof direct>;
  beforeEach(() => {
    h = direct();
  });

  it("stores what bob sends after alice blocked him, acks it to bob, and never delivers it to alice", async () => {
    messages.send(h.ctx, "bob", { clientId: "before", text: "before" }, admitAll);
    expect(setBlock(h.ctx, "alice", true).ok).toBe(true);
    const sent = messages.send(h.ctx, "bob", { clientId: "during", text: "during" }, admitAll);
    expect(sent.ok && sent.value.message).toMatchObject({ seq: 2, text: "during" });
    await h.fanout();
    expect(h.texts("alice")).toEqual(["before"]);
    expect(h.texts("bob")).toEqual(["before", "during"]); // the sender's other devices have it
    expect(h.history("alice")).toEqual(["before"]);
    expect(h.history("bob")).toEqual(["before", "during"]);
  });

  it("keeps a withheld message from alice after she unblocks, while new ones arrive", async () => {
    setBlock(h.ctx, "alice", true);
    messages.send(h.ctx, "bob", { clientId: "during", text: "during" }, admitAll);
    setBlock(h.ctx, "alice", false);
    messages.send(h.ctx, "bob", { clientId: "after", text: "after" }, admitAll);
    await h.fanout();
    expect(h.texts("alice")).toEqual(["after"]);
    expect(h.history("alice")).toEqual(["after"]);
    // The archive path reads the same hidden set.
    const reloaded = new ConversationStore(h.storage.sqlStorage);
    reloaded.load();
    expect(reloaded.hiddenSeqs("alice", 1, 3)).toEqual([1]);
  });

  it("refuses alice's own sends while she blocks bob, with the blocked code, and stores nothing", () => {
    setBlock(h.ctx, "alice", true);
    const refused = messages.send(h.ctx, "alice", { clientId: "x", text: "hi" }, admitAll);
    expect(!refused.ok && refused.error.code).toBe("blocked");
    expect(h.store.meta?.last_seq).toBe(0);
  });

  it("survives a restart: the block is stored with the conversation", () => {
    setBlock(h.ctx, "alice", true);
    const reloaded = new ConversationStore(h.storage.sqlStorage);
    reloaded.load();
    expect(reloaded.meta?.blocked_by).toBe("alice");
    setBlock(h.ctx, "alice", true); // idempotent
    expect(h.store.meta?.blocked_by).toBe("alice");
  });

  it("answers a stranger's block as a missing conversation", () => {
    expect(setBlock(h.ctx, "mallory", true)).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("costs an ordinary send no extra statement or commit, blocks or not in other chats", () => {
    messages.send(h.ctx, "alice", { clientId: "warm", text: "warm" }, admitAll);
    h.storage.sql.statements = 0;
    messages.send(h.ctx, "alice", { clientId: "c1", text: "hello" }, admitAll);
    // Same budget as the plain send test (conversation.test.ts): lookup, message, key, archive, event, counters.
    expect(h.storage.sql.statements).toBeLessThanOrEqual(7);
  });
});
