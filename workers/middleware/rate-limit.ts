/**
 * REST rate limiting (429 `rate_limited` + `Retry-After`). The limits themselves are named constants
 * in workers/lib/rate-limits.ts, which also explains the fail-open choice.
 *
 * Counting is a sliding-window counter in Redis (two fixed-window counters, the previous one weighted
 * by how much of it still overlaps the window): one pipelined round trip per request, no boundary
 * burst of 2× the limit, and refused requests are not counted, so a client that backs off for
 * `Retry-After` seconds gets through. Keys are `rl:<rule>:<key>:<window index>` and expire on their own.
 *
 * The middlewares run before the route's own `requireUser`, so per-user keys come from the token's
 * signature alone (CPU only); a request without a valid token is not counted per user — the route
 * answers 401 anyway.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { errorSummary } from "../../lib/log.ts";
import {
  CONVERSATION_CREATES_PER_USER,
  DISCOVERY_PER_USER,
  GROUP_MEMBERSHIP_PER_USER,
  GROUP_UPDATES_PER_USER,
  LOGIN_PER_ACCOUNT,
  LOGIN_PER_IP,
  PRESENCE_PER_USER,
  PROFILE_UPDATES_PER_USER,
  REGISTER_PER_IP,
  SENDS_PER_USER,
  TokenBuckets,
  UPLOADS_PER_USER,
  WS_CONNECTS_PER_USER,
  rateLimitsEnabled,
  type RateRule,
  type RateVerdict,
} from "../../lib/rate-limits.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { verifyToken } from "../../lib/tokens.ts";

/** The key used for every request without `CF-Connecting-IP` (local dev: one shared bucket). */
export const LOCAL_CLIENT_IP = "local";
const BEARER = /^Bearer +([A-Za-z0-9._-]+) *$/i;

/** The client's IP as Cloudflare saw it, or LOCAL_CLIENT_IP when there is none (local dev). */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip")?.trim() || LOCAL_CLIENT_IP;
}

/** The user id of a validly signed bearer token (signature and expiry only), else null. */
export async function tokenSubject(c: Context<AppEnv>): Promise<string | null> {
  const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
  if (!token || !c.env.AUTH_SECRET) return null;
  return (await verifyToken(c.env.AUTH_SECRET, token))?.sub ?? null;
}

// Fallback when Redis is not configured: one token bucket set per rule, per isolate.
const memory = new Map<string, TokenBuckets>();

function memoryTake(rule: RateRule, key: string): RateVerdict {
  let buckets = memory.get(rule.name);
  if (!buckets) {
    buckets = new TokenBuckets(rule);
    memory.set(rule.name, buckets);
  }
  return buckets.take(key);
}

/** Seconds until a sliding-window count of `current` (this window) and `previous` drops below `limit`. */
function retryAfter(rule: RateRule, current: number, previous: number, nowMs: number): number {
  const windowMs = rule.windowSeconds * 1000;
  const elapsed = nowMs % windowMs;
  let waitMs: number;
  if (current < rule.limit && previous > 0) {
    // This window has room once enough of the previous one has slid out.
    waitMs = windowMs * (1 - (rule.limit - 1 - current) / previous) - elapsed;
  } else {
    // Wait for the next window, then for this window's count to slide out far enough.
    waitMs = windowMs - elapsed + windowMs * Math.max(0, 1 - (rule.limit - 1) / Math.max(1, current));
  }
  return Math.max(1, Math.ceil(waitMs / 1000));
}

async function redisTake(env: RateEnv, rule: RateRule, key: string, nowMs: number): Promise<RateVerdict | null> {
  const redis = redisFromEnv(env);
  if (!redis) return null;
  const windowMs = rule.windowSeconds * 1000;
  const index = Math.floor(nowMs / windowMs);
  const currentKey = `rl:${rule.name}:${key}:${index}`;
  const previousKey = `rl:${rule.name}:${key}:${index - 1}`;
  const [count, , previousRaw] = await redis
    .pipeline()
    .incr(currentKey)
    .expire(currentKey, rule.windowSeconds * 2)
    .get<number | string | null>(previousKey)
    .exec<[number, number, number | string | null]>();
  const previous = Number(previousRaw ?? 0) || 0;
  const weight = 1 - (nowMs % windowMs) / windowMs;
  if (count + previous * weight <= rule.limit) return { ok: true };
  // Refused requests do not count: a client that waits Retry-After gets through.
  await redis.decr(currentKey);
  return { ok: false, retryAfterSeconds: retryAfter(rule, count - 1, previous, nowMs) };
}

/**
 * Counts one request against `rule` for `key`: Redis when configured, else the per-isolate buckets.
 * Redis errors fail open (allowed) with one structured log line.
 */
/** What a rate decision reads of the configuration: the switch and the Redis connection. */
export type RateEnv = Pick<Env, "RATE_LIMITS" | "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">;

export async function takeRate(env: RateEnv, rule: RateRule, key: string, requestId?: string): Promise<RateVerdict> {
  if (!rateLimitsEnabled(env)) return { ok: true };
  try {
    return (await redisTake(env, rule, key, Date.now())) ?? memoryTake(rule, key);
  } catch (error) {
    console.log(
      JSON.stringify({
        level: "warn",
        msg: "rate_limit_store_down",
        rule: rule.name,
        requestId,
        error: errorSummary(error),
      }),
    );
    return { ok: true };
  }
}

/**
 * Hono middleware: 429 `rate_limited` with `Retry-After` once `key(c)` exceeds `rule`. `key` returning
 * null skips the check (e.g. no valid token, or a method the rule does not cover).
 */
export function rateLimit(
  rule: RateRule,
  key: (c: Context<AppEnv>) => string | null | Promise<string | null>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = await key(c);
    if (id !== null) {
      const verdict = await takeRate(c.env, rule, id, c.get("requestId"));
      if (!verdict.ok) {
        throw new AppError("rate_limited", `too many requests (${rule.name}); retry later`, {
          retryAfter: verdict.retryAfterSeconds,
        });
      }
    }
    await next();
  };
}

/** Key helpers for `rateLimit`: only for `method`, by client IP or by the token's user. */
export const byIp =
  (method: string) =>
  (c: Context<AppEnv>): string | null =>
    c.req.method === method ? clientIp(c) : null;

export const byUser =
  (...methods: string[]) =>
  (c: Context<AppEnv>): Promise<string | null> | null =>
    methods.includes(c.req.method) ? tokenSubject(c) : null;

/** Login per account: the lower-cased username from the JSON body (Hono caches the parsed body). */
export async function loginAccount(c: Context<AppEnv>): Promise<string | null> {
  if (c.req.method !== "POST") return null;
  try {
    const body: unknown = await c.req.json();
    const username = (body as { username?: unknown } | null)?.username;
    return typeof username === "string" && username.length <= 64 ? username.toLowerCase() : null;
  } catch (error) {
    if (error instanceof AppError) throw error; // e.g. payload_too_large from the body limit
    return null; // not JSON: the validator answers invalid_json
  }
}

/**
 * Mounts every REST limit on the app, before the routes (call it right after the body limit). One
 * place lists which route counts against which rule.
 */
export function applyRateLimits(app: Hono<AppEnv>): void {
  app.use("/v1/auth/register", rateLimit(REGISTER_PER_IP, byIp("POST")));
  app.use("/v1/auth/login", rateLimit(LOGIN_PER_IP, byIp("POST")), rateLimit(LOGIN_PER_ACCOUNT, loginAccount));
  app.use("/v1/users", rateLimit(DISCOVERY_PER_USER, byUser("GET")));
  app.use("/v1/presence", rateLimit(PRESENCE_PER_USER, byUser("GET")));
  app.use("/v1/media", rateLimit(UPLOADS_PER_USER, byUser("POST")));
  app.use("/v1/media/", rateLimit(UPLOADS_PER_USER, byUser("POST")));
  app.use("/v1/conversations/:id/messages", rateLimit(SENDS_PER_USER, byUser("POST")));
  app.use("/v1/ws/ticket", rateLimit(WS_CONNECTS_PER_USER, byUser("POST")));
  // Updates that fan out to other people's hubs; checked before the route runs, so a refused one
  // stores nothing and announces nothing. Exact paths: `/v1/me/*` and member routes are not counted.
  app.use("/v1/me", rateLimit(PROFILE_UPDATES_PER_USER, byUser("PATCH")));
  app.use("/v1/conversations/:id", rateLimit(GROUP_UPDATES_PER_USER, byUser("PATCH")));
  app.use("/v1/conversations", rateLimit(CONVERSATION_CREATES_PER_USER, byUser("POST")));
  // Add, remove/leave and role changes share one bucket (same rule name = same counter).
  app.use("/v1/conversations/:id/members", rateLimit(GROUP_MEMBERSHIP_PER_USER, byUser("POST")));
  app.use("/v1/conversations/:id/members/:userId", rateLimit(GROUP_MEMBERSHIP_PER_USER, byUser("PATCH", "DELETE")));
}
