/**
 * Who sees alice's profile picture and about (README "Privacy"), against the running stack: with
 * "contacts", bob (a direct chat) sees them and carol (only a shared group) does not — in profile
 * reads, search, the picture itself and the live profile events; with "nobody", not even bob.
 * Her name and username stay visible to all; she always sees her own.
 */
import { describe, expect, inject, it } from "vitest";
import type { User } from "../../client/sdk/protocol/index.ts";
import { png } from "../fixtures/media-files.ts";
import { eventually, person, type Person } from "./people.ts";

async function fetchAs(p: Person, url: string): Promise<number> {
  const res = await fetch(`${inject("baseUrl")}${url}`, { headers: { authorization: `Bearer ${p.client.api.token}` } });
  await res.arrayBuffer();
  return res.status;
}

/** The newest `profile` event `p` received about `userId`. */
function lastProfileEvent(p: Person, userId: string): User | undefined {
  return p.events.flatMap((e) => (e.kind === "profile" && e.user.id === userId ? [e.user] : [])).at(-1);
}

describe("profile picture and about privacy", () => {
  it("shows alice's details to contacts only, then to nobody, everywhere others read them", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    await Promise.all([bob.connect(), carol.connect()]);
    const direct = await alice.client.api.openDirect(bob.id);
    await alice.client.api.sendMessage(direct.id, { clientId: "hi", text: "hi bob" });
    await alice.client.api.createGroup("Crew", [bob.id, carol.id]);
    const picture = await alice.client.api.uploadMedia(png(), "image/png");
    const me = await alice.client.api.updateMe({ pictureMediaId: picture.id, about: "at the beach" });
    const pictureUrl = me.pictureUrl!;
    expect((await alice.client.api.privacySettings()).profile).toBe("everyone");
    expect(await fetchAs(carol, pictureUrl)).toBe(200);

    // Contacts only.
    expect((await alice.client.api.setPrivacy({ profile: "contacts" })).profile).toBe("contacts");
    expect(await bob.client.api.user(alice.id)).toMatchObject({ about: "at the beach", pictureUrl });
    expect(await carol.client.api.user(alice.id)).toMatchObject({
      displayName: "alice",
      username: alice.username,
      about: "",
      pictureUrl: null,
    });
    const found = await carol.client.api.searchUsers(alice.username);
    expect(found.find((u) => u.id === alice.id)).toMatchObject({ about: "", pictureUrl: null });
    expect(await fetchAs(bob, pictureUrl)).toBe(200);
    expect(await fetchAs(carol, pictureUrl)).toBe(404);
    // Live: carol's devices get the hidden copy, bob's the full one.
    await eventually(() => {
      expect(lastProfileEvent(carol, alice.id)).toMatchObject({ about: "", pictureUrl: null });
      expect(lastProfileEvent(bob, alice.id)).toMatchObject({ about: "at the beach", pictureUrl });
    });

    // Nobody: bob loses them too; alice still sees her own.
    await alice.client.api.setPrivacy({ profile: "nobody" });
    expect(await bob.client.api.user(alice.id)).toMatchObject({ about: "", pictureUrl: null });
    expect(await fetchAs(bob, pictureUrl)).toBe(404);
    expect(await fetchAs(alice, pictureUrl)).toBe(200);
    expect(await alice.client.api.me()).toMatchObject({ about: "at the beach", pictureUrl });
    await eventually(() => expect(lastProfileEvent(bob, alice.id)).toMatchObject({ about: "", pictureUrl: null }));
    const bobsChat = (await bob.client.api.conversations()).find((c) => c.id === direct.id);
    expect(bobsChat?.peer).toMatchObject({ about: "", pictureUrl: null });

    // Everyone again.
    await alice.client.api.setPrivacy({ profile: "everyone" });
    expect(await carol.client.api.user(alice.id)).toMatchObject({ about: "at the beach", pictureUrl });
    expect(await fetchAs(carol, pictureUrl)).toBe(200);
  });

  it("refuses a bad audience and changes nothing", async () => {
    const alice = await person("alice");
    const res = await fetch(`${inject("baseUrl")}/v1/me/privacy`, {
      method: "PUT",
      headers: { authorization: `Bearer ${alice.client.api.token}`, "content-type": "application/json" },
      body: JSON.stringify({ profile: "friends" }),
    });
    expect(res.status).toBe(400);
    expect((await alice.client.api.privacySettings()).profile).toBe("everyone");
  });
});
