/**
 * `GET/PATCH /v1/me`, `GET /v1/users/:id`, `GET /v1/users?q=` (README "REST API").
 *
 * Every route needs a session: profiles and discovery are for members, not for anonymous scrapers.
 * Profile reads go through the Redis cache (db/cache/profile-cache.ts); a PATCH invalidates it.
 * Search goes to Postgres every time and fans out to all shards (db/user-store.ts). A PATCH also
 * tells the people the user chats with, through their hubs (workers/lib/profile-events.ts); that
 * fan-out is why a PATCH is rate-limited per user (PROFILE_UPDATES_PER_USER, first in its chain, so
 * a refused PATCH never reaches the handler).
 *
 * `requireUser` is attached per route, not with `use("*")`: every sub-app is mounted at `/`, where
 * a wildcard middleware would also guard every other route, register and login included.
 */
import { Hono } from "hono";
import { z } from "zod";
import { Id, ROUTES, UpdateMeBody, UserSearchQuery, type User } from "../../client/sdk/protocol/index.ts";
import { withUserStore } from "../../db/user-store.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { ProfileCache, publicUser } from "../../db/cache/profile-cache.ts";
import { requireOwnPicture } from "../../db/pictures.ts";
import { profilesAsSeenBy } from "../lib/profile-views.ts";
import { announceProfile } from "../lib/profile-events.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";
import { DISCOVERY_PER_USER, PROFILE_UPDATES_PER_USER } from "../../lib/rate-limits.ts";

const UserParam = z.strictObject({ id: Id });

export const profileRoutes = new Hono<AppEnv>()
  .get(ROUTES.me.path, requireUser, async (c) => {
    const userId = c.get("userId");
    const user = await withUserStore(
      c.env,
      (store) => ProfileCache.fromEnv(c.env).getProfile(userId, () => store.getUser(userId)),
      (p) => c.executionCtx.waitUntil(p),
    );
    // A live session for a user row that is gone: treat as not found rather than crash.
    if (!user) throw new AppError("not_found", "no such user");
    return c.json({ user } satisfies { user: User });
  })

  .patch(
    ROUTES.updateMe.path,
    rateLimit(PROFILE_UPDATES_PER_USER, byUser),
    requireUser,
    valid("json", UpdateMeBody),
    async (c) => {
      const userId = c.get("userId");
      const patch = c.req.valid("json");
      if (patch.pictureMediaId)
        await requireOwnPicture(c.env, userId, patch.pictureMediaId, (p) => c.executionCtx.waitUntil(p));
      const updated = await withUserStore(
        c.env,
        (store) => store.updateProfile(userId, patch),
        (p) => c.executionCtx.waitUntil(p),
      );
      if (!updated) throw new AppError("not_found", "no such user");
      // Awaited: the caller's next read must see its own change.
      await ProfileCache.fromEnv(c.env).invalidateProfile(userId);
      // Awaited too: once the hub has stored the change its fan-out is durable (retried by its alarm);
      // a `waitUntil` could be cut short with the request. Never fails the PATCH.
      await announceProfile(c.env, updated);
      return c.json({ user: publicUser(updated) } satisfies { user: User });
    },
  )

  .get(ROUTES.user.path, requireUser, valid("param", UserParam), async (c) => {
    const { id } = c.req.valid("param");
    const view = await withUserStore(
      c.env,
      (store) => ProfileCache.fromEnv(c.env).getProfileView(id, () => store.getUser(id)),
      (p) => c.executionCtx.waitUntil(p),
    );
    if (!view) throw new AppError("not_found", "no such user");
    // Blocks and profile visibility (README "Blocking", "Privacy").
    const [user] = await profilesAsSeenBy(c.env, c.get("userId"), [view], { checkBlocks: true });
    return c.json({ user: user ?? view.user } satisfies { user: User });
  })

  .get(
    ROUTES.searchUsers.path,
    rateLimit(DISCOVERY_PER_USER, byUser),
    requireUser,
    valid("query", UserSearchQuery),
    async (c) => {
      const { q } = c.req.valid("query");
      const found = await withUserStore(
        c.env,
        (store) => store.searchByPrefix(q),
        (p) => c.executionCtx.waitUntil(p),
      );
      const users = await profilesAsSeenBy(
        c.env,
        c.get("userId"),
        found.map((record) => ({ user: publicUser(record), visibility: record.profileVisibility })),
      );
      return c.json({ users } satisfies { users: User[] });
    },
  );
