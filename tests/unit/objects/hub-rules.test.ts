/**
 * The hub's presence and push decisions, in plain Node over SQLite: online while a device is
 * connected, offline with last seen only after the grace, and a push opened for a message from
 * someone else, coalesced per chat, cancelled by an ack, a mute or a delete for everyone.
 */
import { describe, expect, it, vi } from "vitest";
import type { Event, Message, Presence, User } from "../../../client/sdk/protocol/index.ts";
import { OFFLINE_GRACE_MS } from "../../../lib/presence.ts";
import { HubPresence } from "../../../durable-objects/user-hub/presence.ts";
import { HubProfiles } from "../../../durable-objects/user-hub/profiles.ts";
import { HubPush, PUSH_DELAY_MS } from "../../../durable-objects/user-hub/push.ts";
import { HUB_MIGRATIONS } from "../../../durable-objects/user-hub/schema.ts";
import { HubStore } from "../../../durable-objects/user-hub/store.ts";
import { REFUSALS_BEFORE_ISOLATING } from "../../../durable-objects/shared/isolate.ts";
import { migrate } from "../../../durable-objects/shared/migrations.ts";
import { NodeStorage } from "./sqlite-storage.ts";

function hubStore() {
  const storage = new NodeStorage();
  migrate(storage.storage, HUB_MIGRATIONS);
  const store = new HubStore(storage.sqlStorage);
  store.load();
  return { storage, store };
}

describe("presence, in Node", () => {
  function presence(live: { devices: number }) {
    const { store } = hubStore();
    const told: Presence[] = [];
    const alarms: number[] = [];
    store.upsertChat({ id: "d_1", type: "direct", name: null, peerId: "bob", active: true }, Date.now());
    const hub = new HubPresence(store, {
      userId: () => "alice",
      hides: (peerId) => store.isBlock("out", peerId),
      liveDevices: () => live.devices,
      schedule: (at) => alarms.push(at),
      waitUntil: () => undefined,
      tellPeer: async (_peer, p) => void told.push(p),
      env: {},
    });
    return { store, hub, told, alarms };
  }

  it("stays online through the grace, then shows last seen to the people she chats with", async () => {
    const live = { devices: 1 };
    const { store, hub, told, alarms } = presence(live);
    hub.online();
    await Promise.resolve();
    expect(hub.record().online).toBe(true);
    expect(told.at(-1)).toMatchObject({ userId: "alice", online: true });
    live.devices = 0;
    hub.socketGone({} as WebSocket);
    expect(alarms.at(-1)).toBeGreaterThanOrEqual(Date.now() + OFFLINE_GRACE_MS - 100);
    await hub.settle(); // too early: still online
    expect(hub.record().online).toBe(true);
    store.setSetting("offline_since", String(Date.now() - OFFLINE_GRACE_MS - 1));
    await hub.settle();
    expect(hub.record()).toMatchObject({ online: false, lastSeenAt: expect.any(Number) });
    expect(told.at(-1)).toMatchObject({ userId: "alice", online: false, lastSeenAt: expect.any(String) });
  });

  it("tells nobody anything but 'offline, never seen' when she chose nobody", async () => {
    const { hub, told } = presence({ devices: 1 });
    await hub.setVisibility("nobody");
    hub.online();
    await Promise.resolve();
    expect(told.at(-1)).toEqual({ userId: "alice", online: false, lastSeenAt: null });
  });

  it("tells bob 'offline, never seen' once alice blocked him, and her real state after the unblock", async () => {
    const { store, hub, told } = presence({ devices: 1 });
    hub.online();
    await Promise.resolve();
    expect(told.at(-1)).toMatchObject({ online: true });
    store.setBlock("out", "bob", true, Date.now());
    await hub.refreshFor("bob");
    expect(told.at(-1)).toEqual({ userId: "alice", online: false, lastSeenAt: null });
    store.setBlock("out", "bob", false, Date.now());
    await hub.refreshFor("bob");
    expect(told.at(-1)).toMatchObject({ userId: "alice", online: true });
  });
});

describe("push decisions, in Node", () => {
  const message = (seq: number, senderId: string): Message => ({
    conversationId: "d_1",
    seq,
    clientId: `c${seq}`,
    senderId,
    text: `m${seq}`,
    media: null,
    system: null,
    sentAt: new Date().toISOString(),
    deleted: false,
  });
  const logged = (cursor: number, m: Message): Event => ({
    cursor,
    at: new Date().toISOString(),
    kind: "message",
    message: m,
  });

  function push() {
    const { store } = hubStore();
    store.upsertChat({ id: "d_1", type: "direct", name: null, peerId: "bob", active: true }, Date.now());
    const alarms: number[] = [];
    const hub = new HubPush(
      store,
      {} as Env,
      () => "alice",
      (at) => alarms.push(at),
    );
    return { store, hub, alarms };
  }

  it("opens nothing without a subscription, and one coalesced push per chat with one", () => {
    const { store, hub, alarms } = push();
    hub.onDeliver("d_1", [logged(1, message(1, "bob"))]);
    expect(store.pendingPush("d_1")).toBeNull();
    hub.subscribe({ endpoint: "https://push.example/1", keys: { p256dh: "k", auth: "a" } });
    hub.onDeliver("d_1", [logged(2, message(2, "bob")), logged(3, message(3, "bob")), logged(4, message(4, "alice"))]);
    expect(store.pendingPush("d_1")).toMatchObject({ seqs: "[2,3]", last_cursor: 3 });
    expect(alarms.at(-1)).toBeGreaterThanOrEqual(Date.now() + PUSH_DELAY_MS - 100);
  });

  it("cancels the push when a device acks it, when the chat is muted, or when its only message is deleted", () => {
    const { store, hub } = push();
    hub.subscribe({ endpoint: "https://push.example/1", keys: { p256dh: "k", auth: "a" } });
    hub.onDeliver("d_1", [logged(1, message(1, "bob"))]);
    hub.onAck(1);
    expect(store.pendingPush("d_1")).toBeNull();
    hub.onDeliver("d_1", [logged(2, message(2, "bob"))]);
    hub.onDeliver("d_1", [
      { cursor: 3, at: new Date().toISOString(), kind: "message_deleted", conversationId: "d_1", seq: 2 },
    ]);
    expect(store.pendingPush("d_1")).toBeNull();
    expect(hub.mute("d_1", "always")).toBe(true);
    hub.onDeliver("d_1", [logged(4, message(4, "bob"))]);
    expect(store.pendingPush("d_1")).toBeNull();
    expect(hub.mute("d_unknown", "always")).toBe(false);
  });
});

describe("profile fan-out decisions, in Node", () => {
  const user = (displayName: string): User => ({
    id: "alice",
    username: "alice",
    displayName,
    about: "",
    pictureUrl: null,
    createdAt: new Date(0).toISOString(),
  });

  function profiles() {
    const { storage, store } = hubStore();
    store.upsertChat({ id: "d_1", type: "direct", name: null, peerId: "bob", active: true }, Date.now());
    store.upsertChat({ id: "g_1", type: "group", name: "Crew", peerId: null, active: true }, Date.now());
    store.upsertChat({ id: "g_old", type: "group", name: "Left", peerId: null, active: false }, Date.now());
    const broadcast: string[] = [];
    let setAside = 0;
    let peerProfile: (user: User, version: number) => Promise<unknown> = async () => undefined;
    const hub = new HubProfiles(store, {
      userId: () => "alice",
      transaction: (write) => storage.transactionSync(write),
      log: (key, body) => ({ cursor: 1, at: new Date().toISOString(), ...body }),
      broadcast: (events) => broadcast.push(...events.map((e) => e.kind)),
      hub: () => ({ peerProfile: (u: User, v: number) => peerProfile(u, v) }),
      conversation: () => ({ describe: async () => ({ ok: false, error: { code: "not_found", message: "" } }) }),
      kick: () => undefined,
      setAside: () => void setAside++,
    });
    return {
      store,
      hub,
      broadcast,
      setAside: () => setAside,
      peerHub: (fn: typeof peerProfile) => void (peerProfile = fn),
    };
  }

  it("queues one delivery per direct peer and one member listing per active group", () => {
    const { store, hub, broadcast } = profiles();
    hub.changed(user("Alice"), 10);
    expect(store.profileQueueDue("profile_outbox", Date.now(), 10).map((r) => r.key)).toEqual(["bob"]);
    expect(store.profileQueueDue("profile_groups", Date.now(), 10).map((r) => r.key)).toEqual(["g_1"]);
    expect(broadcast).toEqual(["profile"]);
    hub.changed(user("Old"), 9); // older than what was announced: nothing
    expect(broadcast).toEqual(["profile"]);
  });

  it("sets aside a profile delivery a peer's hub keeps refusing, and retries what the platform fails", async () => {
    const { store, hub, setAside, peerHub } = profiles();
    hub.changed(user("Alice"), 10);
    const later = () => vi.setSystemTime(Date.now() + 3_600_000);
    peerHub(async () => Promise.reject(Object.assign(new Error("overloaded"), { remote: true, overloaded: true })));
    for (let i = 0; i < REFUSALS_BEFORE_ISOLATING + 2; i++) (await hub.pass(), later());
    expect(setAside()).toBe(0);
    expect(store.profileQueueDue("profile_outbox", Date.now(), 10).map((r) => r.key)).toEqual(["bob"]);
    peerHub(async () => Promise.reject(Object.assign(new Error("bad profile"), { remote: true })));
    for (let i = 0; i < REFUSALS_BEFORE_ISOLATING; i++) (await hub.pass(), later());
    expect(setAside()).toBe(1);
    expect(store.deadLetterCount()).toBe(1);
    expect(store.profileQueueDue("profile_outbox", Date.now(), 10)).toEqual([]);
    vi.useRealTimers();
  });

  it("keeps the newest version of a peer's profile, whatever order the deliveries come in", () => {
    const { store, hub } = profiles();
    hub.received({ ...user("New"), id: "bob" }, 20);
    hub.received({ ...user("Older"), id: "bob" }, 19);
    expect(JSON.parse(store.profile("bob")?.body ?? "{}")).toMatchObject({ displayName: "New" });
  });

  it("sends the picture and about only to whom alice's profile visibility shows them", async () => {
    const { store, hub, peerHub } = profiles();
    const detailed = { ...user("Alice"), about: "at the beach", pictureUrl: "/v1/media/m_1?u=alice" };

    // "contacts": bob (direct chat) gets the details, carol (a group only) does not.
    hub.changed(detailed, 10, "contacts");
    store.queueProfileFor("carol", 10);
    const sentTo: string[] = [];
    peerHub(async (u, v) => {
      const shown = u.about !== "" && u.pictureUrl !== null;
      sentTo.push(`${shown ? "shown" : u.about === "" && u.pictureUrl === null ? "hidden" : "partial"}@${v}`);
    });
    await hub.pass();
    expect(sentTo.sort()).toEqual(["hidden@20", "shown@21"]);

    // "nobody": a new version, hidden for everyone, and it beats the shown copy bob holds.
    sentTo.length = 0;
    hub.changed(detailed, 11, "nobody");
    await hub.pass();
    expect(sentTo).toEqual(["hidden@22"]); // 22 > 21: bob's hub replaces the shown copy
  });

  it("replaces a peer's hidden copy with the shown copy of the same version once they are a contact", () => {
    const { store, hub } = profiles();
    hub.received({ ...user("Bob"), id: "bob", about: "" }, 40);
    hub.received({ ...user("Bob"), id: "bob", about: "hi" }, 41);
    hub.received({ ...user("Bob"), id: "bob", about: "" }, 40); // a late hidden copy changes nothing
    expect(JSON.parse(store.profile("bob")?.body ?? "{}")).toMatchObject({ about: "hi" });
  });
});
