/**
 * Blocking against the running stack, through the SDK (README "Blocking"): what a blocked person
 * sends is accepted for them and never reaches the blocker, not even after an unblock; they cannot
 * add the blocker to groups; the blocker's presence and profile are hidden from them; the blocked
 * list reaches every device of the blocker. Groups they share keep working.
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../client/sdk/index.ts";
import { eventually, fullHistory, person, receivedMessages } from "./people.ts";

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

describe("blocking", () => {
  it("accepts what bob sends after alice blocked him, and never delivers it to her, not even after the unblock", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await Promise.all([alice.connect(), bob.connect()]);
    await bob.client.connection!.send(chat.id, { text: "before" });
    await eventually(() => expect(receivedMessages(alice, chat.id).map((m) => m.text)).toEqual(["before"]));

    await alice.client.api.block(bob.id);
    expect((await alice.client.api.blocked()).map((u) => u.id)).toEqual([bob.id]);
    const during = await bob.client.connection!.send(chat.id, { text: "during" });
    expect(during.seq).toBe(2);
    const rest = await bob.client.api.sendMessage(chat.id, { clientId: "rest-1", text: "during, over REST" });
    expect(rest.seq).toBe(3);

    // One tick for bob: alice's devices never had "during" (they acked everything they got).
    await new Promise((r) => setTimeout(r, 500));
    const status = await bob.client.api.messageStatus(chat.id, during.seq);
    expect(status).toMatchObject({ delivered: "none", read: "none" });
    expect(receivedMessages(alice, chat.id).map((m) => m.text)).toEqual(["before"]);

    await alice.client.api.unblock(bob.id);
    expect(await alice.client.api.blocked()).toEqual([]);
    await bob.client.connection!.send(chat.id, { text: "after" });
    await eventually(() => expect(receivedMessages(alice, chat.id).map((m) => m.text)).toEqual(["before", "after"]));
    expect((await fullHistory(alice, chat.id)).map((m) => m.text)).toEqual(["before", "after"]);
    expect((await fullHistory(bob, chat.id)).map((m) => m.text)).toEqual([
      "before",
      "during",
      "during, over REST",
      "after",
    ]);
    // Nor does alice's chat list count it.
    const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
    expect(row?.lastMessage?.text).toBe("after");
    alice.client.close();
    bob.client.close();
  });

  it("refuses alice's sends while she blocks bob, and lets bob not add her to groups; shared groups keep working", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const chat = await alice.client.api.openDirect(bob.id);
    const shared = await carol.client.api.createGroup("Shared", [alice.id, bob.id]);
    await alice.client.api.block(bob.id);

    expect(await codeOf(alice.client.api.sendMessage(chat.id, { clientId: "x", text: "hi" }))).toBe("403 blocked");
    expect(await codeOf(bob.client.api.createGroup("Trap", [alice.id]))).toBe("403 forbidden");
    const bobs = await bob.client.api.createGroup("Bob's", [carol.id]);
    expect(await codeOf(bob.client.api.addMembers(bobs.id, [alice.id]))).toBe("403 forbidden");
    expect((await bob.client.api.conversation(bobs.id)).members.map((m) => m.userId).sort()).toEqual(
      [bob.id, carol.id].sort(),
    );
    // Carol can still add alice anywhere, and alice and bob still talk in the shared group.
    await bob.client.api.setRole(bobs.id, carol.id, "admin");
    expect((await carol.client.api.addMembers(bobs.id, [alice.id])).members).toHaveLength(3);
    await bob.client.api.sendMessage(shared.id, { clientId: "g1", text: "in the group" });
    expect((await fullHistory(alice, shared.id)).map((m) => m.text)).toContain("in the group");

    // Refused requests changed nothing: blocking yourself or a stranger.
    expect(await codeOf(alice.client.api.block(alice.id))).toBe("400 invalid_request");
    expect(await codeOf(alice.client.api.block("u_nobody_here"))).toBe("404 not_found");
    expect((await alice.client.api.blocked()).map((u) => u.id)).toEqual([bob.id]);
  });

  it("hides alice's presence and profile from bob while she blocks him", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    await alice.client.api.openDirect(bob.id);
    await alice.client.api.updateMe({ about: "on holiday" });
    await alice.connect();
    await eventually(async () => expect((await bob.client.api.presence([alice.id]))[0]?.online).toBe(true));

    await alice.client.api.block(bob.id);
    expect(await bob.client.api.presence([alice.id])).toEqual([{ userId: alice.id, online: false, lastSeenAt: null }]);
    expect((await bob.client.api.user(alice.id)).about).toBe("");
    await alice.client.api.updateMe({ displayName: "Alice B." });
    await new Promise((r) => setTimeout(r, 500));
    expect(bob.events.filter((e) => e.kind === "profile" && e.user.id === alice.id)).toEqual([]);

    await alice.client.api.unblock(bob.id);
    expect((await bob.client.api.presence([alice.id]))[0]?.online).toBe(true);
    expect((await bob.client.api.user(alice.id)).about).toBe("on holiday");
    alice.client.close();
  });

  it("puts alice's blocked list on each of her devices, live and on a fresh device", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    await alice.connect();
    await alice.client.api.block(bob.id);
    await eventually(() =>
      expect(alice.events.filter((e) => e.kind === "blocked")).toEqual([
        expect.objectContaining({ kind: "blocked", userId: bob.id, blocked: true }),
      ]),
    );
    await alice.client.api.unblock(bob.id);
    await eventually(() =>
      expect(alice.events.filter((e) => e.kind === "blocked").map((e) => e.kind === "blocked" && e.blocked)).toEqual([
        true,
        false,
      ]),
    );
    alice.client.close();
  });
});
