/**
 * Session tokens and WebSocket tickets in plain Node (same WebCrypto HMAC as workerd): round trip,
 * tampering, expiry with the allowed clock skew, wrong secret, the missing-secret configuration error,
 * and AUTH_SECRET rotation (key ids; tokens minted before key ids keep working).
 */
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { keyId } from "../../lib/signed-envelope.ts";
import { CLOCK_SKEW_SECONDS, SESSION_TTL_SECONDS, authSecrets, signToken, verifyToken } from "../../lib/tokens.ts";
import { signTicket, verifyTicket } from "../../lib/ws-ticket.ts";

const SECRET = "test-secret-0123456789abcdef0123456789abcdef";
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const alice = { sub: "u_alice", sid: "s_alice1" };

function b64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}

describe("session tokens", () => {
  it("round-trips alice's user and session ids with a 30-day lifetime", async () => {
    const { token, claims } = await signToken(SECRET, alice, NOW);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(SESSION_TTL_SECONDS).toBe(30 * 24 * 3600);
    expect(claims.exp - claims.iat).toBe(SESSION_TTL_SECONDS);
    await expect(verifyToken(SECRET, token, NOW)).resolves.toEqual({ ...alice, iat: NOW / 1000, exp: claims.exp });
  });

  it("refuses a token signed with another secret", async () => {
    const { token } = await signToken("another-secret", alice, NOW);
    await expect(verifyToken(SECRET, token, NOW)).resolves.toBeNull();
  });

  it("refuses mallory's token after she swaps in bob's id", async () => {
    const { token } = await signToken(SECRET, { sub: "u_mallory", sid: "s_m" }, NOW);
    const [v, kid, payload, sig] = token.split(".") as [string, string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forged = `${v}.${kid}.${b64url(JSON.stringify({ ...claims, sub: "u_bob" }))}.${sig}`;
    await expect(verifyToken(SECRET, forged, NOW)).resolves.toBeNull();
  });

  it("refuses a token with any single character of its signature changed", async () => {
    const { token } = await signToken(SECRET, alice, NOW);
    const last = token.at(-2) === "A" ? "B" : "A";
    await expect(verifyToken(SECRET, `${token.slice(0, -2)}${last}${token.slice(-1)}`, NOW)).resolves.toBeNull();
  });

  it("refuses a relabelled version, an unsigned token and garbage", async () => {
    const { token } = await signToken(SECRET, alice, NOW);
    const [, kid, payload, sig] = token.split(".") as [string, string, string, string];
    for (const bad of [
      `v2.${kid}.${payload}.${sig}`,
      `v1.${kid}.${payload}.`,
      `v1.${kid}.${payload}`,
      `v1.${payload}.${sig}`,
      `v1.AAAAAAAA.${payload}.${sig}`,
      `v1.${kid}x.${payload}.${sig}`,
      `${token}.x`,
      "",
      "garbage",
      "v1..",
      "v1...",
      `v1.${kid}.${payload}.${sig}==`,
      "x".repeat(5000),
    ]) {
      await expect(verifyToken(SECRET, bad, NOW), bad.slice(0, 40)).resolves.toBeNull();
    }
  });

  it("refuses a correctly signed payload that is not our claim set", async () => {
    // Sign arbitrary JSON with the real key by building the token the way signToken does.
    const kid = await keyId(SECRET);
    const forge = (body: unknown) => {
      const input = `v1.${kid}.${b64url(JSON.stringify(body))}`;
      return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
    };
    const iat = NOW / 1000;
    // Sanity check that the forge helper matches the real format.
    await expect(verifyToken(SECRET, forge({ ...alice, iat, exp: iat + 60 }), NOW)).resolves.not.toBeNull();
    for (const body of [
      { ...alice, iat, exp: iat + 60, role: "admin" },
      { sub: "u_alice", iat, exp: iat + 60 },
      { ...alice, iat: String(iat), exp: iat + 60 },
      { ...alice, iat, exp: iat },
      [alice],
    ]) {
      await expect(verifyToken(SECRET, forge(body), NOW), JSON.stringify(body)).resolves.toBeNull();
    }
  });

  it("accepts alice's token until expiry plus the clock skew, then refuses it", async () => {
    const { token, claims } = await signToken(SECRET, alice, NOW);
    const expMs = claims.exp * 1000;
    await expect(verifyToken(SECRET, token, expMs - 1000)).resolves.not.toBeNull();
    await expect(verifyToken(SECRET, token, expMs + (CLOCK_SKEW_SECONDS - 1) * 1000)).resolves.not.toBeNull();
    await expect(verifyToken(SECRET, token, expMs + CLOCK_SKEW_SECONDS * 1000)).resolves.toBeNull();
    await expect(verifyToken(SECRET, token, expMs + 86_400_000)).resolves.toBeNull();
  });

  it("refuses a token issued further in the future than the clock skew", async () => {
    const { token } = await signToken(SECRET, alice, NOW + (CLOCK_SKEW_SECONDS + 5) * 1000);
    await expect(verifyToken(SECRET, token, NOW)).resolves.toBeNull();
  });

  it("fails with an internal configuration error when AUTH_SECRET is missing, never a default", () => {
    expect(() => authSecrets({})).toThrow(expect.objectContaining({ code: "internal", status: 500 }));
    expect(() => authSecrets({ AUTH_SECRET: "" })).toThrow(expect.objectContaining({ code: "internal" }));
    expect(() => authSecrets({ AUTH_SECRET_PREVIOUS: SECRET })).toThrow(expect.objectContaining({ code: "internal" }));
    expect(authSecrets({ AUTH_SECRET: SECRET })).toEqual({ current: SECRET });
    expect(authSecrets({ AUTH_SECRET: SECRET, AUTH_SECRET_PREVIOUS: OLD })).toEqual({ current: SECRET, previous: OLD });
  });
});

const OLD = "old-secret-0123456789abcdef0123456789abcdef";

/** A token in the format minted before key ids: `v1.<payload>.<HMAC(v1.payload)>`, signed by `secret`. */
function legacyToken(secret: string, claims: object): string {
  const input = `v1.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

describe("AUTH_SECRET rotation", () => {
  const rotated = { current: SECRET, previous: OLD };

  it("signs with the new secret and names it by key id", async () => {
    const { token } = await signToken(rotated, alice, NOW);
    expect(token.split(".")[1]).toBe(await keyId(SECRET));
    expect(await keyId(SECRET)).not.toBe(await keyId(OLD));
    await expect(verifyToken(SECRET, token, NOW)).resolves.not.toBeNull();
  });

  it("keeps alice signed in with a token the previous secret signed, until AUTH_SECRET_PREVIOUS is dropped", async () => {
    const { token } = await signToken(OLD, alice, NOW);
    await expect(verifyToken(rotated, token, NOW)).resolves.toMatchObject(alice);
    await expect(verifyToken(SECRET, token, NOW)).resolves.toBeNull();
  });

  it("keeps a token minted before key ids existed working, with either secret", async () => {
    const iat = NOW / 1000;
    const claims = { ...alice, iat, exp: iat + SESSION_TTL_SECONDS };
    await expect(verifyToken(SECRET, legacyToken(SECRET, claims), NOW)).resolves.toEqual(claims);
    await expect(verifyToken(rotated, legacyToken(OLD, claims), NOW)).resolves.toEqual(claims);
    await expect(verifyToken(SECRET, legacyToken(OLD, claims), NOW)).resolves.toBeNull();
    await expect(verifyToken(rotated, legacyToken("mallory's guess", claims), NOW)).resolves.toBeNull();
  });

  it("refuses mallory's token relabelled with the other secret's key id", async () => {
    const { token } = await signToken(OLD, alice, NOW);
    const [v, , payload, sig] = token.split(".") as [string, string, string, string];
    await expect(verifyToken(rotated, `${v}.${await keyId(SECRET)}.${payload}.${sig}`, NOW)).resolves.toBeNull();
  });

  it("accepts a WebSocket ticket the previous secret signed, and one minted before key ids", async () => {
    const subject = { ...alice, origin: null };
    const { ticket } = await signTicket(OLD, subject, NOW);
    await expect(verifyTicket(rotated, ticket, NOW)).resolves.toMatchObject(alice);
    await expect(verifyTicket(SECRET, ticket, NOW)).resolves.toBeNull();
    const [v, , payload] = ticket.split(".") as [string, string, string, string];
    const input = `${v}.${payload}`;
    const legacy = `${input}.${createHmac("sha256", OLD).update(`messenger ws-ticket v1\n${input}`).digest("base64url")}`;
    await expect(verifyTicket(rotated, legacy, NOW)).resolves.toMatchObject(alice);
    await expect(verifyToken(rotated, legacy, NOW)).resolves.toBeNull();
  });
});
