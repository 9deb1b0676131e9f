/**
 * Bindings and configuration of the Worker and both Durable Objects. README "Configuration" lists
 * every variable; `npm run dev` fills the local ones.
 */
import type { ConversationDO } from "../durable-objects/conversation/ConversationDO.ts";
import type { UserHubDO } from "../durable-objects/user-hub/UserHubDO.ts";

export interface Env {
  CONVERSATION: DurableObjectNamespace<ConversationDO>;
  USER_HUB: DurableObjectNamespace<UserHubDO>;
  MEDIA: R2Bucket;
  ASSETS?: Fetcher;

  /** HMAC key for session tokens (secret; at least 32 random bytes, base64 or hex). */
  AUTH_SECRET?: string;
  /** Postgres shards, comma-separated, in shard order (secret in production: Neon URLs). */
  DATABASE_URLS?: string;
  /** A single Postgres, when there is one shard. */
  DATABASE_URL?: string;
  /** Local only: host:port of the WebSocket→TCP relay that lets the Neon driver reach plain Postgres. */
  NEON_WS_PROXY?: string;
  /** Upstash Redis REST endpoint and token; unset = caching off (the product still works). */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** How long a sender may delete for everyone, in seconds (default 48 h). */
  DELETE_FOR_EVERYONE_WINDOW_SECONDS?: string;
  /** How many recent messages a Conversation DO keeps for fast reads; older pages come from Postgres. */
  HOT_WINDOW_MESSAGES?: string;
  // ---- Web Push (issue 8; workers/lib/webpush/keys.ts documents the formats) ----
  /** VAPID public key: uncompressed P-256 point, base64url (65 bytes). Unset = push off. */
  VAPID_PUBLIC_KEY?: string;
  /** VAPID private key: the P-256 scalar d, base64url (32 bytes). Secret. */
  VAPID_PRIVATE_KEY?: string;
  /** Contact for push services: `mailto:…` or `https:…`. */
  VAPID_SUBJECT?: string;
  /** Local stack and tests only: "1" accepts http and loopback push endpoints. Never set in production. */
  PUSH_ALLOW_INSECURE?: string;
  /**
   * "off" disables every rate limit (local load tests and the integration stack only); unset or "on"
   * enforces them. Limits and their values: workers/lib/rate-limits.ts.
   */
  RATE_LIMITS?: string;
  /**
   * Browser origins allowed to call the API (CORS) and to open the WebSocket, comma-separated, e.g.
   * "https://app.example.com,https://staging.example.com". The API's own origin is always allowed;
   * unset = same origin only. Non-browser clients send no Origin and are not affected.
   */
  ALLOWED_ORIGINS?: string;
}

/** Per-request values set by middleware. */
export interface Vars {
  requestId: string;
  /** Set by `requireUser`: the authenticated user and their session. */
  userId: string;
  sessionId: string;
}

export type AppEnv = { Bindings: Env; Variables: Vars };
