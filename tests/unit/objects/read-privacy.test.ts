/**
 * Read receipts off, over the Conversation DO's rules in Node: in a direct chat where either member
 * turned them off, the sender's status stays at delivered and the message info shows no read time;
 * the reader's own watermark still moves; groups always show reads; turning them back on catches up.
 */
import { describe, expect, it } from "vitest";
import type { EventBody } from "../../../client/sdk/protocol/index.ts";
import * as groups from "../../../durable-objects/conversation/group-ops.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import { setPrivateReads } from "../../../durable-objects/conversation/read-privacy.ts";
import { emitStatusChanges, messageStatus, moveWatermark } from "../../../durable-objects/conversation/watermarks.ts";
import { ok } from "../../../lib/result.ts";
import { conversationObject } from "./conversation-object.ts";

const admitAll = () => ok(null);

function direct(privateReads: string[]) {
  const o = conversationObject();
  messages.open(o.ctx, { id: "d_ab", type: "direct", creatorId: "alice", memberIds: ["bob"], privateReads }, () => {});
  return o;
}

/** The last status event `userId` is owed, from the pending events. */
function lastStatus(store: ReturnType<typeof conversationObject>["store"], userId: string) {
  const statuses = store.events
    .filter((e) => e.target === userId)
    .map((e) => JSON.parse(e.json) as EventBody)
    .filter((b) => b.kind === "status");
  return statuses.at(-1) ?? null;
}

describe("read receipts off", () => {
  it("shows alice delivered but never read when bob turned read receipts off", () => {
    const { ctx, store } = direct(["bob"]);
    messages.send(ctx, "alice", { clientId: "c1", text: "hi" }, admitAll);
    moveWatermark(ctx, "bob", 1, "delivered");
    moveWatermark(ctx, "bob", 1, "read");
    expect(lastStatus(store, "alice")).toMatchObject({ deliveredAll: 1, readSome: 0, readAll: 0 });
    const status = messageStatus(ctx, "alice", 1);
    expect(status.ok && status.value).toMatchObject({ delivered: "all", read: "none" });
    expect(status.ok && status.value.recipients[0]?.readAt).toBeNull();
    // Bob's own read position still moves: his unread counts follow on his devices.
    expect(store.member("bob")?.read_upto).toBe(1);
  });

  it("hides bob's reads from alice when alice turned hers off (she sees none either way)", () => {
    const { ctx, store } = direct([]);
    expect(setPrivateReads(ctx, "alice", true, emitStatusChanges).ok).toBe(true);
    messages.send(ctx, "alice", { clientId: "c1", text: "hi" }, admitAll);
    moveWatermark(ctx, "bob", 1, "read");
    expect(lastStatus(store, "alice")).toMatchObject({ deliveredAll: 1, readAll: 0 });
  });

  it("shows the reads at once when read receipts are turned back on", () => {
    const { ctx, store } = direct(["bob"]);
    messages.send(ctx, "alice", { clientId: "c1", text: "hi" }, admitAll);
    moveWatermark(ctx, "bob", 1, "read");
    expect(lastStatus(store, "alice")).toMatchObject({ readAll: 0 });
    setPrivateReads(ctx, "bob", false, emitStatusChanges);
    expect(lastStatus(store, "alice")).toMatchObject({ readSome: 1, readAll: 1 });
    const status = messageStatus(ctx, "alice", 1);
    expect(status.ok && status.value.read).toBe("all");
  });

  it("keeps reads in groups whatever the members chose", () => {
    const { ctx, store } = conversationObject();
    messages.open(ctx, { id: "g_1", type: "group", creatorId: "alice", memberIds: ["bob"], name: "G" }, (c, n, t) =>
      groups.recordCreated(ctx, c, n, t),
    );
    expect(setPrivateReads(ctx, "bob", true, emitStatusChanges).ok).toBe(true);
    expect(store.meta?.private_reads).toBeNull();
    const sent = messages.send(ctx, "alice", { clientId: "c1", text: "hi" }, admitAll);
    const seq = sent.ok ? sent.value.message.seq : 0;
    moveWatermark(ctx, "bob", seq, "read");
    expect(lastStatus(store, "alice")).toMatchObject({ readAll: seq });
  });

  it("costs a receipt no extra statement", () => {
    const plain = direct([]);
    const hidden = direct(["bob"]);
    const count = (o: ReturnType<typeof direct>) => {
      messages.send(o.ctx, "alice", { clientId: "c1", text: "hi" }, admitAll);
      o.storage.sql.statements = 0;
      moveWatermark(o.ctx, "bob", 1, "read");
      return o.storage.sql.statements;
    };
    expect(count(hidden)).toBeLessThanOrEqual(count(plain));
  });

  it("answers a stranger as a missing conversation", () => {
    const { ctx } = direct([]);
    expect(setPrivateReads(ctx, "mallory", true, emitStatusChanges)).toMatchObject({ ok: false });
  });
});
