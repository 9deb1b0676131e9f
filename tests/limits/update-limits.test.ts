/**
 * Per-user limits on updates that fan out to other people (vitest project "limits", limits on):
 * `PATCH /v1/me` (a `profile` event to every contact's hub) and `PATCH /v1/conversations/:id` (a
 * group rename: a system message and a chat-list event for every member). The request over the limit
 * gets 429 `rate_limited` with Retry-After, and it is refused before the route runs: nothing stored,
 * nothing announced.
 *
 * This project has no Postgres, so the user store is replaced by an in-memory table (sessions are
 * live, profiles live in `profiles`) and the announcement by a recorder; everything else — the
 * limiter, auth, validation, the route, the Conversation DO — is the real Worker.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { User } from "../../client/sdk/protocol/index.ts";
import type { ProfilePatch, UserRecord, UserStore } from "../../db/user-store.ts";
import {
  CONVERSATION_CREATES_PER_USER,
  GROUP_MEMBERSHIP_PER_USER,
  GROUP_UPDATES_PER_USER,
  PROFILE_UPDATES_PER_USER,
  SENDS_PER_USER,
} from "../../lib/rate-limits.ts";
import { signToken } from "../../lib/tokens.ts";
import { AUTH_SECRET, worker } from "../workers/bindings.ts";
import { isType, openDevice } from "../workers/hub-socket.ts";

const fake = vi.hoisted(() => ({
  profiles: new Map<string, UserRecord>(),
  writes: [] as { userId: string; patch: ProfilePatch }[],
  announced: [] as string[],
}));

vi.mock(import("../../db/user-store.ts"), async (importOriginal) => {
  const real = await importOriginal();
  const store: Pick<UserStore, "isSessionLive" | "getUser" | "updateProfile"> = {
    isSessionLive: async () => true,
    getUser: async (id) => fake.profiles.get(id) ?? null,
    updateProfile: async (id, patch) => {
      const row = fake.profiles.get(id);
      if (!row) return null;
      fake.writes.push({ userId: id, patch });
      const updated = { ...row, ...patch };
      fake.profiles.set(id, updated);
      return { ...updated, version: fake.writes.length };
    },
  };
  return { ...real, withUserStore: async (_env, work) => work(store as UserStore) };
});

vi.mock(import("../../workers/lib/profile-events.ts"), () => ({
  announceProfile: async (_env: unknown, user: { id: string }) => {
    fake.announced.push(user.id);
  },
}));

const BASE = "https://messenger.test";

async function tokenFor(userId: string): Promise<string> {
  return (await signToken(AUTH_SECRET, { sub: userId, sid: `s_${userId}` })).token;
}

function call(method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return worker.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

async function expect429(res: Response, windowSeconds: number): Promise<void> {
  const body = (await res.json()) as { error: { code: string; requestId: string } };
  expect(res.status).toBe(429);
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

describe("profile updates", () => {
  it("refuses the 11th PATCH /v1/me within a minute; the refused one changes and announces nothing", async () => {
    const userId = "u_profile_editor";
    fake.profiles.set(userId, {
      id: userId,
      username: "editor",
      displayName: "Editor",
      about: "",
      pictureMediaId: null,
      deletedAt: null,
      profileVisibility: "everyone",
      createdAt: new Date("2026-11-26T00:00:00Z"),
    });
    const token = await tokenFor(userId);
    const limit = PROFILE_UPDATES_PER_USER.limit;
    for (let i = 1; i <= limit; i++) {
      const res = await call("PATCH", "/v1/me", token, { displayName: `Name ${i}` });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: User }).user.displayName).toBe(`Name ${i}`);
    }
    await expect429(await call("PATCH", "/v1/me", token, { displayName: "Refused", about: "refused" }), 60);

    // The refused request never reached the route: no write, no fan-out, the profile is the last allowed one.
    expect(fake.writes.filter((w) => w.userId === userId)).toHaveLength(limit);
    expect(fake.announced.filter((id) => id === userId)).toHaveLength(limit);
    const me = await call("GET", "/v1/me", token);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: User }).user).toMatchObject({ displayName: `Name ${limit}`, about: "" });

    // Per user: someone else may still update, and reads are not counted against the limit.
    fake.profiles.set("u_other_editor", { ...fake.profiles.get(userId)!, id: "u_other_editor", username: "other" });
    const other = await call("PATCH", "/v1/me", await tokenFor("u_other_editor"), { about: "still fine" });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });
});

describe("group updates", () => {
  it("refuses the 11th rename within a minute per admin; the refused one stores no name and no system message", async () => {
    const id = "g_rename_flood";
    const admin = "u_group_admin";
    const opened = await env.CONVERSATION.getByName(id).open({
      id,
      type: "group",
      creatorId: admin,
      memberIds: ["u_group_member"],
      name: "Team",
    });
    expect(opened.ok).toBe(true);
    const token = await tokenFor(admin);
    const limit = GROUP_UPDATES_PER_USER.limit;
    for (let i = 1; i <= limit; i++) {
      const res = await call("PATCH", `/v1/conversations/${id}`, token, { name: `Team ${i}` });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await expect429(await call("PATCH", `/v1/conversations/${id}`, token, { name: "Refused" }), 60);

    const described = await env.CONVERSATION.getByName(id).describe(admin);
    expect(described.ok && described.value.name).toBe(`Team ${limit}`);
    const page = await env.CONVERSATION.getByName(id).history(admin, { limit: 100 });
    const renames = page.ok ? page.value.messages.filter((m) => m.system?.kind === "renamed") : [];
    expect(renames).toHaveLength(limit);

    // Only the group update is limited: member routes on the same conversation still answer.
    const members = await call("PATCH", `/v1/conversations/${id}/members/u_group_member`, token, { role: "admin" });
    expect(members.status).toBe(200);
    await members.arrayBuffer();
  });
});

describe("group membership changes", () => {
  it("counts add, remove and role changes in one bucket per user; the refused removal leaves the member in", async () => {
    const id = "g_membership_flood";
    const admin = "u_membership_admin";
    const opened = await env.CONVERSATION.getByName(id).open({
      id,
      type: "group",
      creatorId: admin,
      memberIds: ["u_toggled", "u_stays"],
      name: "Crew",
    });
    expect(opened.ok).toBe(true);
    const token = await tokenFor(admin);
    const limit = GROUP_MEMBERSHIP_PER_USER.limit;
    for (let i = 1; i <= limit; i++) {
      const role = i % 2 === 1 ? "admin" : "member";
      const res = await call("PATCH", `/v1/conversations/${id}/members/u_toggled`, token, { role });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // The bucket is shared: a removal after 30 role changes is refused before the route runs.
    await expect429(await call("DELETE", `/v1/conversations/${id}/members/u_stays`, token), 60);
    await expect429(await call("POST", `/v1/conversations/${id}/members`, token, { userIds: ["u_new"] }), 60);

    const described = await env.CONVERSATION.getByName(id).describe(admin);
    const memberIds = described.ok ? described.value.members.map((m) => m.userId) : [];
    expect(memberIds).toContain("u_stays");
    expect(memberIds).not.toContain("u_new");
    // A rename is a different limit and still goes through.
    const renamed = await call("PATCH", `/v1/conversations/${id}`, token, { name: "Crew 2" });
    expect(renamed.status).toBe(200);
    await renamed.arrayBuffer();
  });

  it("refuses the 31st conversation opened within a minute", async () => {
    const token = await tokenFor("u_chat_opener");
    const limit = CONVERSATION_CREATES_PER_USER.limit;
    for (let i = 1; i <= limit; i++) {
      // Without Postgres the route answers an error after the limiter; what counts is that it ran.
      const res = await call("POST", "/v1/conversations", token, { type: "direct", userId: `u_peer_${i}` });
      expect(res.status).not.toBe(429);
      await res.arrayBuffer();
    }
    await expect429(await call("POST", "/v1/conversations", token, { type: "direct", userId: "u_peer_x" }), 60);
  });
});

describe("one send budget per user", () => {
  it("counts REST sends against the same per-user budget as WebSocket sends", async () => {
    const id = "d_shared_budget";
    const me = "u_shared_budget";
    expect(
      (await env.CONVERSATION.getByName(id).open({ id, type: "direct", creatorId: me, memberIds: ["u_peer"] })).ok,
    ).toBe(true);
    const device = await openDevice(me);
    device.send({ type: "hello", v: 1, deviceId: "phone", cursor: 0 });
    await device.next(isType("synced"));
    const burst = SENDS_PER_USER.limit + 5;
    for (let i = 0; i < burst; i++)
      device.send({ type: "send", id: `w${i}`, conversationId: id, clientId: `w${i}`, text: `ws ${i}` });
    await device.until((fs) => fs.filter((f) => f.type === "sent" || f.type === "error").length >= burst);
    // A refused WebSocket send says when to retry, like a REST 429's Retry-After.
    const wsRefusals = device.frames.filter(isType("error"));
    expect(wsRefusals.length).toBeGreaterThan(0);
    for (const e of wsRefusals) expect(e).toMatchObject({ code: "rate_limited", retryAfter: expect.any(Number) });
    const token = await tokenFor(me);
    const answers: Response[] = [];
    for (let i = 0; i < 5; i++)
      answers.push(
        await call("POST", `/v1/conversations/${id}/messages`, token, { clientId: `r${i}`, text: `rest ${i}` }),
      );
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
    for (const r of answers) await r.arrayBuffer();
    device.ws.close(1000, "bye");
  });
});
