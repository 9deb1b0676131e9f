/**
 * Session tokens: `v1.<base64url(JSON {sub, sid, iat, exp})>.<base64url(HMAC-SHA-256)>`.
 *
 * The signature proves the Worker minted the token without a database read, so garbage and forged
 * tokens are refused at the edge. It does not prove the session is still live: logout revokes the
 * session row (`sid`), and `requireUser` checks that too. The version prefix pins the algorithm —
 * there is no `alg` field a client could change (the JWT `alg: none` class of bugs cannot happen),
 * and it is covered by the MAC, so a token cannot be relabelled either.
 *
 * Times are whole seconds since the epoch, as in JWT.
 */
import { z } from "zod";

import { AppError } from "./errors.ts";
import { fromBase64Url, timingSafeEqual, toBase64Url } from "./bytes.ts";

/** A session lasts 30 days from login; then the user logs in again. Logout ends it sooner. */
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Clock skew tolerated between Workers instances when checking `exp` and `iat`. */
export const CLOCK_SKEW_SECONDS = 60;
/** Real tokens are ~150 bytes; anything far longer is refused before any crypto runs. */
const MAX_TOKEN_CHARS = 1024;
const VERSION = "v1";
const MAC_BYTES = 32;

/** What a valid token says: the user (`sub`), the session (`sid`), issue and expiry times (seconds). */
export const TokenClaims = z.strictObject({
  sub: z.string().min(1).max(80),
  sid: z.string().min(1).max(80),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

/**
 * The HMAC secret from the environment. Missing or empty is a deploy mistake: fail loudly with an
 * `internal` error rather than sign with a default anyone could read in this repository.
 */
export function authSecret(env: { AUTH_SECRET?: string }): string {
  const secret = env.AUTH_SECRET;
  if (!secret) throw new AppError("internal", "server misconfigured: AUTH_SECRET is not set");
  return secret;
}

// importKey is not free; a Worker isolate serves many requests with the same secret.
let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

async function mac(secret: string, signingInput: string): Promise<Uint8Array> {
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(signingInput));
  return new Uint8Array(sig);
}

/** Mints a token for session `sid` of user `sub`, valid for SESSION_TTL_SECONDS from `nowMs`. */
export async function signToken(
  secret: string,
  subject: { sub: string; sid: string },
  nowMs: number = Date.now(),
): Promise<{ token: string; claims: TokenClaims }> {
  const iat = Math.floor(nowMs / 1000);
  const claims: TokenClaims = { sub: subject.sub, sid: subject.sid, iat, exp: iat + SESSION_TTL_SECONDS };
  const payload = toBase64Url(new TextEncoder().encode(JSON.stringify(claims)));
  const signingInput = `${VERSION}.${payload}`;
  return { token: `${signingInput}.${toBase64Url(await mac(secret, signingInput))}`, claims };
}

/**
 * The claims of a token whose signature is ours and which has not expired (allowing CLOCK_SKEW_SECONDS);
 * null for anything else — malformed, other version, bad signature, expired, issued in the future.
 * Callers map null to 401 `unauthorized` without saying which check failed.
 */
export async function verifyToken(
  secret: string,
  token: string,
  nowMs: number = Date.now(),
): Promise<TokenClaims | null> {
  if (token.length > MAX_TOKEN_CHARS) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [version, payload, sig64] = parts as [string, string, string];
  if (version !== VERSION) return null;
  const sig = fromBase64Url(sig64);
  if (!sig || sig.length !== MAC_BYTES) return null;
  // Check the MAC before parsing anything the client wrote.
  if (!timingSafeEqual(await mac(secret, `${version}.${payload}`), sig)) return null;

  const json = fromBase64Url(payload);
  if (!json) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(json));
  } catch {
    return null;
  }
  const parsed = TokenClaims.safeParse(decoded);
  if (!parsed.success) return null;
  const claims = parsed.data;
  const now = Math.floor(nowMs / 1000);
  if (claims.exp <= claims.iat) return null;
  if (now >= claims.exp + CLOCK_SKEW_SECONDS) return null;
  if (claims.iat > now + CLOCK_SKEW_SECONDS) return null;
  return claims;
}
