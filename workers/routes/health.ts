/** `GET /health`: liveness plus a check of each configured dependency. */
import { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../env.ts";
import { withShards } from "../../db/connection.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { ROUTES } from "../../client/sdk/protocol/index.ts";

export const healthRoutes = new Hono<AppEnv>().get(ROUTES.health.path, async (c) => {
  const checks: Record<string, string> = {};
  await withShards(
    c.env,
    (shards) => shards,
    (shards) =>
      Promise.all(
        shards.urls.map(async (_, i) => {
          try {
            await shards.at(i).execute(sql`select 1`);
            checks[`postgres_${i}`] = "ok";
          } catch {
            checks[`postgres_${i}`] = "down";
          }
        }),
      ),
    (p) => c.executionCtx.waitUntil(p),
  );
  const redis = redisFromEnv(c.env);
  if (redis) {
    try {
      // A hung Redis must not hang the health check.
      await Promise.race([
        redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 1_000)),
      ]);
      checks.redis = "ok";
    } catch {
      checks.redis = "down";
    }
  } else {
    checks.redis = "off";
  }
  const healthy = Object.values(checks).every((v) => v !== "down");
  return c.json({ status: healthy ? "ok" : "degraded", checks }, healthy ? 200 : 503);
});
