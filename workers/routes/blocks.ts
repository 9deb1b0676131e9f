/**
 * `GET /v1/me/blocked`, `PUT` and `DELETE /v1/me/blocked/:userId` (README "Blocking").
 *
 * A block is written in three places, each idempotent, so a failed request is simply repeated: the
 * blocked person's hub (who blocked them: hides the blocker's presence and profile, refuses group
 * adds), the direct chat's Conversation DO if there is one (withholds their messages on the send
 * path), and last the blocker's hub (their list, logged for all their devices). The blocker's list
 * is written last so it never shows a block that is not yet enforced.
 */
import { Hono } from "hono";
import { z } from "zod";
import { Id, ROUTES, type User } from "../../client/sdk/protocol/index.ts";
import { publicUser } from "../../db/cache/profile-cache.ts";
import { profilesAsSeenBy } from "../lib/profile-views.ts";
import { withUserStore } from "../../db/user-store.ts";
import { AppError } from "../../lib/errors.ts";
import { BLOCKS_PER_USER } from "../../lib/rate-limits.ts";
import { unwrap } from "../../lib/result.ts";
import type { AppEnv } from "../env.ts";
import { directConversationId } from "../lib/conversation-ids.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";

const TargetParam = z.strictObject({ userId: Id });

async function setBlock(env: Env, me: string, target: string, blocked: boolean): Promise<void> {
  const mine = env.USER_HUB.getByName(me);
  await env.USER_HUB.getByName(target).setBlockedBy(me, blocked);
  const { contacts } = await mine.viewer();
  if (contacts.includes(target)) {
    const chat = env.CONVERSATION.getByName(await directConversationId(me, target));
    const result = await chat.setBlock(me, blocked);
    if (!result.ok && result.error.code !== "not_found") unwrap(result);
  }
  await mine.setBlock(target, blocked);
}

export const blockRoutes = new Hono<AppEnv>()
  .get(ROUTES.blocked.path, requireUser, async (c) => {
    const ids = await c.env.USER_HUB.getByName(c.get("userId")).blockedList();
    if (ids.length === 0) return c.json({ users: [] } satisfies { users: User[] });
    const found = await withUserStore(
      c.env,
      (store) => store.getUsers(ids),
      (p) => c.executionCtx.waitUntil(p),
    );
    const views = ids.flatMap((id) => {
      const row = found.get(id);
      return row ? [{ user: publicUser(row), visibility: row.profileVisibility }] : [];
    });
    const users = await profilesAsSeenBy(c.env, c.get("userId"), views);
    return c.json({ users } satisfies { users: User[] });
  })

  .put(ROUTES.block.path, rateLimit(BLOCKS_PER_USER, byUser), requireUser, valid("param", TargetParam), async (c) => {
    const me = c.get("userId");
    const { userId } = c.req.valid("param");
    if (userId === me) throw new AppError("invalid_request", "you cannot block yourself");
    const user = await withUserStore(
      c.env,
      (store) => store.getUser(userId),
      (p) => c.executionCtx.waitUntil(p),
    );
    if (!user) throw new AppError("not_found", "no such user");
    await setBlock(c.env, me, userId, true);
    return c.body(null, 204);
  })

  .delete(
    ROUTES.unblock.path,
    rateLimit(BLOCKS_PER_USER, byUser),
    requireUser,
    valid("param", TargetParam),
    async (c) => {
      const me = c.get("userId");
      const { userId } = c.req.valid("param");
      if (userId === me) throw new AppError("invalid_request", "you cannot block yourself");
      await setBlock(c.env, me, userId, false);
      return c.body(null, 204);
    },
  );
