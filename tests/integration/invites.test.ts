/**
 * Group invite links against the running stack, through the SDK (README "Invite links"): an admin's
 * link previews and joins for anyone signed in; a reset or revoked link is 404; a full group is 409
 * `group_full`; members see the join in the seq stream.
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import { MAX_GROUP_MEMBERS } from "../../client/sdk/protocol/index.ts";
import { eventually, person, receivedMessages, type Person } from "./people.ts";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

describe("invite links", () => {
  it("lets carol preview and join with alice's link; a reset link ends the old one, a revoked one is 404", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const dave = await person("dave");
    const group = await alice.client.api.createGroup("Hikers", [bob.id]);
    await bob.connect();

    expect(await codeOf(bob.client.api.createInvite(group.id))).toBe("403 forbidden");
    const invite = await alice.client.api.createInvite(group.id);
    expect(invite.url).toMatch(new RegExp(`/#invite=${invite.token}$`));
    expect(await carol.client.api.invitePreview(invite.token)).toEqual({
      name: "Hikers",
      pictureUrl: null,
      memberCount: 2,
    });
    const joined = await carol.client.api.joinInvite(invite.token);
    expect(joined.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id, carol.id].sort());
    await eventually(() =>
      expect(receivedMessages(bob, group.id).at(-1)?.system).toEqual({ kind: "joined_by_link", userId: carol.id }),
    );
    expect((await carol.client.api.conversations()).map((c) => c.id)).toContain(group.id);

    const reset = await alice.client.api.createInvite(group.id);
    expect(reset.token).not.toBe(invite.token);
    expect(await codeOf(dave.client.api.invitePreview(invite.token))).toBe("404 not_found");
    expect(await codeOf(dave.client.api.joinInvite(invite.token))).toBe("404 not_found");
    await alice.client.api.revokeInvite(group.id);
    expect(await codeOf(dave.client.api.joinInvite(reset.token))).toBe("404 not_found");
    expect((await alice.client.api.conversation(group.id)).members).toHaveLength(3);
    // Malformed tokens are refused before any object is asked.
    expect(await codeOf(dave.client.api.invitePreview("not-a-token"))).toBe("400 invalid_request");
    bob.client.close();
  });

  it("answers group_full at 200 members and lets nobody in", async () => {
    const alice = await person("alice");
    const members: Person[] = [];
    for (let batch = 0; batch < MAX_GROUP_MEMBERS - 1; batch += 20) {
      const n = Math.min(20, MAX_GROUP_MEMBERS - 1 - batch);
      members.push(...(await Promise.all(Array.from({ length: n }, () => person("member")))));
    }
    const group = await alice.client.api.createGroup(
      "Full",
      members.map((m) => m.id),
    );
    const invite = await alice.client.api.createInvite(group.id);
    const late = await person("late");
    expect((await late.client.api.invitePreview(invite.token)).memberCount).toBe(MAX_GROUP_MEMBERS);
    expect(await codeOf(late.client.api.joinInvite(invite.token))).toBe("409 group_full");
    expect((await alice.client.api.conversation(group.id)).members).toHaveLength(MAX_GROUP_MEMBERS);
  });
});
