/**
 * A user's chat list state against the running stack (README "Chat list state"): pin (at most three),
 * archive, mark unread, delete for me and mute, answered over REST and synced to every device of
 * the user through their hub's event log; an archived chat comes back with a newer message unless
 * muted; bad input and chats not in the caller's list change nothing.
 */
import { describe, expect, it, inject } from "vitest";
import { ApiError, MessengerClient } from "../../client/sdk/index.ts";
import { muteConversation } from "../../client/sdk/push.ts";
import type { Event } from "../../client/sdk/protocol/index.ts";
import { eventually, person, type Person } from "./people.ts";

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

/** A second device of `p`: its own login, its own socket, recording its events. */
async function secondDevice(p: Person): Promise<{ client: MessengerClient; events: Event[] }> {
  const client = new MessengerClient({ baseUrl: inject("baseUrl"), minBackoffMs: 50, maxBackoffMs: 1_000 });
  await client.api.login({ username: p.username, password: "alice-password-1" });
  const events: Event[] = [];
  client.on("event", (e) => events.push(e));
  await client.connect();
  return { client, events };
}

const listed = async (p: Person, id: string) => (await p.client.api.conversations()).find((c) => c.id === id);

describe("chat list state", () => {
  it("pins three chats, refuses a fourth with 409 too_many_pinned, and shows every change on alice's other device", async () => {
    const alice = await person("alice");
    const others = await Promise.all(["bob", "carol", "dave", "erin"].map((n) => person(n)));
    const chats: string[] = [];
    for (const o of others) {
      const chat = await o.client.api.openDirect(alice.id);
      await o.client.api.sendMessage(chat.id, { clientId: "hello", text: `hello from ${o.username}` });
      chats.push(chat.id);
    }
    const device = await secondDevice(alice);
    try {
      for (const id of chats.slice(0, 3)) {
        const state = await alice.client.api.setListState(id, { pinned: true });
        expect(state.pinnedAt).toEqual(expect.any(String));
      }
      expect(await codeOf(alice.client.api.setListState(chats[3]!, { pinned: true }))).toBe("409 too_many_pinned");
      expect((await listed(alice, chats[3]!))?.listState?.pinnedAt).toBeNull();
      const pinned = (await alice.client.api.conversations()).filter((c) => c.listState?.pinnedAt).map((c) => c.id);
      expect(pinned.sort()).toEqual(chats.slice(0, 3).sort());
      await eventually(() =>
        expect(
          device.events.flatMap((e) => (e.kind === "chat_state" && e.state.pinnedAt ? [e.conversationId] : [])).sort(),
        ).toEqual(chats.slice(0, 3).sort()),
      );
    } finally {
      device.client.close();
      for (const p of [alice, ...others]) p.client.close();
    }
  });

  it("brings an archived chat back with bob's next message, unless alice muted it", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await bob.client.api.openDirect(alice.id);
    await bob.client.api.sendMessage(chat.id, { clientId: "m1", text: "one" });
    expect(await alice.client.api.setListState(chat.id, { archived: true })).toMatchObject({ archived: true });
    await bob.client.api.sendMessage(chat.id, { clientId: "m2", text: "two" });
    await eventually(async () => expect((await listed(alice, chat.id))?.listState?.archived).toBe(false));

    await alice.client.api.setListState(chat.id, { archived: true });
    await muteConversation(alice.client.api, chat.id, "always");
    await bob.client.api.sendMessage(chat.id, { clientId: "m3", text: "three" });
    await eventually(async () => expect((await listed(alice, chat.id))?.lastMessage?.text).toBe("three"));
    expect((await listed(alice, chat.id))?.listState).toMatchObject({ archived: true, mutedUntil: "always" });
  });

  it("keeps a chat marked unread until alice reads it, and hides a chat deleted for her until bob writes again", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await bob.client.api.openDirect(alice.id);
    const first = await bob.client.api.sendMessage(chat.id, { clientId: "m1", text: "one" });
    await alice.client.api.markRead(chat.id, first.seq);
    await alice.client.api.setListState(chat.id, { unread: true });
    expect((await listed(alice, chat.id))?.listState?.markedUnread).toBe(true);
    const second = await bob.client.api.sendMessage(chat.id, { clientId: "m2", text: "two" });
    await alice.client.api.markRead(chat.id, second.seq);
    await eventually(async () => expect((await listed(alice, chat.id))?.listState?.markedUnread).toBe(false));

    expect(await alice.client.api.clearChat(chat.id)).toMatchObject({ clearedUpTo: second.seq });
    expect(await listed(alice, chat.id)).toBeUndefined();
    expect(await listed(bob, chat.id)).toBeDefined();
    await bob.client.api.sendMessage(chat.id, { clientId: "m3", text: "three" });
    await eventually(async () =>
      expect(await listed(alice, chat.id)).toMatchObject({
        unreadCount: 1,
        lastMessage: { text: "three" },
        listState: { clearedUpTo: second.seq },
      }),
    );
  });

  it("answers 404 for a chat not in the caller's list and 400 for bad bodies, changing nothing", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const mallory = await person("mallory");
    const chat = await bob.client.api.openDirect(alice.id);
    await bob.client.api.sendMessage(chat.id, { clientId: "m1", text: "one" });
    expect(await codeOf(mallory.client.api.setListState(chat.id, { archived: true }))).toBe("404 not_found");
    expect(await codeOf(mallory.client.api.clearChat(chat.id))).toBe("404 not_found");
    const path = `/v1/conversations/${chat.id}/list-state`;
    for (const body of [{}, { pinned: "yes" }, { archived: true, extra: 1 }])
      expect(await codeOf(alice.client.api.request("PATCH", path, null, body))).toBe("400 invalid_request");
    expect((await listed(alice, chat.id))?.listState).toMatchObject({ archived: false, pinnedAt: null });
    const anonymous = await fetch(`${inject("baseUrl")}${path}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ archived: true }),
    });
    expect(anonymous.status).toBe(401);
  });
});
