/**
 * Deleting an account against the running stack, through the SDK (README "Deleting an account"):
 * only with the password; at once every socket closes with 4001 and every token fails; the username
 * is free again; the profile reads "Deleted account" for others, with no picture; the groups are
 * left (the last admin's rule applies); messages others received stay with them.
 */
import { describe, expect, inject, it } from "vitest";
import { ApiError, MessengerClient } from "../../client/sdk/index.ts";
import { CLOSE_CODES, DELETED_ACCOUNT_NAME } from "../../client/sdk/protocol/index.ts";
import { png } from "../fixtures/media-files.ts";
import { eventually, fullHistory, person, type Person } from "./people.ts";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

async function fetchAs(p: Person, url: string): Promise<number> {
  const res = await fetch(`${inject("baseUrl")}${url}`, { headers: { authorization: `Bearer ${p.client.api.token}` } });
  await res.arrayBuffer();
  return res.status;
}

/** Opens a raw socket with `client`'s token; resolves with its close code. */
async function rawSocket(client: MessengerClient): Promise<{ opened: Promise<void>; closed: Promise<number> }> {
  const ticket = await client.api.wsTicket();
  const ws = new WebSocket(client.api.wsUrl(), ["messenger.v1", `ticket.${ticket.ticket}`]);
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "hello", v: 1, deviceId: "raw", cursor: 0 }));
      resolve();
    });
    ws.addEventListener("error", () => reject(new Error("socket error")));
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  return { opened, closed };
}

describe("deleting an account", () => {
  it("refuses a wrong password and changes nothing", async () => {
    const alice = await person("alice");
    expect(await codeOf(alice.client.api.deleteAccount("not-her-password"))).toBe("401 invalid_credentials");
    expect(await codeOf(alice.client.api.me())).toBe("ok");
    expect((await alice.client.api.me()).displayName).toBe("alice");
  });

  it("deletes alice: sockets close at once, tokens fail, name free, profile 'Deleted account', messages stay", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const carol = await person("carol");
    const picture = await alice.client.api.uploadMedia(png(), "image/png");
    const before = await alice.client.api.updateMe({ pictureMediaId: picture.id, about: "hello there" });
    expect(await fetchAs(bob, before.pictureUrl!)).toBe(200);

    const direct = await alice.client.api.openDirect(bob.id);
    await alice.client.api.sendMessage(direct.id, { clientId: "c1", text: "see you" });
    // Alice is the only admin of her group: leaving hands it to the oldest member.
    const group = await alice.client.api.createGroup("Trip", [bob.id, carol.id]);
    await alice.client.api.sendMessage(group.id, { clientId: "c2", text: "plans" });

    const socket = await rawSocket(alice.client);
    await socket.opened;
    await alice.client.api.deleteAccount("alice-password-1");
    expect(await socket.closed).toBe(CLOSE_CODES.unauthorized);
    expect(await codeOf(alice.client.api.me())).toBe("401 unauthorized");
    const login = new MessengerClient({ baseUrl: inject("baseUrl") });
    expect(await codeOf(login.api.login({ username: alice.username, password: "alice-password-1" }))).toBe(
      "401 invalid_credentials",
    );

    // Her username is free: someone new can take it.
    const again = new MessengerClient({ baseUrl: inject("baseUrl") });
    const { user: newcomer } = await again.api.register({
      username: alice.username,
      password: "another-password-9",
      displayName: "new alice",
    });
    expect(newcomer.id).not.toBe(alice.id);

    // Bob sees "Deleted account", no username, no about, no picture; the picture itself is gone.
    const seen = await bob.client.api.user(alice.id);
    expect(seen).toMatchObject({
      displayName: DELETED_ACCOUNT_NAME,
      username: "",
      about: "",
      pictureUrl: null,
      deleted: true,
    });
    expect(await fetchAs(bob, before.pictureUrl!)).toBe(404);

    // The group: alice left, carol or bob is admin now, and her message is still there.
    await eventually(async () => {
      const g = await bob.client.api.conversation(group.id);
      expect(g.members?.map((m) => m.userId).sort()).toEqual([bob.id, carol.id].sort());
      expect(g.members?.some((m) => m.role === "admin")).toBe(true);
    });
    const groupHistory = await fullHistory(carol, group.id);
    expect(groupHistory.some((m) => m.text === "plans")).toBe(true);
    expect(groupHistory.some((m) => m.system?.kind === "member_left")).toBe(true);
    expect((await fullHistory(bob, direct.id)).map((m) => m.text)).toContain("see you");
  });
});
