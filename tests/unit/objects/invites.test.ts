/**
 * Group invite links over the Conversation DO's rules in Node: admins make and revoke links, a new
 * link ends the old one, anyone with the current one previews and joins (a system message), a full
 * group refuses with nothing changed.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_GROUP_MEMBERS, splitInviteToken } from "../../../client/sdk/protocol/index.ts";
import * as groups from "../../../durable-objects/conversation/group-ops.ts";
import * as invites from "../../../durable-objects/conversation/invites.ts";
import * as messages from "../../../durable-objects/conversation/messages.ts";
import { conversationObject } from "./conversation-object.ts";

describe("invite links", () => {
  let o: ReturnType<typeof conversationObject>;
  const secretOf = (token: string) => splitInviteToken(token).secret;
  beforeEach(() => {
    o = conversationObject();
    messages.open(
      o.ctx,
      { id: "g_1", type: "group", creatorId: "alice", memberIds: ["bob"], name: "Club" },
      (c, n, t) => groups.recordCreated(o.ctx, c, n, t),
    );
  });

  it("lets carol preview and join with alice's link, as a system message", () => {
    const made = invites.createInvite(o.ctx, "alice");
    if (!made.ok) throw new Error(made.error.message);
    expect(splitInviteToken(made.value).conversationId).toBe("g_1");
    const secret = secretOf(made.value);
    expect(invites.invitePreview(o.ctx, secret)).toEqual({
      ok: true,
      value: { name: "Club", pictureUrl: null, memberCount: 2 },
    });
    const joined = invites.joinByInvite(o.ctx, "carol", secret);
    expect(joined.ok && joined.value.members.map((m) => m.userId)).toContain("carol");
    const last = messages.history(o.ctx, "carol", { limit: 5 });
    expect(last.ok && last.value.messages.at(-1)?.system).toEqual({ kind: "joined_by_link", userId: "carol" });
    // Joining twice changes nothing.
    const seq = o.store.meta?.last_seq;
    expect(invites.joinByInvite(o.ctx, "carol", secret).ok).toBe(true);
    expect(o.store.meta?.last_seq).toBe(seq);
  });

  it("ends the old link when alice resets or revokes it", () => {
    const first = invites.createInvite(o.ctx, "alice");
    const second = invites.createInvite(o.ctx, "alice");
    if (!first.ok || !second.ok) throw new Error("no link");
    expect(first.value).not.toBe(second.value);
    expect(invites.invitePreview(o.ctx, secretOf(first.value))).toMatchObject({ error: { code: "not_found" } });
    expect(invites.joinByInvite(o.ctx, "carol", secretOf(first.value))).toMatchObject({ error: { code: "not_found" } });
    expect(invites.revokeInvite(o.ctx, "alice").ok).toBe(true);
    expect(invites.invitePreview(o.ctx, secretOf(second.value))).toMatchObject({ error: { code: "not_found" } });
    expect(o.store.member("carol")).toBeNull();
  });

  it("lets only admins make or revoke links, and answers a made-up secret as missing", () => {
    expect(invites.createInvite(o.ctx, "bob")).toMatchObject({ error: { code: "forbidden" } });
    expect(invites.revokeInvite(o.ctx, "bob")).toMatchObject({ error: { code: "forbidden" } });
    expect(invites.createInvite(o.ctx, "mallory")).toMatchObject({ error: { code: "not_found" } });
    invites.createInvite(o.ctx, "alice");
    expect(invites.invitePreview(o.ctx, "0".repeat(32))).toMatchObject({ error: { code: "not_found" } });
  });

  it("refuses a join into a full group and changes nothing", () => {
    const made = invites.createInvite(o.ctx, "alice");
    if (!made.ok) throw new Error("no link");
    const others = Array.from({ length: MAX_GROUP_MEMBERS - 2 }, (_, i) => `u${i}`);
    expect(groups.addMembers(o.ctx, "alice", others).ok).toBe(true);
    const seq = o.store.meta?.last_seq;
    expect(invites.joinByInvite(o.ctx, "carol", secretOf(made.value))).toMatchObject({
      error: { code: "group_full" },
    });
    expect(o.store.meta?.last_seq).toBe(seq);
  });
});
