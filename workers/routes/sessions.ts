/**
 * Devices and password (README "Devices and password"): `GET /v1/me/sessions`, `DELETE
 * /v1/me/sessions/:id`, `DELETE /v1/me/sessions?others=true`, `POST /v1/me/password`.
 *
 * Ending a session is what logout does, for another device: the row is revoked, the cache entry
 * tombstoned (the token fails on its very next call) and the hub closes that session's sockets with
 * 4001 (session ended) at once. A password change ends every other session the same way.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  ChangePasswordBody,
  EndOtherSessionsQuery,
  Id,
  ROUTES,
  type Session,
} from "../../client/sdk/protocol/index.ts";
import { ProfileCache } from "../../db/cache/profile-cache.ts";
import { withUserStore } from "../../db/user-store.ts";
import { AppError } from "../../lib/errors.ts";
import { PASSWORD_CHANGES_PER_USER } from "../../lib/rate-limits.ts";
import type { AppEnv } from "../env.ts";
import { hashPassword, passwordConfig, verifyPassword } from "../lib/passwords.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const SessionParam = z.strictObject({ id: Id });

/** After the rows are revoked: the cache refuses the tokens and the sockets close, awaited. */
async function endSessions(env: Env, userId: string, ids: readonly string[]): Promise<void> {
  const cache = ProfileCache.fromEnv(env);
  const hub = env.USER_HUB.getByName(userId);
  await Promise.all(ids.map(async (id) => Promise.all([cache.revokeSession(id), hub.closeSession(id)])));
}

export const sessionRoutes = new Hono<AppEnv>()
  .get(ROUTES.sessions.path, requireUser, async (c) => {
    const me = c.get("userId");
    const rows = await withUserStore(
      c.env,
      (store) => store.liveSessions(me),
      (p) => c.executionCtx.waitUntil(p),
    );
    const sessions: Session[] = rows.map((s) => ({
      id: s.id,
      device: s.device || "Unknown device",
      createdAt: s.createdAt.toISOString(),
      lastActiveAt: (s.lastActiveAt ?? s.createdAt).toISOString(),
      current: s.id === c.get("sessionId"),
    }));
    return c.json({ sessions });
  })

  .delete(ROUTES.endSession.path, requireUser, valid("param", SessionParam), async (c) => {
    const me = c.get("userId");
    const { id } = c.req.valid("param");
    const ended = await withUserStore(
      c.env,
      (store) => store.revokeSession(me, id),
      (p) => c.executionCtx.waitUntil(p),
    );
    if (!ended) throw new AppError("not_found", "no such session");
    await endSessions(c.env, me, [id]);
    return c.body(null, 204);
  })

  .delete(ROUTES.endOtherSessions.path, requireUser, valid("query", EndOtherSessionsQuery), async (c) => {
    const me = c.get("userId");
    const ended = await withUserStore(
      c.env,
      (store) => store.revokeOtherSessions(me, c.get("sessionId")),
      (p) => c.executionCtx.waitUntil(p),
    );
    await endSessions(c.env, me, ended);
    return c.body(null, 204);
  })

  .post(
    ROUTES.changePassword.path,
    rateLimit(PASSWORD_CHANGES_PER_USER, byUser),
    requireUser,
    valid("json", ChangePasswordBody),
    async (c) => {
      const me = c.get("userId");
      const { currentPassword, newPassword } = c.req.valid("json");
      const passwords = passwordConfig(c.env);
      const newHash = await hashPassword(newPassword, passwords);
      const ended = await withUserStore(
        c.env,
        async (store) => {
          if (!(await verifyPassword(currentPassword, await store.passwordHash(me), passwords)).ok)
            throw new AppError("invalid_credentials", "the current password is wrong");
          await store.setPasswordHash(me, newHash);
          return store.revokeOtherSessions(me, c.get("sessionId"));
        },
        (p) => c.executionCtx.waitUntil(p),
      );
      await endSessions(c.env, me, ended);
      return c.body(null, 204);
    },
  );
