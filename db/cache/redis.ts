/**
 * The Upstash Redis client, or null when Redis is not configured (caching off, the product works).
 * Redis is a cache: every caller must survive it being down, so use `cached()` rather than raw calls.
 */
import { Redis } from "@upstash/redis/cloudflare";

export function redisFromEnv(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">): Redis | null {
  if (!env.UPSTASH_REDIS_REST_URL || !env.UPSTASH_REDIS_REST_TOKEN) return null;
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // A cache miss is cheaper than a slow retry loop: fail fast and fall back to Postgres.
    retry: { retries: 1, backoff: () => 50 },
    enableTelemetry: false,
  });
}
