/**
 * Session tokens: `v1.<key id>.<base64url(JSON {sub, sid, iat, exp})>.<base64url(HMAC-SHA-256)>`
 * (lib/signed-envelope.ts; tokens minted before key ids have no second part and still verify).
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
import { openEnvelope, sealEnvelope, type EnvelopeKind, type Secrets, type SigningSecrets } from "./signed-envelope.ts";

/** A session lasts 30 days from login; then the user logs in again. Logout ends it sooner. */
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Clock skew tolerated between Workers instances when checking `exp` and `iat`. */
export const CLOCK_SKEW_SECONDS = 60;
/** Real tokens are ~150 bytes; "v1" with no label is the format every issued token has. */
const TOKEN: EnvelopeKind = { version: "v1", label: "", maxChars: 1024 };

/** What a valid token says: the user (`sub`), the session (`sid`), issue and expiry times (seconds). */
export const TokenClaims = z.strictObject({
  sub: z.string().min(1).max(80),
  sid: z.string().min(1).max(80),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

/**
 * The HMAC secrets from the environment: AUTH_SECRET signs, AUTH_SECRET_PREVIOUS (set during a
 * rotation, README "Rotating AUTH_SECRET") still verifies what it signed. A missing or empty
 * AUTH_SECRET is a deploy mistake: fail loudly with an `internal` error rather than sign with a
 * default anyone could read in this repository.
 */
export function authSecrets(env: { AUTH_SECRET?: string; AUTH_SECRET_PREVIOUS?: string }): SigningSecrets {
  const current = env.AUTH_SECRET;
  if (!current) throw new AppError("internal", "server misconfigured: AUTH_SECRET is not set");
  const previous = env.AUTH_SECRET_PREVIOUS;
  return previous && previous !== current ? { current, previous } : { current };
}

/** Mints a token for session `sid` of user `sub`, valid for SESSION_TTL_SECONDS from `nowMs`. */
export async function signToken(
  secret: Secrets,
  subject: { sub: string; sid: string },
  nowMs: number = Date.now(),
): Promise<{ token: string; claims: TokenClaims }> {
  const iat = Math.floor(nowMs / 1000);
  const claims: TokenClaims = { sub: subject.sub, sid: subject.sid, iat, exp: iat + SESSION_TTL_SECONDS };
  return { token: await sealEnvelope(secret, TOKEN, claims), claims };
}

/**
 * The claims of a token whose signature is ours and which has not expired (allowing CLOCK_SKEW_SECONDS);
 * null for anything else — malformed, other version, bad signature, expired, issued in the future.
 * Callers map null to 401 `unauthorized` without saying which check failed.
 */
export async function verifyToken(
  secret: Secrets,
  token: string,
  nowMs: number = Date.now(),
): Promise<TokenClaims | null> {
  const claims = await openEnvelope(secret, TOKEN, token, TokenClaims);
  if (!claims) return null;
  const now = Math.floor(nowMs / 1000);
  if (claims.exp <= claims.iat) return null;
  if (now >= claims.exp + CLOCK_SKEW_SECONDS) return null;
  if (claims.iat > now + CLOCK_SKEW_SECONDS) return null;
  return claims;
}
