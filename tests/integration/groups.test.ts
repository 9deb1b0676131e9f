/**
 * Groups, receipts and presence against the running stack, through the SDK.
 */
import { describe, expect, it } from "vitest";
import type { Aggregate, Presence } from "../../client/sdk/protocol/index.ts";
import { eventually, person, receivedMessages, type Person } from "./people.ts";

const shuffle = <T>(items: T[]): T[] =>
  items
    .map((v) => [Math.random(), v] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);
const rank: Record<Aggregate, number> = { none: 0, some: 1, all: 2 };

describe("a 200-member group", () => {
  it("reaches every member, and the sender sees delivered and read go some → all, never back", async () => {
    const sender = await person("owner");
    const members: Person[] = [];
    for (let batch = 0; batch < 199; batch += 20) {
      members.push(...(await Promise.all(Array.from({ length: Math.min(20, 199 - batch) }, () => person("member")))));
    }
    const group = await sender.client.api.createGroup(
      "Everyone",
      members.map((m) => m.id),
    );
    expect(group.members).toHaveLength(200);
    await sender.connect();
    const message = await sender.client.connection!.send(group.id, { text: "hello, 199 people" });

    // The aggregate state of this message, as the sender's device sees it change.
    const seen: { delivered: Aggregate; read: Aggregate }[] = [];
    const watch = () => {
      for (const e of sender.events) {
        if (e.kind !== "status" || e.conversationId !== group.id) continue;
        const of = (some: number, all: number): Aggregate =>
          message.seq <= all ? "all" : message.seq <= some ? "some" : "none";
        seen.push({ delivered: of(e.deliveredSome, e.deliveredAll), read: of(e.readSome, e.readAll) });
      }
    };

    // Members come online in random order; each device gets the message and acks it (delivered).
    for (const m of shuffle(members)) await m.connect();
    await eventually(() => {
      for (const m of members) expect(receivedMessages(m, group.id).map((x) => x.text)).toContain("hello, 199 people");
    }, 60_000);
    await eventually(async () => {
      const status = await sender.client.api.messageStatus(group.id, message.seq);
      expect(status.delivered).toBe("all");
    }, 30_000);
    // Then they read it, in another random order.
    for (const m of shuffle(members)) await m.client.api.markRead(group.id, message.seq);
    const status = await sender.client.api.messageStatus(group.id, message.seq);
    expect(status).toMatchObject({ delivered: "all", read: "all" });
    expect(status.recipients).toHaveLength(199);
    expect(status.recipients.every((r) => r.deliveredAt !== null && r.readAt !== null)).toBe(true);

    await eventually(() => {
      seen.length = 0;
      watch();
      expect(seen.at(-1)).toEqual({ delivered: "all", read: "all" });
    }, 20_000);
    // Both aggregates passed through "some" and never went backwards.
    expect(seen.some((s) => s.delivered === "some")).toBe(true);
    expect(seen.some((s) => s.read === "some")).toBe(true);
    for (let i = 1; i < seen.length; i++) {
      expect(rank[seen[i]!.delivered]).toBeGreaterThanOrEqual(rank[seen[i - 1]!.delivered]);
      expect(rank[seen[i]!.read]).toBeGreaterThanOrEqual(rank[seen[i - 1]!.read]);
    }
    // Coalesced: a handful of status events for 199 readers, not hundreds.
    expect(sender.events.filter((e) => e.kind === "status").length).toBeLessThan(40);
    sender.client.close();
    for (const m of members) m.client.close();
  }, 240_000);
});

describe("group membership", () => {
  it("never delivers to carol what is sent after her removal, live or on resume", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const group = await alice.client.api.createGroup("Trip", [bob.id, carol.id]);
    await carol.connect();
    await alice.client.api.sendMessage(group.id, { clientId: "1", text: "before" });
    await eventually(() => expect(receivedMessages(carol, group.id).map((m) => m.text)).toContain("before"));
    await alice.client.api.deleteMember(group.id, carol.id);
    await alice.client.api.sendMessage(group.id, { clientId: "2", text: "after, live" });
    carol.client.close();
    await alice.client.api.sendMessage(group.id, { clientId: "3", text: "after, offline" });
    await carol.connect();
    await bob.connect();
    await eventually(() => expect(receivedMessages(bob, group.id).map((m) => m.text)).toContain("after, offline"));
    await new Promise((r) => setTimeout(r, 500));
    const carolTexts = receivedMessages(carol, group.id).map((m) => m.text ?? m.system?.kind);
    expect(carolTexts).toEqual(["created", "before", "member_removed"]);
    expect((await carol.client.api.history(group.id)).map((m) => m.text ?? m.system?.kind)).toEqual([
      "created",
      "before",
      "member_removed",
    ]);
    const list = await carol.client.api.conversations();
    expect(list.find((c) => c.id === group.id)?.active).toBe(false);
    await expect(carol.client.api.sendMessage(group.id, { clientId: "4", text: "hey" })).rejects.toMatchObject({
      code: "forbidden",
    });
    bob.client.close();
    carol.client.close();
  });

  it("refuses the 201st member with group_full and changes nothing", async () => {
    const owner = await person("owner");
    const many: Person[] = [];
    for (let batch = 0; batch < 200; batch += 25)
      many.push(...(await Promise.all(Array.from({ length: 25 }, () => person("m")))));
    const group = await owner.client.api.createGroup(
      "Full",
      many.slice(0, 199).map((m) => m.id),
    );
    await expect(owner.client.api.addMembers(group.id, [many[199]!.id])).rejects.toMatchObject({
      status: 409,
      code: "group_full",
    });
    expect((await owner.client.api.conversation(group.id)).members).toHaveLength(200);
  }, 180_000);

  it("lets only admins manage members and promotes the oldest member when the last admin leaves", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const group = await alice.client.api.createGroup("Club", [bob.id]);
    await expect(bob.client.api.addMembers(group.id, [carol.id])).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
    await alice.client.api.addMembers(group.id, [carol.id]);
    await alice.client.api.deleteMember(group.id, alice.id);
    const after = await bob.client.api.conversation(group.id);
    expect(after.members.map((m) => [m.userId, m.role])).toEqual([
      [bob.id, "admin"],
      [carol.id, "member"],
    ]);
  });
});

describe("presence", () => {
  it("shows alice online to bob live, then last seen a few seconds after she leaves", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    await alice.client.api.openDirect(bob.id);
    await bob.connect();
    const updates: Presence[] = [];
    bob.client.on("presence", (p) => updates.push(p));
    await alice.connect();
    await eventually(() => expect(updates.some((p) => p.userId === alice.id && p.online)).toBe(true));
    expect((await bob.client.api.presence([alice.id]))[0]).toMatchObject({ userId: alice.id, online: true });
    alice.client.close();
    await eventually(
      () => expect(updates.some((p) => p.userId === alice.id && !p.online && p.lastSeenAt)).toBe(true),
      15_000,
    );
    const [seen] = await bob.client.api.presence([alice.id]);
    expect(seen?.online).toBe(false);
    expect(Date.now() - Date.parse(seen!.lastSeenAt!)).toBeLessThan(20_000);
    bob.client.close();
  });

  it("never shows a user who chose nobody as online", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    await alice.client.api.openDirect(bob.id);
    await alice.client.api.setPrivacy("nobody");
    expect(await alice.client.api.privacy()).toBe("nobody");
    await bob.connect();
    const updates: Presence[] = [];
    bob.client.on("presence", (p) => updates.push(p));
    await alice.connect();
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await bob.client.api.presence([alice.id]))[0]).toEqual({
      userId: alice.id,
      online: false,
      lastSeenAt: null,
    });
    expect(updates.filter((p) => p.userId === alice.id && (p.online || p.lastSeenAt))).toEqual([]);
    // She still sees herself.
    expect((await alice.client.api.presence([alice.id]))[0]?.online).toBe(true);
    alice.client.close();
    bob.client.close();
  });

  it("answers presence for 200 ids in one call", async () => {
    const alice = await person("alice");
    const ids = Array.from({ length: 200 }, (_, i) => `u_unknown${i}`);
    const presence = await alice.client.api.presence(ids);
    expect(presence).toHaveLength(200);
    await expect(alice.client.api.presence([...ids, "u_one_more"])).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("relays typing to the other member", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    await alice.connect();
    await bob.connect();
    const typing: { userId: string; typing: boolean }[] = [];
    bob.client.on("typing", (t) => typing.push(t));
    alice.client.connection!.typing(chat.id, true);
    await eventually(() => expect(typing).toContainEqual(expect.objectContaining({ userId: alice.id, typing: true })));
    alice.client.close();
    bob.client.close();
  });
});
