/**
 * Profile-changed events and the chat list's receipt watermarks, end to end (wrangler dev, Postgres,
 * Redis), through the SDK: `PATCH /v1/me` → bob's hub → the hubs of the people he chats with → their
 * devices and their `GET /v1/conversations`.
 */
import { describe, expect, it } from "vitest";
import type { User } from "../../client/sdk/protocol/index.ts";
import { eventually, person } from "./people.ts";

describe("profile events", () => {
  it("tells alice's connected device and her chat list when bob changes his name", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const chat = await alice.client.api.openDirect(bob.id);
    // A direct chat reaches bob (whose profile events go to his chats) with its first message.
    await alice.client.api.sendMessage(chat.id, { clientId: "hello", text: "hello" });
    const team = await carol.client.api.createGroup("Team", [bob.id]);
    // Before any change the list fills bob's profile from Postgres.
    await eventually(async () => {
      const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
      expect(row?.peer).toMatchObject({ id: bob.id, displayName: "bob" });
    });
    await alice.connect();
    await carol.connect();
    const seen: User[] = [];
    alice.client.on("profile", (user) => seen.push(user));

    const updated = await bob.client.api.updateMe({ displayName: "Robert", about: "new here" });
    expect(updated.displayName).toBe("Robert");

    // Live, on alice's connected device: the typed SDK event and the log event.
    await eventually(() => expect(seen.map((u) => u.displayName)).toContain("Robert"));
    expect(seen.at(-1)).toEqual(updated);
    const logged = alice.events.find((e) => e.kind === "profile");
    expect(logged).toMatchObject({ kind: "profile", user: { id: bob.id, displayName: "Robert", about: "new here" } });
    // Exactly the public profile: nothing the public endpoint does not show.
    expect(Object.keys((logged as { user: object }).user).sort()).toEqual(Object.keys(updated).sort());
    // A group member hears it too.
    await eventually(() =>
      expect(carol.events.some((e) => e.kind === "profile" && e.user.displayName === "Robert")).toBe(true),
    );
    expect((await carol.client.api.conversation(team.id)).members.map((m) => m.userId)).toContain(bob.id);

    // Alice's chat list (REST) shows the new name without anyone refetching bob's profile.
    await eventually(async () => {
      const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
      expect(row?.peer).toEqual(updated);
    });
    alice.client.close();
    carol.client.close();
  });

  it("ends on bob's last write when his changes race each other", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    // A direct chat reaches bob (whose profile events go to his chats) with its first message.
    await alice.client.api.sendMessage(chat.id, { clientId: "hello", text: "hello" });
    // Alice's hub holds a copy of bob's profile first, so only profile events can move it.
    await eventually(async () => {
      const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
      expect(row?.peer?.displayName).toBe("bob");
    });
    await Promise.all(
      ["One", "Two", "Three", "Four", "Five"].map((name) => bob.client.api.updateMe({ displayName: name })),
    );
    const stored = await alice.client.api.user(bob.id);
    await eventually(async () => {
      const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
      expect(row?.peer?.displayName).toBe(stored.displayName);
    });
    // And it stays there: no late, older notification overwrites it.
    await new Promise((r) => setTimeout(r, 500));
    const row = (await alice.client.api.conversations()).find((c) => c.id === chat.id);
    expect(row?.peer?.displayName).toBe(stored.displayName);
  });
});

describe("chat list receipt watermarks", () => {
  it("shows alice that bob read her message, with no status request and no socket", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const chat = await alice.client.api.openDirect(bob.id);
    const first = await alice.client.api.sendMessage(chat.id, { clientId: "w1", text: "are you there?" });
    const second = await alice.client.api.sendMessage(chat.id, { clientId: "w2", text: "hello?" });
    const row = async () => (await alice.client.api.conversations()).find((c) => c.id === chat.id);
    expect((await row())?.status).toEqual({ deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 });

    await bob.client.api.markRead(chat.id, first.seq);
    await eventually(async () =>
      expect((await row())?.status).toEqual({
        deliveredSome: first.seq,
        deliveredAll: first.seq,
        readSome: first.seq,
        readAll: first.seq,
      }),
    );
    await bob.client.api.markRead(chat.id, second.seq);
    await eventually(async () => expect((await row())?.status?.readAll).toBe(second.seq));
    // Bob's own row is about his messages: he sent none.
    const bobs = (await bob.client.api.conversations()).find((c) => c.id === chat.id);
    expect(bobs?.status).toEqual({ deliveredSome: 0, deliveredAll: 0, readSome: 0, readAll: 0 });
  });
});
