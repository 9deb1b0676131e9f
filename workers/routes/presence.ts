/**
 * Presence: `GET /v1/presence?ids=a,b,c` (≤ 200) in one call, and `GET`/`PUT /v1/me/privacy` to read or choose who
 * sees my online state and last seen. Reads come from Redis (one MGET); whatever Redis lacks, or all
 * of it when Redis is off or down, is asked of the users' hubs, which are the source of truth.
 */
import { Hono } from "hono";
import { PresenceQuery, PrivacyBody, type Presence } from "../../client/sdk/protocol/index.ts";
import { presenceAsSeenBy, type PresenceRecord } from "../../durable-objects/user-hub/presence.ts";
import type { AppEnv } from "../env.ts";
import { readPresence } from "../lib/presence-cache.ts";
import { redisFromEnv } from "../lib/redis.ts";
import { valid } from "../lib/validate.ts";
import { requireUser } from "../middleware/auth.ts";

export const presenceRoutes = new Hono<AppEnv>()
  .get("/presence", requireUser, valid("query", PresenceQuery), async (c) => {
    const me = c.get("userId");
    const ids = [...new Set(c.req.valid("query").ids)];
    const contacts = new Set(await c.env.USER_HUB.getByName(me).directPeers());
    const redis = redisFromEnv(c.env);
    let records = new Map<string, PresenceRecord>();
    if (redis) {
      try {
        records = await readPresence(redis, ids);
      } catch {
        // Redis down: every id falls through to its hub below.
      }
    }
    const missing = ids.filter((id) => !records.has(id));
    // Unknown ids have a hub too; it answers "never seen", which is also what a hidden user looks like.
    await Promise.all(missing.map(async (id) => records.set(id, await c.env.USER_HUB.getByName(id).presence())));
    const presence: Presence[] = ids.map((id) =>
      presenceAsSeenBy(id, records.get(id) ?? { online: false, lastSeenAt: null, visibility: "nobody" }, {
        id: me,
        isContact: contacts.has(id),
      }),
    );
    return c.json({ presence });
  })

  .get("/me/privacy", requireUser, async (c) => {
    const record = await c.env.USER_HUB.getByName(c.get("userId")).presence();
    return c.json({ privacy: { presence: record.visibility } });
  })

  .put("/me/privacy", requireUser, valid("json", PrivacyBody), async (c) => {
    const record = await c.env.USER_HUB.getByName(c.get("userId")).setPresenceVisibility(c.req.valid("json").presence);
    return c.json({ privacy: { presence: record.visibility } });
  });
