/**
 * The Worker's Hono types. `Env` itself is global: generated from wrangler.toml by `wrangler types`
 * (worker-configuration.d.ts) plus the secrets and optional variables in lib/env.d.ts.
 */

/** Per-request values set by middleware. */
export interface Vars {
  requestId: string;
  /** Set by `requireUser`: the authenticated user and their session. */
  userId: string;
  sessionId: string;
}

export type AppEnv = { Bindings: Env; Variables: Vars };
