/** What tests/integration/global-setup.ts hands to every integration test through `inject()`. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker under `wrangler dev`, e.g. http://127.0.0.1:41234 (no trailing slash). */
    baseUrl: string;
    /** Bearer secret of `GET /health/ready` on the stack. */
    healthSecret: string;
    /** Bearer secret of the report queue on the stack. */
    operatorSecret: string;
    /** Postgres shard URLs in shard order (plain TCP; use `pg` to look at rows directly). */
    shardUrls: string[];
    /** The Upstash REST shim the Worker uses, or null when no Redis was reachable (caching off). */
    redisRest: { url: string; token: string } | null;
    /** The Redis behind the shim (logical db 15, flushed at start), or null. */
    redisUrl: string | null;
    /** Internal: the control endpoint used by tests/integration/stack-control.ts. */
    stackControlUrl: string;
    /** An HTTP endpoint that accepts every request and never answers (a stalled dependency). */
    hangingUrl: string;
  }
}
