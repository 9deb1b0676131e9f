/**
 * The hub side of profile changes (durable-objects/user-hub/profiles.ts): the changed user's hub fans
 * a `profile` event out to direct peers and to members of their groups; receivers log it (replay),
 * push it live, show it in the chat list, and keep only the newest version.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Event, ServerFrame, User } from "../../client/sdk/protocol/index.ts";
import { isType, openDevice, type TestDevice } from "./hub-socket.ts";

const conv = (id: string) => env.CONVERSATION.getByName(id);
const hub = (userId: string) => env.USER_HUB.getByName(userId);

async function open(id: string, type: "direct" | "group", creatorId: string, memberIds: string[]) {
  const r = await conv(id).open({ id, type, creatorId, memberIds, ...(type === "group" ? { name: "Team" } : {}) });
  if (!r.ok) throw new Error(r.error.message);
  // A direct chat reaches the peer's list with its first message (opening it tells the peer nothing).
  if (type === "direct") expect((await conv(id).send(creatorId, { clientId: "first", text: "hi" })).ok).toBe(true);
  await runDurableObjectAlarm(conv(id)); // the conversation events reach every member's hub
}

const profile = (id: string, displayName: string): User => ({
  id,
  username: id,
  displayName,
  about: "",
  pictureUrl: `/v1/media/m_${displayName.replace(/\W/g, "")}?u=${id}`,
  createdAt: "2026-11-26T00:00:00.000Z",
});

const eventsOf = (frames: ServerFrame[]): Event[] => frames.flatMap((f) => (f.type === "events" ? f.events : []));
const profilesIn = (frames: ServerFrame[]) =>
  eventsOf(frames).flatMap((e) => (e.kind === "profile" ? [e.user.displayName] : []));

async function device(userId: string, cursor = 0): Promise<TestDevice> {
  const d = await openDevice(userId);
  d.send({ type: "hello", v: 1, deviceId: `${userId}-dev`, cursor });
  await d.next(isType("synced"));
  return d;
}

/** What a device that connects now replays: the profile events still in the user's log. */
async function replayedProfiles(userId: string): Promise<string[]> {
  const d = await device(userId);
  d.ws.close();
  return profilesIn(d.frames);
}

async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe("profile events (UserHub)", () => {
  it("reach direct peers and group members, live and on replay, and the peer's chat list", async () => {
    await open("d_pf", "direct", "pf_bob", ["pf_alice"]);
    await open("g_pf", "group", "pf_carol", ["pf_bob", "pf_dave"]);
    await open("g_pf_left", "group", "pf_bob", ["pf_erin"]);
    expect((await conv("g_pf_left").removeMember("pf_bob", "pf_bob")).ok).toBe(true);
    await runDurableObjectAlarm(conv("g_pf_left"));
    await open("d_pf_other", "direct", "pf_frank", ["pf_alice"]);

    const alice = await device("pf_alice");
    const bobOther = await device("pf_bob");
    await hub("pf_bob").profileChanged(profile("pf_bob", "Robert"), 1_000);

    // Live: alice (direct peer) and bob's own other device.
    await alice.until((fs) => profilesIn(fs).includes("Robert"));
    await bobOther.until((fs) => profilesIn(fs).includes("Robert"));
    const event = eventsOf(alice.frames).find((e) => e.kind === "profile");
    expect(event).toMatchObject({ kind: "profile", user: profile("pf_bob", "Robert") });

    // Group members, offline: in their log for the next device to replay.
    await eventually(async () => expect(await replayedProfiles("pf_carol")).toEqual(["Robert"]));
    await eventually(async () => expect(await replayedProfiles("pf_dave")).toEqual(["Robert"]));
    // Not told: someone bob shares only a group he left with, and alice's other peer.
    expect(await replayedProfiles("pf_erin")).toEqual([]);
    expect(await replayedProfiles("pf_frank")).toEqual([]);

    // The chat list: alice's direct chat with bob carries his new profile; her chat with frank none.
    const list = await hub("pf_alice").chatList();
    expect(list.find((c) => c.id === "d_pf")?.peer).toMatchObject({ id: "pf_bob", displayName: "Robert" });
    expect(list.find((c) => c.id === "d_pf_other")?.peer).toBeNull();
    expect(list.find((c) => c.id === "d_pf")?.status).toEqual({
      deliveredSome: 0,
      deliveredAll: 0,
      readSome: 0,
      readAll: 0,
    });
    alice.ws.close();
    bobOther.ws.close();
  });

  it("keeps only the newest version: repeats and late, older changes change nothing", async () => {
    await open("d_pv", "direct", "pv_bob", ["pv_alice"]);
    const alice = await device("pv_alice");
    await hub("pv_bob").profileChanged(profile("pv_bob", "Second"), 2_000);
    await alice.until((fs) => profilesIn(fs).includes("Second"));
    // An older change arriving late (two PATCHes racing), and the same change told twice.
    await hub("pv_bob").profileChanged(profile("pv_bob", "First"), 1_000);
    await hub("pv_bob").profileChanged(profile("pv_bob", "Second"), 2_000);
    await hub("pv_alice").peerProfile(profile("pv_bob", "First"), 1_500);
    await hub("pv_alice").peerProfile(profile("pv_bob", "Second"), 2_000);
    // A copy read from Postgres (version 0) never replaces a real one.
    await hub("pv_alice").rememberPeers([profile("pv_bob", "Stale")]);
    await hub("pv_bob").profileChanged(profile("pv_bob", "Third"), 3_000);
    await alice.until((fs) => profilesIn(fs).includes("Third"));
    expect(profilesIn(alice.frames)).toEqual(["Second", "Third"]);
    expect(await replayedProfiles("pv_alice")).toEqual(["Second", "Third"]);
    const list = await hub("pv_alice").chatList();
    expect(list.find((c) => c.id === "d_pv")?.peer?.displayName).toBe("Third");
    alice.ws.close();
  });

  it("fills unknown peers from a Postgres copy until a real change arrives", async () => {
    await open("d_pr", "direct", "pr_bob", ["pr_alice"]);
    expect((await hub("pr_alice").chatList()).find((c) => c.id === "d_pr")?.peer).toBeNull();
    await hub("pr_alice").rememberPeers([profile("pr_bob", "Bob")]);
    expect((await hub("pr_alice").chatList()).find((c) => c.id === "d_pr")?.peer?.displayName).toBe("Bob");
    await hub("pr_bob").profileChanged(profile("pr_bob", "Bobby"), 5_000);
    await eventually(async () =>
      expect((await hub("pr_alice").chatList()).find((c) => c.id === "d_pr")?.peer?.displayName).toBe("Bobby"),
    );
  });

  it("sends a changed profile to a new direct peer whose hub copied an older one", async () => {
    await hub("pn_bob").profileChanged(profile("pn_bob", "Changed"), 7_000);
    // Alice's hub read bob's profile from Postgres just before the change (before the chat existed).
    await hub("pn_alice").rememberPeers([profile("pn_bob", "Original")]);
    await open("d_pn", "direct", "pn_alice", ["pn_bob"]);
    await eventually(async () =>
      expect((await hub("pn_alice").chatList()).find((c) => c.id === "d_pn")?.peer?.displayName).toBe("Changed"),
    );
    expect(await replayedProfiles("pn_alice")).toEqual(["Changed"]);
    // Someone who never changed theirs sends nothing: the Postgres copy is current.
    await open("d_pn2", "direct", "pn_carol", ["pn_alice"]);
    expect((await hub("pn_carol").stats()).profileQueue).toBe(0);
  });

  it("tells everyone in every shared chat, then has nothing left queued", async () => {
    await open("d_po", "direct", "po_bob", ["po_alice"]);
    await open("g_po1", "group", "po_bob", ["po_alice", "po_carol"]);
    await open("g_po2", "group", "po_carol", ["po_alice", "po_bob", "po_dave"]);
    await hub("po_bob").profileChanged(profile("po_bob", "Once"), 1_000);
    await hub("po_bob").profileChanged(profile("po_bob", "Twice"), 2_000);
    await eventually(async () => expect((await hub("po_bob").stats()).profileQueue).toBe(0));
    // Changes in quick succession may coalesce: each person ends on the newest, never on an older one.
    for (const person of ["po_alice", "po_carol", "po_dave"]) {
      expect((await replayedProfiles(person)).at(-1)).toBe("Twice");
    }
    await runDurableObjectAlarm(hub("po_bob"));
    expect((await hub("po_bob").stats()).profileQueue).toBe(0);
  });
});
