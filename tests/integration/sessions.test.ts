/**
 * Devices and password against the running stack, through the SDK (README "Devices and password"):
 * the list names each device and marks the current one; signing one out (or all others) makes its
 * token fail at once and closes its socket with 4001 at once; a password change needs the current
 * password and ends every other session.
 */
import { describe, expect, inject, it } from "vitest";
import { ApiError, MessengerClient } from "../../client/sdk/index.ts";
import { CLOSE_CODES } from "../../client/sdk/protocol/index.ts";
import { eventually, person, type Person } from "./people.ts";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)),
  );

/** Another device of `p`: a fresh client logged in with p's password. */
async function secondDevice(p: Person, password: string): Promise<MessengerClient> {
  const client = new MessengerClient({ baseUrl: inject("baseUrl"), minBackoffMs: 50, maxBackoffMs: 1_000 });
  await client.api.login({ username: p.username, password });
  return client;
}

/** Opens a raw socket with `client`'s token and resolves with its close code. */
async function socketClose(client: MessengerClient): Promise<{ opened: Promise<void>; closed: Promise<number> }> {
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

describe("devices and password", () => {
  it("lists alice's devices, signs one out at once (token and socket), then all others", async () => {
    const alice = await person("alice");
    const password = "alice-password-1";
    const phone = await secondDevice(alice, password);
    const tablet = await secondDevice(alice, password);
    const list = await alice.client.api.sessions();
    expect(list).toHaveLength(3);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    expect(list.every((s) => s.device.length > 0 && !Number.isNaN(Date.parse(s.lastActiveAt)))).toBe(true);

    const phoneSocket = await socketClose(phone);
    await phoneSocket.opened;
    const phoneId = (await phone.api.sessions()).find((s) => s.current)!.id;
    await alice.client.api.endSession(phoneId);
    expect(await phoneSocket.closed).toBe(CLOSE_CODES.unauthorized);
    expect(await codeOf(phone.api.me())).toBe("401 unauthorized");
    expect(await codeOf(tablet.api.me())).toBe("ok");
    expect(await codeOf(alice.client.api.endSession(phoneId))).toBe("404 not_found");

    await alice.client.api.endOtherSessions();
    expect(await codeOf(tablet.api.me())).toBe("401 unauthorized");
    expect((await alice.client.api.sessions()).map((s) => s.current)).toEqual([true]);
  });

  it("changes alice's password only with the current one, and ends her other sessions", async () => {
    const alice = await person("alice");
    const other = await secondDevice(alice, "alice-password-1");
    expect(await codeOf(alice.client.api.changePassword("wrong-password", "a-brand-new-pass-7"))).toBe(
      "401 invalid_credentials",
    );
    expect(await codeOf(alice.client.api.changePassword("alice-password-1", "password"))).toBe("400 weak_password");
    expect(await codeOf(other.api.me())).toBe("ok"); // nothing changed so far

    await alice.client.api.changePassword("alice-password-1", "a-brand-new-pass-7");
    expect(await codeOf(other.api.me())).toBe("401 unauthorized");
    expect(await codeOf(alice.client.api.me())).toBe("ok");
    const fresh = new MessengerClient({ baseUrl: inject("baseUrl") });
    expect(await codeOf(fresh.api.login({ username: alice.username, password: "alice-password-1" }))).toBe(
      "401 invalid_credentials",
    );
    expect(await codeOf(fresh.api.login({ username: alice.username, password: "a-brand-new-pass-7" }))).toBe("ok");
    await eventually(async () => expect(await alice.client.api.sessions()).toHaveLength(2));
  });
});
