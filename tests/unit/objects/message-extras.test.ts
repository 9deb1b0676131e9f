/**
 * Replies, reactions, edits and forwards in the Conversation object's rules, in plain Node over
 * SQLite: what each stores, which events members get, and what is refused.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { EventBody, Message } from "../../../client/sdk/protocol/index.ts";
import { EDIT_WINDOW_SECONDS } from "../../../client/sdk/protocol/index.ts";
import type { ConversationContext } from "../../../durable-objects/conversation/context.ts";
import * as extras from "../../../durable-objects/conversation/message-extras.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import type { ConversationStore } from "../../../durable-objects/conversation/store.ts";
import { ok } from "../../../lib/result.ts";
import { conversationObject } from "./conversation-object.ts";
import type { NodeStorage } from "./sqlite-storage.ts";

const admitAll = () => ok(null);

describe("replies, reactions, edits and forwards, in Node", () => {
  let ctx: ConversationContext;
  let store: ConversationStore;
  let storage: NodeStorage;
  const send = (userId: string, clientId: string, input: Partial<messages.SendInput> = { text: clientId }) => {
    const sent = messages.send(ctx, userId, { clientId, ...input }, admitAll);
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

  beforeEach(() => {
    ({ ctx, store, storage } = conversationObject());
    messages.open(ctx, { id: "d_ab", type: "direct", creatorId: "alice", memberIds: ["bob"] }, () => {});
  });

  it("gives a reply a quote of the original's sender and first 100 characters", () => {
    send("alice", "long", { text: "x".repeat(150) });
    const reply = send("bob", "r1", { text: "sure", replyTo: 1 });
    expect(reply.replyTo).toEqual({
      seq: 1,
      senderId: "alice",
      snippet: "x".repeat(100),
      mediaType: null,
      deleted: false,
    });
    expect(page().at(-1)?.replyTo?.snippet).toBe("x".repeat(100));
  });

  it("answers a reply to a seq that does not exist with not_found and stores nothing", () => {
    send("alice", "one");
    const refused = messages.send(ctx, "bob", { clientId: "r", text: "?", replyTo: 9 }, admitAll);
    expect(refused.ok || refused.error.code).toBe("not_found");
    expect(store.meta?.last_seq).toBe(1);
  });

  it("shows a quote as deleted once its original is deleted for everyone", () => {
    send("alice", "secret");
    send("bob", "r1", { text: "what?", replyTo: 1 });
    expect(messages.deleteMessage(ctx, "alice", 1, "everyone").ok).toBe(true);
    expect(page().at(-1)?.replyTo).toEqual({
      seq: 1,
      senderId: "alice",
      snippet: null,
      mediaType: null,
      deleted: true,
    });
  });

  it("keeps an ordinary send without a reply to a handful of statements", () => {
    send("alice", "warm");
    storage.sql.statements = 0;
    send("alice", "plain");
    expect(storage.sql.statements).toBeLessThanOrEqual(7);
  });

  it("sets, changes and removes one reaction per member, each an event without a seq", () => {
    send("alice", "hello");
    expect(extras.react(ctx, "bob", 1, "👍").ok).toBe(true);
    expect(extras.react(ctx, "alice", 1, "👍").ok).toBe(true);
    const changed = extras.react(ctx, "bob", 1, "❤️");
    expect(changed.ok && changed.value.reactions).toEqual([
      { emoji: "👍", count: 1, userIds: ["alice"] },
      { emoji: "❤️", count: 1, userIds: ["bob"] },
    ]);
    expect(extras.react(ctx, "alice", 1, null).ok).toBe(true);
    expect(store.meta?.last_seq).toBe(1); // no seq taken
    expect(page()[0]?.reactions).toEqual([{ emoji: "❤️", count: 1, userIds: ["bob"] }]);
    expect(events().map((e) => e.kind)).toEqual(["message", "reaction", "reaction", "reaction", "reaction"]);
    const last = events().at(-1);
    expect(last?.kind === "reaction" && last.reactions).toEqual([{ emoji: "❤️", count: 1, userIds: ["bob"] }]);
  });

  it("refuses a reaction from a non-member and to a message that does not exist", () => {
    send("alice", "hello");
    const mallory = extras.react(ctx, "mallory", 1, "👍");
    expect(mallory.ok || mallory.error.code).toBe("not_found");
    const missing = extras.react(ctx, "bob", 5, "👍");
    expect(missing.ok || missing.error.code).toBe("not_found");
  });

  it("reports reactions on messages past the hot window in the history plan", () => {
    for (let i = 1; i <= 5; i++) send("alice", `m${i}`);
    extras.react(ctx, "bob", 2, "😂");
    ctx.write(() => {
      for (let seq = 1; seq <= 5; seq++) store.archived(seq, 0);
      store.trimHotWindow(2);
    });
    expect(extras.react(ctx, "alice", 1, "👍").ok).toBe(true); // archived message
    const plan = messages.history(ctx, "bob", { limit: 50 });
    expect(plan.ok && plan.value.archive).toMatchObject({ before: 4 });
    expect(plan.ok && plan.value.reactions).toEqual({
      1: [{ emoji: "👍", count: 1, userIds: ["alice"] }],
      2: [{ emoji: "😂", count: 1, userIds: ["bob"] }],
    });
  });

  it("lets the sender edit within the window: same seq, editedAt, an event, a new archive version", () => {
    send("alice", "helo");
    const edited = extras.edit(ctx, "alice", 1, "hello");
    expect(edited.ok && edited.value).toMatchObject({ seq: 1, text: "hello", editedAt: expect.any(String) });
    expect(page()[0]).toMatchObject({ text: "hello", editedAt: expect.any(String) });
    expect(events().at(-1)).toMatchObject({ kind: "message_edited", seq: 1, text: "hello" });
    expect(store.archiveBatch(10)[0]).toMatchObject({ seq: 1, text: "hello", outbox_version: 1 });
  });

  it("refuses an edit by anyone else, after deletion and past 15 minutes", () => {
    send("alice", "one");
    send("alice", "two");
    const bob = extras.edit(ctx, "bob", 1, "mine now");
    expect(bob.ok || bob.error.code).toBe("forbidden");
    messages.deleteMessage(ctx, "alice", 2, "everyone");
    const deleted = extras.edit(ctx, "alice", 2, "back");
    expect(deleted.ok || deleted.error.code).toBe("forbidden");
    vi.useFakeTimers({ now: Date.now() + EDIT_WINDOW_SECONDS * 1000 + 1000 });
    try {
      const late = extras.edit(ctx, "alice", 1, "too late");
      expect(late.ok || late.error.code).toBe("forbidden");
    } finally {
      vi.useRealTimers();
    }
    expect(page()[0]?.text).toBe("one");
  });

  it("hands a forward the message a member can see, and nothing to anyone else", () => {
    send("alice", "pass it on");
    const source = extras.forwardSource(ctx, "bob", 1);
    expect(source.ok && "message" in source.value && source.value.message.text).toBe("pass it on");
    const mallory = extras.forwardSource(ctx, "mallory", 1);
    expect(mallory.ok || mallory.error.code).toBe("not_found");
    const forwarded = send("bob", "fw", { text: "pass it on", forwarded: true });
    expect(forwarded.forwarded).toBe(true);
  });
});
