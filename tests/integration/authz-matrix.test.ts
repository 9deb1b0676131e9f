/**
 * Authorization matrix (README "Security", OWASP API1/API5/API9) against the running stack.
 *
 * Every REST route is enumerated from the Worker's own Hono app (`app.routes`) and every client frame
 * type from the protocol union (`ClientFrame.options`); a route or frame type without a matrix entry
 * FAILS the suite, so a new endpoint cannot ship unreviewed. Callers: anonymous, bad token, revoked
 * (logged-out) token, non-member, removed member, member, sender (of the canary messages) and group
 * admin. Oracles: the expected status per caller; no canary (group name, message text written after a
 * removal) in any refused answer or in anything a non-member's socket receives; and "not a member"
 * answers exactly — status, code, message — like "does not exist".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import app from "../../workers/index.ts";
import { ClientFrame, type ServerFrame } from "../../client/sdk/protocol/index.ts";
import { person, type Person } from "./people.ts";

type Caller = "anonymous" | "badToken" | "revoked" | "nonMember" | "removed" | "member" | "sender" | "admin";
const CALLERS: Caller[] = ["anonymous", "badToken", "revoked", "nonMember", "removed", "member", "sender", "admin"];
const SIGNED_IN: Caller[] = ["nonMember", "removed", "member", "sender", "admin"];

const base = inject("baseUrl");
const RUN = Math.random().toString(36).slice(2, 8);
const CANARY_NAME = `canary-group-${RUN}`;
const CANARY_BEFORE = `canary-before-removal-${RUN}`;
const CANARY_AFTER = `canary-after-removal-${RUN}`;
const CANARY_LIVE = `canary-live-${RUN}`;

interface World {
  people: Record<"admin" | "member" | "sender" | "removed" | "nonMember" | "spare" | "extra" | "revokedUser", Person>;
  groupId: string;
  /** Same shape as a real group id, never created. */
  missingId: string;
  beforeSeq: number;
  afterSeq: number;
  /** A message after the removal that the DELETE rows hide (for=me), so other rows still see CANARY_AFTER. */
  hideSeq: number;
  revokedToken: string;
}
let world: World;

interface Call {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}
interface Answer {
  status: number;
  text: string;
  code?: string;
  message?: string;
}

/** What a matrix entry expects: per caller a status (or a predicate); unlisted callers only get the leak checks. */
type Expect = Partial<Record<Caller, number | ((a: Answer) => boolean)>>;
interface Entry {
  /** Which resource the route acts on: decides the default expectations and the "missing" twin. */
  scope: "public" | "self" | "conversation" | "media" | "dev";
  call: (conversationId: string, caller: Caller) => Call;
  expect?: Expect;
}

const notServerError = (a: Answer) => a.status < 500;

/** A made-up invite token: the same 404 for everyone signed in. */
const NO_SUCH_INVITE: Expect = { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 };

/** The matrix. Keys are `METHOD path` exactly as Hono lists them. */
const ROUTES: Record<string, Entry> = {
  "GET /health": { scope: "public", call: () => ({ method: "GET", path: "/health" }) },
  // Readiness answers only HEALTH_SECRET, which no caller here holds: 404 for all, like a dev route.
  "GET /health/ready": { scope: "dev", call: () => ({ method: "GET", path: "/health/ready" }) },
  "POST /v1/auth/register": {
    scope: "public",
    call: () => ({
      method: "POST",
      path: "/v1/auth/register",
      body: { username: "x", password: "short", displayName: "x" },
    }),
  },
  "POST /v1/auth/login": {
    scope: "public",
    call: () => ({
      method: "POST",
      path: "/v1/auth/login",
      body: { username: "nobody_at_all", password: "wrong-password" },
    }),
  },
  "POST /v1/auth/logout": { scope: "self", call: () => ({ method: "POST", path: "/v1/auth/logout" }) },
  "GET /v1/me": { scope: "self", call: () => ({ method: "GET", path: "/v1/me" }) },
  "PATCH /v1/me": { scope: "self", call: () => ({ method: "PATCH", path: "/v1/me", body: { about: "hi" } }) },
  "GET /v1/users/:id": { scope: "self", call: () => ({ method: "GET", path: `/v1/users/${world.people.member.id}` }) },
  "GET /v1/users": { scope: "self", call: () => ({ method: "GET", path: "/v1/users?q=zz" }) },
  "POST /v1/conversations": {
    scope: "self",
    call: () => ({
      method: "POST",
      path: "/v1/conversations",
      body: { type: "direct", userId: world.people.spare.id },
    }),
  },
  "GET /v1/conversations": { scope: "self", call: () => ({ method: "GET", path: "/v1/conversations" }) },
  "GET /v1/conversations/:id": {
    scope: "conversation",
    call: (id) => ({ method: "GET", path: `/v1/conversations/${id}` }),
    expect: { removed: 200, member: 200, sender: 200, admin: 200 },
  },
  "GET /v1/conversations/:id/messages": {
    scope: "conversation",
    call: (id) => ({ method: "GET", path: `/v1/conversations/${id}/messages` }),
    expect: {
      // Read-only after removal: history up to the removal, nothing written after it.
      removed: (a) => a.status === 200 && a.text.includes(CANARY_BEFORE) && !a.text.includes(CANARY_AFTER),
      member: (a) => a.status === 200 && a.text.includes(CANARY_AFTER),
      sender: 200,
      admin: 200,
    },
  },
  "POST /v1/conversations/:id/messages": {
    scope: "conversation",
    call: (id, caller) => ({
      method: "POST",
      path: `/v1/conversations/${id}/messages`,
      body: { clientId: `m-${caller}-${RUN}`, text: "hello" },
    }),
    expect: { removed: 403, member: 201, sender: 201, admin: 201 },
  },
  "DELETE /v1/conversations/:id/messages/:seq": {
    scope: "conversation",
    call: (id) => ({ method: "DELETE", path: `/v1/conversations/${id}/messages/${world.hideSeq}?for=me` }),
    expect: { removed: 404, member: 204, sender: 204, admin: 204 },
  },
  // Edits and reactions act on a message sent after the removal: the removed member cannot see it.
  "PATCH /v1/conversations/:id/messages/:seq": {
    scope: "conversation",
    call: (id) => ({
      method: "PATCH",
      path: `/v1/conversations/${id}/messages/${world.hideSeq}`,
      body: { text: "to be hidden" },
    }),
    expect: { removed: 404, member: 403, sender: 200, admin: 403 },
  },
  "PUT /v1/conversations/:id/messages/:seq/reaction": {
    scope: "conversation",
    call: (id) => ({
      method: "PUT",
      path: `/v1/conversations/${id}/messages/${world.hideSeq}/reaction`,
      body: { emoji: "👍" },
    }),
    expect: { removed: 404, member: 200, sender: 200, admin: 200 },
  },
  "DELETE /v1/conversations/:id/messages/:seq/reaction": {
    scope: "conversation",
    call: (id) => ({ method: "DELETE", path: `/v1/conversations/${id}/messages/${world.hideSeq}/reaction` }),
    expect: { removed: 404, member: 204, sender: 204, admin: 204 },
  },
  "POST /v1/conversations/:id/read": {
    scope: "conversation",
    call: (id) => ({ method: "POST", path: `/v1/conversations/${id}/read`, body: { upTo: 1 } }),
    expect: { member: 204, sender: 204, admin: 204 },
  },
  "GET /v1/conversations/:id/messages/:seq/status": {
    scope: "conversation",
    call: (id) => ({ method: "GET", path: `/v1/conversations/${id}/messages/${world.hideSeq}/status` }),
    expect: { removed: (a) => a.status === 404 || a.status === 403, sender: 200 },
  },
  "PATCH /v1/conversations/:id": {
    scope: "conversation",
    call: (id) => ({ method: "PATCH", path: `/v1/conversations/${id}`, body: { name: CANARY_NAME } }),
    expect: { removed: 403, member: 403, sender: 403, admin: 200 },
  },
  "POST /v1/conversations/:id/members": {
    scope: "conversation",
    call: (id) => ({
      method: "POST",
      path: `/v1/conversations/${id}/members`,
      body: { userIds: [world.people.spare.id] },
    }),
    expect: { removed: 403, member: 403, sender: 403, admin: 200 },
  },
  "DELETE /v1/conversations/:id/members/:userId": {
    scope: "conversation",
    call: (id) => ({ method: "DELETE", path: `/v1/conversations/${id}/members/${world.people.extra.id}` }),
    expect: { removed: 403, member: 403, sender: 403, admin: 204 },
  },
  "PATCH /v1/conversations/:id/members/:userId": {
    scope: "conversation",
    call: (id) => ({
      method: "PATCH",
      path: `/v1/conversations/${id}/members/${world.people.member.id}`,
      body: { role: "member" },
    }),
    expect: { removed: 403, member: 403, sender: 403, admin: 200 },
  },
  "POST /v1/ws/ticket": { scope: "self", call: () => ({ method: "POST", path: "/v1/ws/ticket" }) },
  // The upgrade itself: without `Upgrade: websocket` it is a 400 for everyone; sockets are tested below.
  "GET /v1/ws": { scope: "public", call: () => ({ method: "GET", path: "/v1/ws" }) },
  "GET /v1/presence": {
    scope: "self",
    call: () => ({ method: "GET", path: `/v1/presence?ids=${world.people.member.id}` }),
  },
  "GET /v1/me/privacy": { scope: "self", call: () => ({ method: "GET", path: "/v1/me/privacy" }) },
  "PUT /v1/me/privacy": {
    scope: "self",
    call: () => ({ method: "PUT", path: "/v1/me/privacy", body: { presence: "everyone" } }),
  },
  // Invite links: making and revoking one is an admin's; previews and joins need a live token
  // (invites.test.ts), so a made-up one is the same 404 for everyone.
  "POST /v1/conversations/:id/invite": {
    scope: "conversation",
    call: (id) => ({ method: "POST", path: `/v1/conversations/${id}/invite` }),
    expect: { removed: 403, member: 403, sender: 403, admin: 200 },
  },
  "DELETE /v1/conversations/:id/invite": {
    scope: "conversation",
    call: (id) => ({ method: "DELETE", path: `/v1/conversations/${id}/invite` }),
    expect: { removed: 403, member: 403, sender: 403, admin: 204 },
  },
  "GET /v1/invites/:token": {
    scope: "self",
    expect: NO_SUCH_INVITE,
    call: () => ({ method: "GET", path: `/v1/invites/${"0".repeat(32)}g_doesnotexist` }),
  },
  "POST /v1/invites/:token/join": {
    scope: "self",
    expect: NO_SUCH_INVITE,
    call: () => ({ method: "POST", path: `/v1/invites/${"0".repeat(32)}g_doesnotexist/join` }),
  },
  "GET /v1/me/sessions": { scope: "self", call: () => ({ method: "GET", path: "/v1/me/sessions" }) },
  // Another user's session id is the same 404 as a made-up one (sessions.test.ts ends real ones).
  "DELETE /v1/me/sessions/:id": {
    scope: "self",
    call: () => ({ method: "DELETE", path: "/v1/me/sessions/s_doesnotexist" }),
    expect: { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 },
  },
  // Without ?others=true nothing ends (400); the matrix's callers keep their sessions.
  "DELETE /v1/me/sessions": {
    scope: "self",
    call: () => ({ method: "DELETE", path: "/v1/me/sessions" }),
    expect: { nonMember: 400, removed: 400, member: 400, sender: 400, admin: 400 },
  },
  // A wrong current password: 401 for everyone, nothing changed.
  "POST /v1/me/password": {
    scope: "self",
    call: () => ({
      method: "POST",
      path: "/v1/me/password",
      body: { currentPassword: "not-the-password", newPassword: "a-new-password-9" },
    }),
    expect: { nonMember: 401, removed: 401, member: 401, sender: 401, admin: 401 },
  },
  // A wrong password: 401 for everyone, nothing deleted (account-deletion.test.ts deletes for real).
  "DELETE /v1/me": {
    scope: "self",
    call: () => ({ method: "DELETE", path: "/v1/me", body: { password: "not-the-password" } }),
    expect: { nonMember: 401, removed: 401, member: 401, sender: 401, admin: 401 },
  },
  // Starting an export is the caller's own (202); export-data.test.ts reads a real one.
  "POST /v1/me/export": {
    scope: "self",
    call: () => ({ method: "POST", path: "/v1/me/export" }),
    expect: { nonMember: 202, removed: 202, member: 202, sender: 202, admin: 202 },
  },
  // An export id that is not the caller's is the 404 of a made-up one.
  "GET /v1/me/export/:id": {
    scope: "self",
    call: () => ({ method: "GET", path: "/v1/me/export/x_doesnotexist" }),
    expect: { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 },
  },
  // Reporting a chat reads its history as the reporter: a non-member gets the "does not exist" 404.
  "POST /v1/reports": {
    scope: "conversation",
    call: (id) => ({ method: "POST", path: "/v1/reports", body: { conversationId: id, reason: "matrix" } }),
    expect: { removed: notServerError, member: 201, sender: 201, admin: 201 },
  },
  // The report queue answers only OPERATOR_SECRET, which no caller here holds: 404 for all.
  "GET /v1/operator/reports": { scope: "dev", call: () => ({ method: "GET", path: "/v1/operator/reports" }) },
  "POST /v1/operator/reports/:id/resolve": {
    scope: "dev",
    call: () => ({ method: "POST", path: "/v1/operator/reports/r_x/resolve", body: { resolution: "dismissed" } }),
  },
  "GET /v1/me/blocked": { scope: "self", call: () => ({ method: "GET", path: "/v1/me/blocked" }) },
  // Blocking acts on the caller's own list: anyone signed in may block anyone (a stranger included).
  "PUT /v1/me/blocked/:userId": {
    scope: "self",
    call: () => ({ method: "PUT", path: `/v1/me/blocked/${world.people.spare.id}` }),
  },
  "DELETE /v1/me/blocked/:userId": {
    scope: "self",
    call: () => ({ method: "DELETE", path: `/v1/me/blocked/${world.people.spare.id}` }),
  },
  "POST /v1/media": {
    scope: "self",
    call: () => ({
      method: "POST",
      path: "/v1/media",
      body: "not an image",
      headers: { "content-type": "text/plain" },
    }),
  },
  // Multipart uploads: the uploader's alone; an id that is not yours is the 404 of a missing one.
  "POST /v1/media/uploads": {
    scope: "self",
    call: () => ({ method: "POST", path: "/v1/media/uploads?size=0", headers: { "content-type": "video/mp4" } }),
    expect: { nonMember: 400, removed: 400, member: 400, sender: 400, admin: 400 },
  },
  "GET /v1/media/uploads/:id": {
    scope: "self",
    call: () => ({ method: "GET", path: "/v1/media/uploads/u_doesnotexist" }),
    expect: { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 },
  },
  "PUT /v1/media/uploads/:id/parts/:part": {
    scope: "self",
    call: () => ({ method: "PUT", path: "/v1/media/uploads/u_doesnotexist/parts/1", body: "x" }),
    expect: { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 },
  },
  "POST /v1/media/uploads/:id/complete": {
    scope: "self",
    call: () => ({ method: "POST", path: "/v1/media/uploads/u_doesnotexist/complete" }),
    expect: { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 },
  },
  "DELETE /v1/media/uploads/:id": {
    scope: "self",
    call: () => ({ method: "DELETE", path: "/v1/media/uploads/u_doesnotexist" }),
    expect: { nonMember: 404, removed: 404, member: 404, sender: 404, admin: 404 },
  },
  // Everyone but the uploader (and members of a chat that carries it) gets the same 404.
  "GET /v1/media/:id": { scope: "media", call: () => ({ method: "GET", path: "/v1/media/m_doesnotexist" }) },
  "GET /v1/push/vapid-key": { scope: "public", call: () => ({ method: "GET", path: "/v1/push/vapid-key" }) },
  "GET /v1/config": { scope: "public", call: () => ({ method: "GET", path: "/v1/config" }) },
  "POST /v1/push/subscriptions": {
    scope: "self",
    call: () => ({ method: "POST", path: "/v1/push/subscriptions", body: { endpoint: "not a url" } }),
  },
  "DELETE /v1/push/subscriptions": {
    scope: "self",
    call: () => ({ method: "DELETE", path: "/v1/push/subscriptions", body: { endpoint: "https://push.invalid/x" } }),
  },
  "PUT /v1/conversations/:id/mute": {
    scope: "conversation",
    call: (id) => ({ method: "PUT", path: `/v1/conversations/${id}/mute`, body: { until: "always" } }),
    expect: { member: 200, sender: 200, admin: 200 },
  },
  "PATCH /v1/conversations/:id/list-state": {
    scope: "conversation",
    call: (id) => ({ method: "PATCH", path: `/v1/conversations/${id}/list-state`, body: { archived: false } }),
    expect: { member: 200, sender: 200, admin: 200 },
  },
  // Registered last (workers/index.ts): hiding the chat from the caller's own list affects no later row.
  "POST /v1/conversations/:id/clear": {
    scope: "conversation",
    call: (id) => ({ method: "POST", path: `/v1/conversations/${id}/clear` }),
    expect: { member: 200, sender: 200, admin: 200 },
  },
  "GET /v1/me/notifications": { scope: "self", call: () => ({ method: "GET", path: "/v1/me/notifications" }) },
  "PUT /v1/me/notifications": {
    scope: "self",
    call: () => ({ method: "PUT", path: "/v1/me/notifications", body: { previews: true } }),
  },
};

/** Every client frame type, and how each caller's socket must be answered. */
const FRAMES: Record<
  string,
  { frame: (conversationId: string) => Record<string, unknown>; member: "answer" | "silent" }
> = {
  hello: { frame: () => ({ type: "hello", v: 1, deviceId: "matrix", cursor: 0 }), member: "answer" },
  ack: { frame: () => ({ type: "ack", cursor: 0 }), member: "silent" },
  send: {
    frame: (id) => ({ type: "send", id: "f-send", conversationId: id, clientId: `f-${RUN}`, text: "frame" }),
    member: "answer",
  },
  read: { frame: (id) => ({ type: "read", id: "f-read", conversationId: id, upTo: 1 }), member: "answer" },
  delete: {
    frame: (id) => ({ type: "delete", id: "f-del", conversationId: id, seq: world.hideSeq, for: "me" }),
    member: "answer",
  },
  typing: { frame: (id) => ({ type: "typing", conversationId: id, typing: true }), member: "silent" },
  ping: { frame: () => ({ type: "ping" }), member: "answer" },
};

function tokenOf(caller: Caller): string | null {
  if (caller === "anonymous") return null;
  if (caller === "badToken") return "v1.eyJzdWIiOiJ1XzEifQ.AAAA";
  if (caller === "revoked") return world.revokedToken;
  return world.people[caller].client.api.token;
}

async function send(call: Call, token: string | null): Promise<Answer> {
  const headers: Record<string, string> = { ...call.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (call.body !== undefined) {
    body = typeof call.body === "string" ? call.body : JSON.stringify(call.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${base}${call.path}`, { method: call.method, headers, body });
  const text = await res.text();
  let code: string | undefined;
  let message: string | undefined;
  try {
    const json = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = json.error?.code;
    message = json.error?.message;
  } catch {
    // not JSON
  }
  return { status: res.status, text, code, message };
}

/** The routes Hono serves, as `METHOD path` (middleware entries are `ALL`). */
function servedRoutes(): string[] {
  return [...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`))].sort();
}

beforeAll(async () => {
  const [admin, member, sender, removed, nonMember, spare, extra, revokedUser] = await Promise.all(
    ["mx_admin", "mx_member", "mx_sender", "mx_removed", "mx_outsider", "mx_spare", "mx_extra", "mx_revoked"].map((n) =>
      person(n),
    ),
  );
  const people = {
    admin: admin!,
    member: member!,
    sender: sender!,
    removed: removed!,
    nonMember: nonMember!,
    spare: spare!,
    extra: extra!,
    revokedUser: revokedUser!,
  };
  const group = await people.admin.client.api.createGroup(CANARY_NAME, [
    people.member.id,
    people.sender.id,
    people.removed.id,
    people.extra.id,
  ]);
  const before = await people.sender.client.api.sendMessage(group.id, { clientId: `b-${RUN}`, text: CANARY_BEFORE });
  await people.admin.client.api.deleteMember(group.id, people.removed.id);
  const after = await people.sender.client.api.sendMessage(group.id, { clientId: `a-${RUN}`, text: CANARY_AFTER });
  const hide = await people.sender.client.api.sendMessage(group.id, { clientId: `h-${RUN}`, text: "to be hidden" });
  const revokedToken = people.revokedUser.client.api.token!;
  await people.revokedUser.client.api.logout();
  const missingId = `${group.id.slice(0, 2)}${"Z".repeat(Math.max(1, group.id.length - 2))}`;
  world = {
    people,
    groupId: group.id,
    missingId,
    beforeSeq: before.seq,
    afterSeq: after.seq,
    hideSeq: hide.seq,
    revokedToken,
  };
});

afterAll(() => {
  for (const p of Object.values(world?.people ?? {})) p.client.close();
});

describe("authorization matrix: REST", () => {
  it("lists every route the app serves, and nothing it does not", () => {
    const served = servedRoutes();
    const unlisted = served.filter((r) => !(r in ROUTES));
    expect(unlisted, "routes without an authz matrix entry: add them to ROUTES").toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !served.includes(r))).toEqual([]);
  });

  it("gives every caller exactly its due on every route, with no leaks", async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const key of servedRoutes()) {
      const entry = ROUTES[key];
      if (!entry) continue;
      for (const caller of CALLERS) {
        // Logout revokes the caller's session; use a fresh one so later rows still have a live token.
        let token = tokenOf(caller);
        if (key === "POST /v1/auth/logout" && SIGNED_IN.includes(caller)) {
          const p = world.people[caller as Exclude<Caller, "anonymous" | "badToken" | "revoked">];
          token =
            (await fetch(`${base}/v1/auth/login`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                username: p.username,
                password: `${p.username.split("_")[0]}_${p.username.split("_")[1]}-password-1`,
              }),
            }).then(async (r) => ((await r.json()) as { token?: string }).token ?? null)) ?? token;
        }
        const answer = await send(entry.call(world.groupId, caller), token);
        cases++;
        const where = `${key} as ${caller}: ${answer.status} ${answer.text.slice(0, 160)}`;
        if (answer.status >= 500) failures.push(`5xx — ${where}`);
        const signedIn = SIGNED_IN.includes(caller);
        // Credentials: anonymous, bad and revoked tokens never get past authentication.
        if (!signedIn && (entry.scope === "self" || entry.scope === "conversation") && answer.status !== 401)
          failures.push(`expected 401 — ${where}`);
        if (entry.scope === "media" && answer.status !== 404) failures.push(`expected 404 — ${where}`);
        if (entry.scope === "dev" && answer.status !== 404) failures.push(`expected 404 — ${where}`);
        // No canary in any refusal; nothing of the group for outsiders; nothing after removal for the removed.
        const forbidden =
          answer.status >= 400 || !signedIn || caller === "nonMember"
            ? [CANARY_NAME, CANARY_BEFORE, CANARY_AFTER]
            : caller === "removed"
              ? [CANARY_AFTER]
              : [];
        for (const canary of forbidden) if (answer.text.includes(canary)) failures.push(`leaks ${canary} — ${where}`);
        if (entry.scope === "conversation" && caller === "nonMember") {
          // Not a member ≡ does not exist: same status, code and message.
          const missing = await send(entry.call(world.missingId, caller), token);
          cases++;
          if (
            answer.status !== 404 ||
            missing.status !== answer.status ||
            missing.code !== answer.code ||
            missing.message !== answer.message
          )
            failures.push(
              `non-member differs from missing — ${where} vs ${missing.status} ${missing.text.slice(0, 160)}`,
            );
        }
        const expected = entry.expect?.[caller];
        if (expected !== undefined) {
          const good = typeof expected === "number" ? answer.status === expected : expected(answer);
          if (!good) failures.push(`unexpected — ${where}`);
        } else if (signedIn && entry.scope === "self" && !notServerError(answer)) {
          failures.push(`self route failed — ${where}`);
        }
      }
    }
    console.log(
      `authz matrix: ${servedRoutes().length} routes × ${CALLERS.length} callers, ${cases} cases, ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
  });
});

describe("authorization matrix: WebSocket frames", () => {
  it("lists every client frame type", () => {
    const types = ClientFrame.options.map((o) => o.shape.type.value).sort();
    expect(
      types.filter((t) => !(t in FRAMES)),
      "frame types without a matrix entry",
    ).toEqual([]);
  });

  async function ticketFor(p: Person): Promise<string> {
    return (await p.client.api.wsTicket()).ticket;
  }

  function openRaw(protocols: string[]): Promise<{ ws: WebSocket; frames: ServerFrame[] } | number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${base.replace(/^http/, "ws")}/v1/ws`, protocols);
      const frames: ServerFrame[] = [];
      ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data)) as ServerFrame));
      ws.addEventListener("open", () => resolve({ ws, frames }));
      ws.addEventListener("error", () => resolve(0));
    });
  }

  it("refuses sockets for anonymous, bad and revoked callers, and reused tickets", async () => {
    expect(typeof (await openRaw(["messenger.v1"]))).toBe("number");
    expect(typeof (await openRaw(["messenger.v1", "ticket.wt1.AAAA.AAAA"]))).toBe("number");
    // A revoked session cannot mint a ticket at all.
    const revoked = await fetch(`${base}/v1/ws/ticket`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.revokedToken}` },
    });
    expect(revoked.status).toBe(401);
    const ticket = await ticketFor(world.people.member);
    const first = await openRaw(["messenger.v1", `ticket.${ticket}`]);
    expect(typeof first).toBe("object");
    if (typeof first === "object") first.ws.close();
    expect(typeof (await openRaw(["messenger.v1", `ticket.${ticket}`]))).toBe("number");
  });

  it("answers non-members like a missing conversation and never shows them the group", async () => {
    const sockets: Record<"nonMember" | "removed" | "member", { ws: WebSocket; frames: ServerFrame[] }> = {} as never;
    for (const caller of ["nonMember", "removed", "member"] as const) {
      const opened = await openRaw(["messenger.v1", `ticket.${await ticketFor(world.people[caller])}`]);
      if (typeof opened === "number") throw new Error(`no socket for ${caller}`);
      opened.ws.send(JSON.stringify(FRAMES.hello!.frame(world.groupId)));
      sockets[caller] = opened;
    }
    const waitFor = async (frames: ServerFrame[], pred: (f: ServerFrame) => boolean) => {
      for (let i = 0; i < 1500 && !frames.some(pred); i++) await new Promise((r) => setTimeout(r, 10));
      return frames.find(pred);
    };
    for (const s of Object.values(sockets)) await waitFor(s.frames, (f) => f.type === "synced");

    const failures: string[] = [];
    for (const [type, spec] of Object.entries(FRAMES)) {
      if (type === "hello") continue;
      const outsider = sockets.nonMember;
      const start = outsider.frames.length;
      const frame = spec.frame(world.groupId);
      outsider.ws.send(JSON.stringify(frame));
      outsider.ws.send(
        JSON.stringify({
          ...spec.frame(world.missingId),
          ...("id" in frame ? { id: `${String(frame.id)}-missing` } : {}),
        }),
      );
      outsider.ws.send(JSON.stringify({ type: "ping" }));
      for (let i = 0; i < 500 && !outsider.frames.slice(start).some((f) => f.type === "pong"); i++)
        await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      const answers = outsider.frames.slice(start).filter((f) => f.type !== "pong");
      const errors = answers.filter((f): f is Extract<ServerFrame, { type: "error" }> => f.type === "error");
      if (["send", "read", "delete"].includes(type)) {
        const [real, missing] = errors;
        if (
          !real ||
          !missing ||
          real.code !== "not_found" ||
          real.code !== missing.code ||
          real.message !== missing.message
        )
          failures.push(`${type}: non-member answer differs from missing: ${JSON.stringify(errors)}`);
      }
      if (answers.some((f) => f.type === "sent" || f.type === "ok")) failures.push(`${type}: non-member succeeded`);
    }
    // Live traffic in the group (a message and typing) reaches the member, never the outsider or the removed member.
    const sentLive = await world.people.sender.client.api.sendMessage(world.groupId, {
      clientId: `live-${RUN}`,
      text: CANARY_LIVE,
    });
    expect(sentLive.seq).toBeGreaterThan(world.afterSeq);
    await waitFor(sockets.member.frames, (f) => JSON.stringify(f).includes(CANARY_LIVE));
    await new Promise((r) => setTimeout(r, 300));
    for (const caller of ["nonMember", "removed"] as const) {
      const seen = JSON.stringify(sockets[caller].frames);
      for (const canary of [CANARY_LIVE, CANARY_AFTER, ...(caller === "nonMember" ? [CANARY_NAME, CANARY_BEFORE] : [])])
        if (seen.includes(canary)) failures.push(`${caller} socket saw ${canary}`);
      if (sockets[caller].frames.some((f) => f.type === "typing")) failures.push(`${caller} socket saw typing`);
    }
    expect(JSON.stringify(sockets.member.frames)).toContain(CANARY_LIVE);
    for (const s of Object.values(sockets)) s.ws.close();
    expect(failures).toEqual([]);
  });
});
