/**
 * Presence: `GET /v1/presence?ids=a,b,c` (≤ 200) in one call, and `GET`/`PUT /v1/me/privacy` to read or choose who
 * sees my online state and last seen. Reads come from Redis (one MGET); whatever Redis lacks, or all
 * of it when Redis is off or down, is asked of the users' hubs, which are the source of truth — but
 * only for ids that have an account: any well-formed id names a hub, and waking (creating) one per
 * made-up id would let one caller cost 200 object wakes per request.
 */
import { Hono } from "hono";
import { PresenceQuery, PrivacyBody, ROUTES, type Presence } from "../../client/sdk/protocol/index.ts";
import { presenceAsSeenBy, type PresenceRecord } from "../../lib/presence.ts";
import type { AppEnv } from "../env.ts";
import { readPresence } from "../../db/cache/presence-cache.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { valid } from "../lib/validate.ts";
import { withUserStore } from "../../db/user-store.ts";
import { log } from "../../lib/log.ts";
import { privacyOf, setProfileVisibility, setReadReceipts } from "../lib/privacy.ts";
import { requireUser } from "../middleware/auth.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";
import { PRESENCE_PER_USER } from "../../lib/rate-limits.ts";

/** A record nobody may see: unknown ids, and people who blocked the viewer. */
const HIDDEN: PresenceRecord = { online: false, lastSeenAt: null, visibility: "nobody" };

export const presenceRoutes = new Hono<AppEnv>()
  .get(
    ROUTES.presence.path,
    rateLimit(PRESENCE_PER_USER, byUser),
    requireUser,
    valid("query", PresenceQuery),
    async (c) => {
      const me = c.get("userId");
      const ids = [...new Set(c.req.valid("query").ids)];
      const viewer = await c.env.USER_HUB.getByName(me).viewer();
      const contacts = new Set(viewer.contacts);
      // Someone who blocked me shows as "offline, never seen", like a hidden user (README "Blocking").
      const blockers = new Set(viewer.blockedBy);
      const redis = redisFromEnv(c.env);
      let records = new Map<string, PresenceRecord>();
      if (redis) {
        try {
          records = await readPresence(redis, ids);
        } catch {
          // Redis down: every id falls through to its hub below.
        }
      }
      const missing = await withAccounts(
        c.env,
        c.executionCtx,
        ids.filter((id) => !records.has(id)),
      );
      await Promise.all(missing.map(async (id) => records.set(id, await c.env.USER_HUB.getByName(id).presence())));
      // Ids without an account fall to HIDDEN: "never seen", exactly what a hidden user looks like.
      const presence: Presence[] = ids.map((id) =>
        presenceAsSeenBy(id, blockers.has(id) ? HIDDEN : (records.get(id) ?? HIDDEN), {
          id: me,
          isContact: contacts.has(id),
        }),
      );
      return c.json({ presence });
    },
  )

  .get(ROUTES.privacy.path, requireUser, async (c) => {
    return c.json({ privacy: await privacyOf(c.env, c.get("userId"), (p) => c.executionCtx.waitUntil(p)) });
  })

  .put(ROUTES.setPrivacy.path, requireUser, valid("json", PrivacyBody), async (c) => {
    const me = c.get("userId");
    const body = c.req.valid("json");
    if (body.presence !== undefined) await c.env.USER_HUB.getByName(me).setPresenceVisibility(body.presence);
    if (body.readReceipts !== undefined) await setReadReceipts(c.env, me, body.readReceipts);
    if (body.profile !== undefined)
      await setProfileVisibility(c.env, me, body.profile, (p) => c.executionCtx.waitUntil(p));
    return c.json({ privacy: await privacyOf(c.env, me, (p) => c.executionCtx.waitUntil(p)) });
  });

/**
 * Of `ids`, those that have an account (one batched read per shard). If Postgres cannot answer, all
 * of them: presence keeps working in an outage, and a hub asked about an unknown id says "never seen".
 */
async function withAccounts(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return ids;
  try {
    const found = await withUserStore(
      env,
      (store) => store.getUsers(ids),
      (p) => ctx.waitUntil(p),
    );
    return ids.filter((id) => found.has(id));
  } catch (error) {
    log("warn", "presence: accounts not checked", { error });
    return ids;
  }
}
