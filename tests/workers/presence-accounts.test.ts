/**
 * `GET /v1/presence` wakes a user hub only for ids that have an account: any well-formed id names a
 * hub, so made-up ids would otherwise cost one object wake each (200 per request). Hub calls are
 * counted on the hub class itself (shared by every hub in this isolate), not taken from the route.
 * This project has no Postgres: the account lookup answers from `fake.known`, sessions are live.
 */
import { describe, expect, it, vi } from "vitest";
import type { Presence } from "../../client/sdk/protocol/index.ts";
import type { UserRecord } from "../../db/user-store.ts";
import { recordHubCalls } from "./hub-calls.ts";
import { signToken } from "../../lib/tokens.ts";
import { AUTH_SECRET, worker } from "./bindings.ts";

const fake = vi.hoisted(() => ({ known: new Set<string>(), down: false }));

vi.mock(import("../../db/user-store.ts"), async (importOriginal) => {
  const real = await importOriginal();
  const store = {
    isSessionLive: async () => true,
    getUsers: async (ids: readonly string[]): Promise<Map<string, UserRecord>> => {
      if (fake.down) throw new Error("connect ECONNREFUSED (test)");
      return new Map(ids.filter((id) => fake.known.has(id)).map((id) => [id, { id } as UserRecord]));
    },
  };
  return { ...real, withUserStore: async (_env, work) => work(store as never) };
});

async function askPresence(asker: string, ids: string[]): Promise<Presence[]> {
  const { token } = await signToken(AUTH_SECRET, { sub: asker, sid: `s_${asker}` });
  const res = await worker.fetch(
    new Request(`https://messenger.test/v1/presence?ids=${ids.join(",")}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { presence: Presence[] }).presence;
}

describe("presence of ids without an account", () => {
  it("answers them 'never seen' without waking their hubs; real users' hubs are still asked", async () => {
    fake.known = new Set(["pa_bob", "pa_carol"]);
    const ghosts = Array.from({ length: 40 }, (_, i) => `pa_ghost_${i}`);
    const spy = await recordHubCalls("presence", "pa_probe");
    try {
      const presence = await askPresence("pa_alice", ["pa_bob", ...ghosts, "pa_carol"]);
      expect(presence.map((p) => p.userId)).toEqual(["pa_bob", ...ghosts, "pa_carol"]);
      for (const p of presence) expect(p).toMatchObject({ online: false, lastSeenAt: null });
      expect(spy.calls.sort()).toEqual(["pa_bob", "pa_carol"]);
    } finally {
      spy.restore();
    }
  });

  it("asks every hub when Postgres cannot say who exists (presence keeps working in an outage)", async () => {
    fake.known = new Set();
    fake.down = true;
    const spy = await recordHubCalls("presence", "pa_probe");
    try {
      const presence = await askPresence("pa_alice", ["pa_dan", "pa_erin"]);
      expect(presence).toHaveLength(2);
      expect(spy.calls.sort()).toEqual(["pa_dan", "pa_erin"]);
    } finally {
      spy.restore();
      fake.down = false;
    }
  });
});
