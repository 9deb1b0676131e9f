/**
 * Group description and settings over the Conversation DO's rules in Node: only admins change the
 * settings; "only admins send" refuses members' sends with nothing stored; "only admins edit" is
 * the default and, turned off, lets members change the info; each change is one system message.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { SystemEvent } from "../../../client/sdk/protocol/index.ts";
import * as groups from "../../../durable-objects/conversation/group-ops.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import { ok } from "../../../lib/result.ts";
import { conversationObject } from "./conversation-object.ts";

const admitAll = () => ok(null);

describe("group settings", () => {
  let o: ReturnType<typeof conversationObject>;
  const systems = (): SystemEvent[] => {
    const page = messages.history(o.ctx, "alice", { limit: 100 });
    return page.ok ? page.value.messages.flatMap((m) => (m.system ? [m.system] : [])) : [];
  };
  beforeEach(() => {
    o = conversationObject();
    messages.open(
      o.ctx,
      { id: "g_1", type: "group", creatorId: "alice", memberIds: ["bob"], name: "Club" },
      (c, n, t) => groups.recordCreated(o.ctx, c, n, t),
    );
  });

  it("starts with no description, everyone sending and only admins editing", () => {
    expect(messages.describe(o.ctx)).toMatchObject({ description: "", onlyAdminsSend: false, onlyAdminsEdit: true });
  });

  it("refuses bob's send once only admins can send, stores nothing, and lets alice send", () => {
    const changed = groups.updateGroup(o.ctx, "alice", { onlyAdminsSend: true });
    expect(changed.ok && changed.value.onlyAdminsSend).toBe(true);
    const lastSeq = o.store.meta?.last_seq;
    const refused = messages.send(o.ctx, "bob", { clientId: "b1", text: "hi" }, admitAll);
    expect(refused).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(o.store.meta?.last_seq).toBe(lastSeq);
    expect(messages.send(o.ctx, "alice", { clientId: "a1", text: "announcement" }, admitAll).ok).toBe(true);
    expect(systems().at(-1)).toEqual({ kind: "settings_changed", by: "alice", onlyAdminsSend: true });
  });

  it("lets only admins change settings, and members edit the info only when allowed", () => {
    expect(groups.updateGroup(o.ctx, "bob", { onlyAdminsEdit: false })).toMatchObject({ error: { code: "forbidden" } });
    expect(groups.updateGroup(o.ctx, "bob", { description: "rules" })).toMatchObject({ error: { code: "forbidden" } });
    expect(o.store.meta?.description).toBeNull();
    expect(groups.updateGroup(o.ctx, "alice", { onlyAdminsEdit: false }).ok).toBe(true);
    const edited = groups.updateGroup(o.ctx, "bob", { description: "Be kind.\nNo spam.", name: "Book club" });
    expect(edited.ok && edited.value).toMatchObject({ description: "Be kind.\nNo spam.", name: "Book club" });
    expect(systems().slice(-3)).toEqual([
      { kind: "settings_changed", by: "alice", onlyAdminsEdit: false },
      { kind: "description_changed", by: "bob", description: "Be kind.\nNo spam." },
      { kind: "renamed", by: "bob", name: "Book club" },
    ]);
  });

  it("records nothing when a setting is set to what it already is", () => {
    const before = o.store.meta?.last_seq;
    groups.updateGroup(o.ctx, "alice", { onlyAdminsSend: false, onlyAdminsEdit: true, description: "" });
    expect(o.store.meta?.last_seq).toBe(before);
  });

  it("answers a stranger as a missing conversation", () => {
    expect(groups.updateGroup(o.ctx, "mallory", { description: "x" })).toMatchObject({ error: { code: "not_found" } });
  });
});
