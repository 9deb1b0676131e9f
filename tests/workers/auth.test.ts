/**
 * Accounts inside workerd: every refusal that must happen before any database is reached.
 *
 * This project runs without DATABASE_URL(S) and without Redis, so a request that touched Postgres
 * would answer 500; each 400/401/413 below therefore also proves the check ran at the edge, before
 * storage. AUTH_SECRET comes from the vitest config, so tests can mint tokens the Worker accepts.
 */
import { describe, expect, it } from "vitest";
import { MAX_DISPLAY_NAME_CHARS, MAX_JSON_BODY_BYTES } from "../../client/sdk/protocol/index.ts";
import { signToken } from "../../lib/tokens.ts";
import { AUTH_SECRET, worker } from "./bindings.ts";

// Until `wrangler types` output is checked in, the runtime module's types know neither our secrets nor
// the Worker's default export; name the parts we use with our own types.
const BASE = "https://messenger.test";

interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; requestId?: string } };
  text: string;
}

async function call(path: string, init: RequestInit = {}): Promise<ErrorReply> {
  const res = await worker.fetch(new Request(`${BASE}${path}`, init));
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as ErrorReply["body"], text };
}

function postJson(path: string, body: string, headers: Record<string, string> = {}): Promise<ErrorReply> {
  return call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

/** Every error body is exactly `{ error: { code, message, requestId } }`, and nothing of a stack. */
function expectCleanError(reply: ErrorReply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body.error.code).toBe(code);
  expect(Object.keys(reply.body)).toEqual(["error"]);
  expect(Object.keys(reply.body.error).sort()).toEqual(["code", "message", "requestId"]);
  expect(reply.text).not.toMatch(/\bat .+:\d+|\.ts\b|\.js\b|stack|Error:/);
}

const alice = { username: "alice", password: "correct horse", displayName: "Alice" };

describe("register and login refuse bad input at the edge", () => {
  it("answers invalid_json when mallory sends a body that is not JSON", async () => {
    expectCleanError(await postJson("/v1/auth/register", '{"username":"mallory",'), 400, "invalid_json");
    expectCleanError(await postJson("/v1/auth/login", "not json"), 400, "invalid_json");
  });

  it("answers invalid_request when mallory adds a field the API does not have", async () => {
    const reply = await postJson("/v1/auth/register", JSON.stringify({ ...alice, id: "u_admin" }));
    expectCleanError(reply, 400, "invalid_request");
    expect(reply.body.error.message).toContain("id");
    expectCleanError(
      await postJson("/v1/auth/login", JSON.stringify({ username: "alice", password: "x", role: "admin" })),
      400,
      "invalid_request",
    );
  });

  it("refuses alice's registration with a password shorter than 8 characters", async () => {
    const reply = await postJson("/v1/auth/register", JSON.stringify({ ...alice, password: "short" }));
    expectCleanError(reply, 400, "invalid_request");
    expect(reply.body.error.message).toContain("password");
  });

  it("refuses a password longer than 128 characters", async () => {
    const reply = await postJson("/v1/auth/register", JSON.stringify({ ...alice, password: "p".repeat(129) }));
    expectCleanError(reply, 400, "invalid_request");
  });

  it("refuses a display name longer than the limit, and an empty one", async () => {
    const long = "A".repeat(MAX_DISPLAY_NAME_CHARS + 1);
    expectCleanError(
      await postJson("/v1/auth/register", JSON.stringify({ ...alice, displayName: long })),
      400,
      "invalid_request",
    );
    expectCleanError(
      await postJson("/v1/auth/register", JSON.stringify({ ...alice, displayName: "   " })),
      400,
      "invalid_request",
    );
  });

  it("refuses usernames outside 3–32 of a-z 0-9 _ .", async () => {
    for (const username of ["al", "a".repeat(33), "alice!", "al ice", "ålice", ""]) {
      const reply = await postJson("/v1/auth/register", JSON.stringify({ ...alice, username }));
      expectCleanError(reply, 400, "invalid_request");
    }
  });

  it("refuses missing fields and a JSON value that is not an object", async () => {
    expectCleanError(
      await postJson("/v1/auth/register", JSON.stringify({ username: "alice" })),
      400,
      "invalid_request",
    );
    expectCleanError(await postJson("/v1/auth/register", "[1,2,3]"), 400, "invalid_request");
    expectCleanError(await postJson("/v1/auth/login", "null"), 400, "invalid_request");
  });

  it("answers payload_too_large for a body over 64 KiB", async () => {
    const big = JSON.stringify({ ...alice, displayName: "x".repeat(MAX_JSON_BODY_BYTES) });
    expectCleanError(await postJson("/v1/auth/register", big), 413, "payload_too_large");
  });

  it("answers invalid_credentials for a username no one can register, without asking the database", async () => {
    const reply = await postJson("/v1/auth/login", JSON.stringify({ username: "Mallory!", password: "guess123" }));
    expectCleanError(reply, 401, "invalid_credentials");
  });
});

describe("authenticated routes refuse bad tokens at the edge", () => {
  const guarded: Array<[string, string]> = [
    ["GET", "/v1/me"],
    ["PATCH", "/v1/me"],
    ["GET", "/v1/users/u_01m8b04ck3agnz745314etr2ch"],
    ["GET", "/v1/users?q=al"],
    ["POST", "/v1/auth/logout"],
  ];

  async function expectUnauthorized(authorization: string | null): Promise<void> {
    for (const [method, path] of guarded) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization !== null) headers.authorization = authorization;
      const body = method === "PATCH" ? JSON.stringify({ about: "pwned" }) : undefined;
      expectCleanError(await call(path, { method, headers, body }), 401, "unauthorized");
    }
  }

  it("answers unauthorized when mallory sends no Authorization header", async () => {
    await expectUnauthorized(null);
  });

  it("answers unauthorized for garbage, a wrong scheme and an empty bearer", async () => {
    await expectUnauthorized("Bearer garbage");
    await expectUnauthorized("Bearer ");
    await expectUnauthorized("Basic YWxpY2U6cGFzc3dvcmQ=");
    await expectUnauthorized("Bearer v1.e30.AAAA");
  });

  it("answers unauthorized when mallory rewrites the user id inside alice's token", async () => {
    const { token } = await signToken(AUTH_SECRET ?? "", { sub: "u_alice", sid: "s_alice" });
    const [v, kid, payload, sig] = token.split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as object;
    const forged = btoa(JSON.stringify({ ...claims, sub: "u_mallory" })).replace(/=+$/, "");
    await expectUnauthorized(`Bearer ${v}.${kid}.${forged.replace(/\+/g, "-").replace(/\//g, "_")}.${sig}`);
  });

  it("answers unauthorized for a token signed with another secret", async () => {
    const { token } = await signToken("not-the-server-secret", { sub: "u_alice", sid: "s_alice" });
    await expectUnauthorized(`Bearer ${token}`);
  });

  it("answers unauthorized for alice's token once it has expired", async () => {
    const longAgo = Date.now() - 31 * 24 * 60 * 60 * 1000;
    const { token } = await signToken(AUTH_SECRET ?? "", { sub: "u_alice", sid: "s_alice" }, longAgo);
    await expectUnauthorized(`Bearer ${token}`);
  });

  it("checks the token before the body, so mallory learns nothing from validation errors", async () => {
    const reply = await call("/v1/me", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "root" }),
    });
    expectCleanError(reply, 401, "unauthorized");
  });
});
