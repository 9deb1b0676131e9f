/**
 * REST abuse controls inside workerd with production limits on (vitest project "limits"): 429 +
 * Retry-After per IP (an IPv6 /64 as one), per account and IP, and per account; per-user limits
 * keyed by the token's signature; security headers and the CORS allowlist. No Redis here, so the per-isolate fallback counts — the same rules
 * and keys the Redis path uses (workers/middleware/rate-limit.ts).
 */
import { describe, expect, it } from "vitest";
import {
  AUTH_PER_IP_EDGE,
  DISCOVERY_PER_USER,
  LOGIN_PER_ACCOUNT,
  LOGIN_PER_ACCOUNT_IP,
  LOGIN_PER_IP,
  PRESENCE_PER_USER,
  REGISTER_PER_IP,
  UPLOADS_PER_USER,
} from "../../lib/rate-limits.ts";
import { signToken } from "../../lib/tokens.ts";
import { AUTH_SECRET, worker } from "../workers/bindings.ts";

const BASE = "https://messenger.test";

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return worker.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );
}

/** Reads and discards the body (workerd wants every body consumed). */
async function statusOf(res: Response): Promise<number> {
  await res.arrayBuffer();
  return res.status;
}

async function expect429(res: Response): Promise<void> {
  const body = (await res.json()) as { error: { code: string } };
  expect(res.status).toBe(429);
  expect(body.error.code).toBe("rate_limited");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe("login and registration limits", () => {
  it("refuses the 6th login attempt on one account from one IP within a minute; the owner elsewhere still gets in", async () => {
    // A name no one can register: answered after the same Argon2id work, without a database.
    const attempt = (ip: string, i = 0) =>
      post("/v1/auth/login", { username: "Victim!", password: `guess-${i}` }, { "cf-connecting-ip": ip });
    for (let i = 1; i <= LOGIN_PER_ACCOUNT_IP.limit; i++)
      expect(await statusOf(await attempt("198.51.100.1", i))).toBe(401);
    await expect429(await attempt("198.51.100.1"));
    // Mallory's guesses do not lock the account for everyone: another IP is still answered.
    expect(await statusOf(await attempt("198.51.100.2"))).toBe(401);
    // Another account from the same IP is not affected either.
    const other = await post(
      "/v1/auth/login",
      { username: "Other!", password: "guess" },
      { "cf-connecting-ip": "198.51.100.1" },
    );
    expect(await statusOf(other)).toBe(401);
  });

  it("counts one IPv6 /64 as one client for login attempts", async () => {
    const attempt = (ip: string) =>
      post("/v1/auth/login", { username: "Sixty4!", password: "guess" }, { "cf-connecting-ip": ip });
    for (let i = 1; i <= LOGIN_PER_ACCOUNT_IP.limit; i++)
      expect(await statusOf(await attempt(`2001:db8:64:1::${i.toString(16)}`))).toBe(401);
    await expect429(await attempt("2001:db8:64:1:ffff:ffff:ffff:ffff"));
    expect(await statusOf(await attempt("2001:db8:64:2::1"))).toBe(401);
  });

  it("refuses login attempts on one account past the hourly ceiling, whatever the IPs", async () => {
    const attempt = (i: number) =>
      post(
        "/v1/auth/login",
        { username: "Spread!", password: `guess-${i}` },
        { "cf-connecting-ip": `10.${Math.floor(i / 250)}.${i % 250}.9` },
      );
    for (let i = 1; i <= LOGIN_PER_ACCOUNT.limit; i++) expect(await statusOf(await attempt(i))).toBe(401);
    const refused = await attempt(LOGIN_PER_ACCOUNT.limit + 1);
    const body = (await refused.json()) as { error: { code: string } };
    expect(refused.status).toBe(429);
    expect(body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(LOGIN_PER_ACCOUNT.windowSeconds);
  }, 120_000);

  it("refuses the 21st login attempt from one IP, whatever the accounts", async () => {
    const attempt = (i: number) =>
      post("/v1/auth/login", { username: `Nobody${i}!`, password: "guess" }, { "cf-connecting-ip": "203.0.113.7" });
    for (let i = 1; i <= LOGIN_PER_IP.limit; i++) expect(await statusOf(await attempt(i))).toBe(401);
    await expect429(await attempt(LOGIN_PER_IP.limit + 1));
  });

  it("refuses the 61st register or login from one IP in a minute at the edge layer (the binding), before Redis", async () => {
    const ip = "203.0.113.61";
    const login = (i: number) =>
      post("/v1/auth/login", { username: `Edge${i}!`, password: "guess" }, { "cf-connecting-ip": ip });
    const register = () =>
      post("/v1/auth/register", { username: "x", password: "short", displayName: "X" }, { "cf-connecting-ip": ip });
    const messages: string[] = [];
    for (let i = 1; i <= AUTH_PER_IP_EDGE.limit; i++) {
      const res = await (i % 2 === 0 ? register() : login(i));
      messages.push(((await res.json()) as { error: { message: string } }).error.message);
    }
    // The Redis-side limits (here their per-isolate fallback) refuse first; the binding counted all 60.
    expect(messages.filter((m) => m.includes("(auth_ip_edge)"))).toEqual([]);
    const refused = await login(0);
    const body = (await refused.clone().json()) as { error: { message: string } };
    expect(body.error.message).toContain("(auth_ip_edge)");
    await expect429(refused);
    // Another address is not affected.
    const elsewhere = post(
      "/v1/auth/login",
      { username: "Edge!", password: "guess" },
      { "cf-connecting-ip": "203.0.113.62" },
    );
    expect(await statusOf(await elsewhere)).toBe(401);
  });

  it("refuses the 4th registration from one IP within a minute", async () => {
    const attempt = () =>
      post(
        "/v1/auth/register",
        { username: "x", password: "short", displayName: "X" },
        { "cf-connecting-ip": "203.0.113.8" },
      );
    for (let i = 1; i <= REGISTER_PER_IP.limit; i++) expect(await statusOf(await attempt())).toBe(400);
    await expect429(await attempt());
    // Another IP still may.
    const elsewhere = await post(
      "/v1/auth/register",
      { username: "x", password: "short", displayName: "X" },
      { "cf-connecting-ip": "203.0.113.9" },
    );
    expect(await statusOf(elsewhere)).toBe(400);
  });
});

describe("per-user limits", () => {
  it("refuses the 11th upload within a minute per user, counted by the token's signature", async () => {
    const { token } = await signToken(AUTH_SECRET, { sub: "u_uploader", sid: "s_up" });
    const upload = () =>
      worker.fetch(
        new Request(`${BASE}/v1/media`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "text/html" },
          body: "<p>not a picture</p>",
        }),
      );
    for (let i = 1; i <= UPLOADS_PER_USER.limit; i++) expect(await statusOf(await upload())).not.toBe(429);
    await expect429(await upload());
    // A forged token is never counted (the route answers 401 itself), so it cannot exhaust a victim's quota.
    const forged = await worker.fetch(
      new Request(`${BASE}/v1/media`, { method: "POST", headers: { authorization: "Bearer v1.x.y" }, body: "x" }),
    );
    expect(await statusOf(forged)).toBe(401);
  });
});

describe("discovery limits", () => {
  it("refuses the 61st user search and the 61st presence lookup within a minute per account", async () => {
    const { token } = await signToken(AUTH_SECRET, { sub: "u_scraper", sid: "s_scr" });
    const get = (path: string) =>
      worker.fetch(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } }));
    for (const [path, rule] of [
      ["/v1/users?q=ab", DISCOVERY_PER_USER],
      ["/v1/presence?ids=u_a,u_b", PRESENCE_PER_USER],
    ] as const) {
      for (let i = 1; i <= rule.limit; i++) expect(await statusOf(await get(path))).not.toBe(429);
      await expect429(await get(path));
    }
  });
});

describe("security headers and CORS", () => {
  const REQUIRED = {
    "strict-transport-security": /max-age=\d+/,
    "x-content-type-options": /^nosniff$/,
    "x-frame-options": /^DENY$/,
    "referrer-policy": /^no-referrer$/,
    "content-security-policy": /frame-ancestors 'none'/,
    "x-request-id": /^[0-9a-f-]{36}$/,
  };

  it("sets HSTS, nosniff, frame-ancestors, XFO and referrer-policy on success and error answers", async () => {
    const answers = [
      await worker.fetch(new Request(`${BASE}/v1/nope`)),
      await post("/v1/auth/login", "not an object"),
      await worker.fetch(new Request(`${BASE}/v1/me`)),
    ];
    for (const res of answers) {
      await res.arrayBuffer();
      for (const [name, pattern] of Object.entries(REQUIRED)) expect(res.headers.get(name), name).toMatch(pattern);
    }
  });

  it("echoes only allowlisted or same origins, never *, and refuses foreign preflights", async () => {
    const get = (origin: string) => worker.fetch(new Request(`${BASE}/v1/nope`, { headers: { origin } }));
    const allowed = await get("https://app.example.com");
    await allowed.arrayBuffer();
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const same = await get(BASE);
    await same.arrayBuffer();
    expect(same.headers.get("access-control-allow-origin")).toBe(BASE);
    const foreign = await get("https://evil.example");
    await foreign.arrayBuffer();
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

    const preflight = (origin: string) =>
      worker.fetch(
        new Request(`${BASE}/v1/conversations`, {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization",
          },
        }),
      );
    const ok = await preflight("https://app.example.com");
    expect(await statusOf(ok)).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(await statusOf(await preflight("https://evil.example"))).toBe(403);
  });
});
