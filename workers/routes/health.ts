/**
 * Health, in two answers:
 *
 * - `GET /health`: liveness. Public and free: it answers from the isolate without calling anything,
 *   so an uptime probe or a stranger can call it as often as they like without it costing a query
 *   per shard (at ~1,200 shards one readiness check is ~1,200 queries).
 * - `GET /health/ready`: readiness, one check per dependency (each Postgres shard, Redis, R2) and
 *   `push` ("misconfigured", with the reason in `problems.push`, when VAPID_SUBJECT is refused) and
 *   `reports` (likewise when production lacks OPERATOR_SECRET), for
 *   operators and deploy scripts only: `Authorization: Bearer <HEALTH_SECRET>`. Without the variable,
 *   or with any other credential, it is the same 404 as an unknown path, so it cannot be found, let
 *   alone used to make the Worker fan out to every database.
 */
import { Hono } from "hono";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../env.ts";
import { withShards } from "../../db/connection.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { readDeadLetters } from "../../db/cache/dead-letters.ts";
import { ROUTES } from "../../client/sdk/protocol/index.ts";
import { AppError } from "../../lib/errors.ts";
import { bearerToken } from "../middleware/auth.ts";
import { operatorProblem, presentsSecret } from "../../lib/bearer-secret.ts";
import { vapidProblem } from "../../lib/webpush/keys.ts";

/** Each readiness check gets this long: a hung dependency is "down", not a hung request. */
const CHECK_TIMEOUT_MS = 3_000;
/** An R2 key that never exists: a HEAD of it proves the bucket answers without reading any media. */
const R2_PROBE_KEY = "health/ready-probe";

type Check = "ok" | "down" | "off" | "misconfigured";

export const healthRoutes = new Hono<AppEnv>()
  .get(ROUTES.health.path, (c) => c.json({ status: "ok" }))

  .get(ROUTES.healthReady.path, async (c) => {
    if (!(await presentsSecret(c.env.HEALTH_SECRET, bearerToken(c)))) {
      throw new AppError("not_found", "no such route");
    }
    const checks: Record<string, Check> = {};
    const redis = redisFromEnv(c.env);
    await withShards(
      c.env,
      (shards) => shards,
      (shards) =>
        Promise.all([
          ...shards.urls.map(async (_, i) => {
            checks[`postgres_${i}`] = await probe(() => shards.at(i).execute(sql`select 1`));
          }),
          (async () => {
            checks.redis = redis ? await probe(() => redis.ping()) : "off";
          })(),
          (async () => {
            checks.r2 = await probe(() => c.env.MEDIA.head(R2_PROBE_KEY));
          })(),
        ]),
      (p) => c.executionCtx.waitUntil(p),
    );
    // Configuration, not a dependency: a deploy whose pushes could never arrive is not ready.
    const pushProblem = vapidProblem(c.env);
    checks.push = pushProblem ? "misconfigured" : c.env.VAPID_PUBLIC_KEY && c.env.VAPID_PRIVATE_KEY ? "ok" : "off";
    // The report queue (README "Reports"): required in production, like a usable VAPID_SUBJECT.
    const reportsProblem = operatorProblem(c.env);
    checks.reports = reportsProblem ? "misconfigured" : c.env.OPERATOR_SECRET ? "ok" : "off";
    const healthy = Object.values(checks).every((v) => v !== "down" && v !== "misconfigured");
    // Rows the objects' queues set aside for good (counted in Redis): not unhealthy, but to look at.
    const deadLetters = redis && checks.redis === "ok" ? await readDeadLetters(redis).catch(() => null) : null;
    return c.json(
      {
        status: healthy ? "ok" : "degraded",
        checks,
        ...(pushProblem || reportsProblem
          ? {
              problems: {
                ...(pushProblem ? { push: pushProblem } : {}),
                ...(reportsProblem ? { reports: reportsProblem } : {}),
              },
            }
          : {}),
        ...(deadLetters ? { deadLetters } : {}),
      },
      healthy ? 200 : 503,
    );
  });

/** "ok" if `call` settles in time without throwing, else "down". */
async function probe(call: () => Promise<unknown>): Promise<Check> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([call(), timeout]);
    return "ok";
  } catch {
    return "down";
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
