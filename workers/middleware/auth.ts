/**
 * Authentication for REST (`requireUser`) and the WebSocket upgrade (`authenticateToken`).
 *
 * Checks run cheapest first: header shape, then the token's HMAC and expiry (CPU only), then whether
 * the session is still live — Redis when it knows, else the session row on the user's shard. So
 * missing, garbage, forged and expired tokens are refused without touching a database, and a logout
 * (which revokes the row and tombstones the cache entry) takes effect on the very next call.
 *
 * Every failure is the same 401 `unauthorized`: a client learns nothing about which check failed.
 */
import type { Context, MiddlewareHandler } from "hono";
import { withUserStore } from "../../db/user-store.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { authSecrets, verifyToken } from "../../lib/tokens.ts";

/** `Authorization: Bearer <credential>`: whatever the credential is, it is checked by its verifier. */
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, or null when there is none or it is not
 * that shape. The one parser of the header: auth, rate-limit keys and the WebSocket upgrade use it.
 */
export function bearerToken(c: Context<AppEnv>): string | null {
  return BEARER.exec(c.req.header("authorization") ?? "")?.[1] ?? null;
}

function unauthorized(): AppError {
  return new AppError("unauthorized", "missing, invalid or expired token");
}

/**
 * Resolves a raw session token to its user and session, or throws 401 `unauthorized`. Used by
 * `requireUser` and by the WebSocket upgrade (whose token arrives in `Sec-WebSocket-Protocol`).
 * Pass `waitUntil` to close database connections and fill the cache after answering.
 * Throws `internal` if AUTH_SECRET is not configured.
 */
export async function authenticateToken(
  env: Env,
  token: string,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<{ userId: string; sessionId: string }> {
  const claims = await verifyToken(authSecrets(env), token);
  if (!claims) throw unauthorized();
  const identity = { userId: claims.sub, sessionId: claims.sid };

  const cache = ProfileCache.fromEnv(env);
  const cached = await cache.sessionState(claims.sid);
  if (cached === "live") return identity;
  if (cached === "revoked") throw unauthorized();

  const live = await withUserStore(env, (store) => store.isSessionLive(claims.sub, claims.sid), waitUntil);
  if (!live) throw unauthorized();
  const remembering = cache.rememberLive(claims.sid);
  if (waitUntil) waitUntil(remembering);
  else await remembering;
  return identity;
}

/**
 * Hono middleware: 401 `unauthorized` unless `Authorization: Bearer <token>` names a live session;
 * sets `c.var.userId` and `c.var.sessionId` for the handler.
 */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c);
  if (!token) throw unauthorized();
  const { userId, sessionId } = await authenticateToken(c.env, token, (p) => c.executionCtx.waitUntil(p));
  c.set("userId", userId);
  c.set("sessionId", sessionId);
  await next();
};
