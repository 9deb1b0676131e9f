/**
 * `POST /v1/auth/register`, `/login`, `/logout` (README "REST API"; limits: README "Rate limits").
 *
 * A login is a row in `sessions` plus a signed token naming it; logout revokes the row and tombstones
 * its cache entry, so the token stops working on the next call everywhere. Unknown username and wrong
 * password give the same 401 after the same Argon2id work, so login is not a username oracle. A login
 * whose stored hash is in an older format (PBKDF2) or cost stores a fresh one (workers/lib/passwords.ts).
 */
import { Hono } from "hono";
import { LoginBody, RegisterBody, ROUTES, USERNAME_PATTERN } from "../../client/sdk/protocol/index.ts";
import { withUserStore, type UserStore } from "../../db/user-store.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { deviceName } from "../../lib/device-name.ts";
import { hashPassword, passwordConfig, verifyPassword } from "../lib/passwords.ts";
import { ProfileCache, publicUser } from "../../db/cache/profile-cache.ts";
import { SESSION_TTL_SECONDS, authSecrets, signToken } from "../../lib/tokens.ts";
import type { SigningSecrets } from "../../lib/signed-envelope.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { authEdgeLimit, byIp, loginAccount, loginAccountAndIp, rateLimit } from "../middleware/rate-limit.ts";
import { LOGIN_PER_ACCOUNT, LOGIN_PER_ACCOUNT_IP, LOGIN_PER_IP, REGISTER_PER_IP } from "../../lib/rate-limits.ts";

/** Records a session for `userId` and returns its token; the row expires when the token does. */
async function startSession(
  store: UserStore,
  secret: SigningSecrets,
  userId: string,
  device: string,
): Promise<{ token: string; sid: string }> {
  const now = Date.now();
  const expiresAt = new Date((Math.floor(now / 1000) + SESSION_TTL_SECONDS) * 1000);
  const session = await store.createSession(userId, expiresAt, device);
  const { token } = await signToken(secret, { sub: userId, sid: session.id }, now);
  return { token, sid: session.id };
}

export const authRoutes = new Hono<AppEnv>()
  .post(
    ROUTES.register.path,
    authEdgeLimit,
    rateLimit(REGISTER_PER_IP, byIp),
    valid("json", RegisterBody),
    async (c) => {
      const body = c.req.valid("json");
      // Before any write: a server without a secret must not create half an account.
      const secret = authSecrets(c.env);
      const passwordHash = await hashPassword(body.password, passwordConfig(c.env));
      const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
      const { user, token, sid } = await withUserStore(
        c.env,
        async (store) => {
          const created = await store.createUser({
            username: body.username,
            displayName: body.displayName,
            passwordHash,
          });
          return {
            user: created,
            ...(await startSession(store, secret, created.id, deviceName(c.req.header("user-agent")))),
          };
        },
        waitUntil,
      );
      waitUntil(ProfileCache.fromEnv(c.env).rememberLive(sid));
      return c.json({ user: publicUser(user), token }, 201);
    },
  )

  .post(
    ROUTES.login.path,
    authEdgeLimit,
    rateLimit(LOGIN_PER_IP, byIp),
    rateLimit(LOGIN_PER_ACCOUNT_IP, loginAccountAndIp),
    rateLimit(LOGIN_PER_ACCOUNT, loginAccount),
    valid("json", LoginBody),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const secret = authSecrets(c.env);
      const passwords = passwordConfig(c.env);
      const lower = username.toLowerCase();
      const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
      const { user, token, sid } = await withUserStore(
        c.env,
        async (store) => {
          // A name no one can register cannot exist: skip the lookup, not the hashing.
          const found = USERNAME_PATTERN.test(lower) ? await store.findByUsername(lower) : null;
          const verdict = await verifyPassword(password, found?.passwordHash ?? null, passwords);
          if (!found || !verdict.ok) throw new AppError("invalid_credentials", "wrong username or password");
          // An older format or cost (PBKDF2, before argon2id): replace it now that we hold the password.
          if (verdict.rehash) {
            const fresh = await hashPassword(password, passwords);
            await store.replacePasswordHash(found.user.id, found.passwordHash, fresh);
          }
          return {
            user: found.user,
            ...(await startSession(store, secret, found.user.id, deviceName(c.req.header("user-agent")))),
          };
        },
        waitUntil,
      );
      waitUntil(ProfileCache.fromEnv(c.env).rememberLive(sid));
      return c.json({ user: publicUser(user), token }, 200);
    },
  )

  .post(ROUTES.logout.path, requireUser, async (c) => {
    const userId = c.get("userId");
    const sessionId = c.get("sessionId");
    await withUserStore(
      c.env,
      (store) => store.revokeSession(userId, sessionId),
      (p) => c.executionCtx.waitUntil(p),
    );
    // Awaited, not deferred: the very next call with this token must already be refused.
    await ProfileCache.fromEnv(c.env).revokeSession(sessionId);
    // Sockets opened with this token close too (4001): a logged-out device stops receiving at once.
    await c.env.USER_HUB.getByName(userId).closeSession(sessionId);
    return c.body(null, 204);
  });
