/**
 * Configuration `wrangler types` cannot see, merged into the generated `Env`
 * (worker-configuration.d.ts, regenerated with `npm run types` and checked by `npm test`): secrets,
 * and variables that are optional per deploy. README "Configuration" lists every variable; `npm run
 * dev` fills the local ones.
 */
interface DeployConfig {
  /** HMAC key for session tokens (secret; at least 32 random bytes, base64 or hex). */
  AUTH_SECRET?: string;
  /**
   * The AUTH_SECRET before the last rotation (secret): still verifies the tokens and tickets it signed
   * until they expire (30 days); README "Rotating AUTH_SECRET". Unset outside a rotation.
   */
  AUTH_SECRET_PREVIOUS?: string;
  /**
   * Password pepper (secret; at least 32 random bytes): the key of the HMAC every password passes
   * through before Argon2id (workers/lib/passwords.ts). Never changes casually: README "Passwords".
   */
  PASSWORD_PEPPER?: string;
  /** The PASSWORD_PEPPER before a rotation (secret): verifies old hashes, which the next login replaces. */
  PASSWORD_PEPPER_PREVIOUS?: string;
  /** Test stacks only: "1" hashes new passwords at a tiny Argon2id cost. Ignored where DEPLOY_ENV=production. */
  PASSWORD_TEST_COST?: string;
  /**
   * Test stacks only: a disappearing message lasts this many seconds whatever the chat's timer
   * (so a test sees one go). Ignored where DEPLOY_ENV=production.
   */
  DISAPPEARING_TEST_SECONDS?: string;
  /**
   * How long a quiet chat's new messages wait to reach Postgres together (seconds, default 30): each
   * archive pass opens its own connection. Test stacks lower it to see the archive sooner.
   */
  ARCHIVE_QUIET_SECONDS?: string;
  /** Postgres shards, comma-separated, in shard order (secret in production: Neon URLs). */
  DATABASE_URLS?: string;
  /** A single Postgres, when there is one shard. */
  DATABASE_URL?: string;
  /** Local only: host:port of the WebSocket→TCP relay that lets the Neon driver reach plain Postgres. */
  NEON_WS_PROXY?: string;
  /** Upstash Redis REST endpoint and token; unset = caching off (the product still works). */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** VAPID public key: uncompressed P-256 point, base64url (65 bytes). Unset = push off (lib/webpush/keys.ts). */
  VAPID_PUBLIC_KEY?: string;
  /** VAPID private key: the P-256 scalar d, base64url (32 bytes). Secret. */
  VAPID_PRIVATE_KEY?: string;
  /** Contact for push services: `mailto:…` or `https:…`. */
  VAPID_SUBJECT?: string;
  /** Local stack and tests only: "1" accepts http and loopback push endpoints. Never set in production. */
  PUSH_ALLOW_INSECURE?: string;
  /**
   * Bearer secret of `GET /health/ready` (per-dependency readiness); unset = that path is 404. Secret:
   * the check queries every shard. `GET /health` (liveness) needs nothing.
   */
  HEALTH_SECRET?: string;
  /**
   * Bearer secret of the report queue (`/v1/operator/reports…`; README "Reports"): ≥ 32 random
   * characters, required where DEPLOY_ENV=production (`/health/ready` says "misconfigured" without
   * it). Unset elsewhere = those paths are 404; `npm run dev` and test stacks generate one per run.
   */
  OPERATOR_SECRET?: string;
}

/** The Worker's and objects' `Env` (global) and the test runtime's `Cloudflare.Env` both carry it. */
interface Env extends DeployConfig {}
declare namespace Cloudflare {
  interface Env extends DeployConfig {}
}
