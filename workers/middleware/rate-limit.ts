/**
 * REST rate limiting (429 `rate_limited` + `Retry-After`). The limits themselves are named constants
 * in lib/rate-limits.ts, which also explains the fail-open choice. Each limited route puts
 * `rateLimit(RULE, key)` in its own middleware chain, so a route that moves keeps its limit
 * (tests/limits/route-limits.test.ts checks every limited route still has its limiter).
 *
 * Counting is `@upstash/ratelimit`'s sliding window in Redis (two fixed-window counters, the previous
 * one weighted by how much of it still overlaps the window, in one atomic Lua script): one round trip
 * per request, no boundary burst of 2× the limit, and refused requests are not counted, so a client
 * that backs off for `Retry-After` seconds gets through. Redis slower than RATE_LIMIT_TIMEOUT_MS
 * fails open; keys already refused are remembered in memory until their window resets. Keys are
 * `rl:<rule>:<key>:<window index>` and expire on their own. Without Redis, per-isolate token
 * buckets (lib/rate-limits.ts) count instead.
 *
 * A limiter goes first in its chain, before validation and before the route's own `requireUser`: a
 * refused request stores and announces nothing, and per-user keys come from the token's signature
 * alone (CPU only). A request without a valid token is not counted per user — the route answers 401
 * anyway. The route-limits test checks that order.
 */
import type { Context, MiddlewareHandler } from "hono";
import { Ratelimit } from "@upstash/ratelimit";
import type { AppEnv } from "../env.ts";
import { AppError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import {
  AUTH_PER_IP_EDGE,
  TokenBuckets,
  ipRateKey,
  rateLimitsEnabled,
  type RateRule,
  type RateVerdict,
} from "../../lib/rate-limits.ts";
import { redisFromEnv } from "../../db/cache/redis.ts";
import { authSecrets, verifyToken } from "../../lib/tokens.ts";
import { bearerToken } from "./auth.ts";

/** The key used for every request without `CF-Connecting-IP` (local dev: one shared bucket). */
export const LOCAL_CLIENT_IP = "local";

/** The client's IP as Cloudflare saw it, or LOCAL_CLIENT_IP when there is none (local dev). */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip")?.trim() || LOCAL_CLIENT_IP;
}

/** The user id of a validly signed bearer token (signature and expiry only), else null. */
export async function tokenSubject(c: Context<AppEnv>): Promise<string | null> {
  const token = bearerToken(c);
  if (!token || !c.env.AUTH_SECRET) return null;
  return (await verifyToken(authSecrets(c.env), token))?.sub ?? null;
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

/** Redis taking longer than this counts as down: the request is let through (fail open) and logged. */
export const RATE_LIMIT_TIMEOUT_MS = 500;

// One limiter per rule and Redis, per isolate: its in-memory cache of blocked keys (`ephemeralCache`)
// then answers repeated refusals without a Redis round trip, until the key's window resets.
const limiters = new Map<string, Ratelimit>();

function redisLimiter(env: RateEnv, rule: RateRule): Ratelimit | null {
  const id = `${rule.name}|${env.UPSTASH_REDIS_REST_URL ?? ""}`;
  let limiter = limiters.get(id);
  if (!limiter) {
    const redis = redisFromEnv(env);
    if (!redis) return null;
    limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowSeconds} s`),
      prefix: `rl:${rule.name}`,
      timeout: RATE_LIMIT_TIMEOUT_MS,
      ephemeralCache: new Map(),
      analytics: false,
      enableTelemetry: false,
    });
    limiters.set(id, limiter);
  }
  return limiter;
}

async function redisTake(env: RateEnv, rule: RateRule, key: string, requestId?: string): Promise<RateVerdict | null> {
  const limiter = redisLimiter(env, rule);
  if (!limiter) return null;
  const result = await limiter.limit(key);
  if (result.reason === "timeout")
    log("warn", "rate_limit_store_down", { rule: rule.name, requestId, timeoutMs: RATE_LIMIT_TIMEOUT_MS });
  if (result.success) return { ok: true };
  // `reset` is the end of the current window: by then the sliding count is below the limit, because
  // refused requests are not counted (a client that waits Retry-After gets through).
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)) };
}

/** What a rate decision reads of the configuration: the switch and the Redis connection. */
export type RateEnv = Pick<Env, "RATE_LIMITS" | "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">;

/**
 * Counts one request against `rule` for `key`: Redis when configured, else the per-isolate buckets.
 * Redis errors fail open (allowed) with one structured log line.
 */
export async function takeRate(env: RateEnv, rule: RateRule, key: string, requestId?: string): Promise<RateVerdict> {
  if (!rateLimitsEnabled(env)) return { ok: true };
  try {
    return (await redisTake(env, rule, key, requestId)) ?? memoryTake(rule, key);
  } catch (error) {
    log("warn", "rate_limit_store_down", { rule: rule.name, requestId, error });
    return { ok: true };
  }
}

/** A limiter middleware, tagged with its rule so tests can see which limits a route's chain holds. */
export type RateLimiter = MiddlewareHandler<AppEnv> & { readonly rateRule: RateRule };

/**
 * Hono middleware for one route's chain: 429 `rate_limited` with `Retry-After` once `key(c)` exceeds
 * `rule`. `key` returning null skips the check (e.g. no valid token). Routes that share a rule share
 * its counter (the rule's name is the bucket).
 */
export function rateLimit(
  rule: RateRule,
  key: (c: Context<AppEnv>) => string | null | Promise<string | null>,
): RateLimiter {
  const limiter: MiddlewareHandler<AppEnv> = async (c, next) => {
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
  return Object.assign(limiter, { rateRule: rule });
}

/**
 * The outer per-IP layer of register and login (AUTH_PER_IP_EDGE): Cloudflare's Rate Limiting binding,
 * counted in the Cloudflare location that took the request, with no Redis round trip. A binding that
 * fails lets the request through to the Redis limits (which still apply). Tagged like `rateLimit`.
 */
export const authEdgeLimit: RateLimiter = Object.assign(
  (async (c, next) => {
    if (rateLimitsEnabled(c.env)) {
      const outcome = await c.env.AUTH_IP_LIMITER.limit({ key: byIp(c) }).catch((error: unknown) => {
        log("warn", "rate_limit_binding_failed", { rule: AUTH_PER_IP_EDGE.name, requestId: c.get("requestId"), error });
        return { success: true };
      });
      if (!outcome.success) {
        throw new AppError("rate_limited", `too many requests (${AUTH_PER_IP_EDGE.name}); retry later`, {
          retryAfter: AUTH_PER_IP_EDGE.windowSeconds,
        });
      }
    }
    await next();
  }) satisfies MiddlewareHandler<AppEnv>,
  { rateRule: AUTH_PER_IP_EDGE },
);

/** The rule of a limiter made by `rateLimit`, else undefined (any other handler). */
export function rateRuleOf(handler: unknown): RateRule | undefined {
  return typeof handler === "function" && "rateRule" in handler ? (handler as RateLimiter).rateRule : undefined;
}

/** Key for `rateLimit`: the client IP, an IPv6 one by its /64. */
export const byIp = (c: Context<AppEnv>): string => ipRateKey(clientIp(c));

/** Key for `rateLimit`: the user a validly signed bearer token names (checked before `requireUser`). */
export const byUser = (c: Context<AppEnv>): Promise<string | null> => tokenSubject(c);

/** Key for `rateLimit`: the account a login names and the client IP (its /64), together. */
export async function loginAccountAndIp(c: Context<AppEnv>): Promise<string | null> {
  const account = await loginAccount(c);
  return account === null ? null : `${account}|${byIp(c)}`;
}

/** Key for `rateLimit`: the account a login names, lower-cased, from the JSON body (Hono caches it). */
export async function loginAccount(c: Context<AppEnv>): Promise<string | null> {
  try {
    const body: unknown = await c.req.json();
    const username = (body as { username?: unknown } | null)?.username;
    return typeof username === "string" && username.length <= 64 ? username.toLowerCase() : null;
  } catch (error) {
    if (error instanceof AppError) throw error; // e.g. payload_too_large from the body limit
    return null; // not JSON: the validator answers invalid_json
  }
}
