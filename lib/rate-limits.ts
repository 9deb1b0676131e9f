/**
 * Rate limits: every limit is a named constant here, with its unit and the reason for its value
 * (start values; tune from production figures). README "Rate limits" lists them.
 *
 * Where each one is enforced, and why there:
 * - Register and login first pass an outer per-IP layer at the edge (AUTH_PER_IP_EDGE, Cloudflare's
 *   Rate Limiting binding): a cheap local count that shields Redis and the Argon2id CPU from floods,
 *   and holds while Redis is down.
 * - REST limits (register, login, discovery, presence, uploads, REST sends, WebSocket tickets, profile
 *   and group updates) run in the Worker (workers/middleware/rate-limit.ts) against Redis, so they
 *   hold across isolates and locations. Without Redis configured they fall back to a per-isolate
 *   memory window (exact for local dev and tests, best effort on the edge). With Redis configured but
 *   failing they FAIL OPEN and log `rate_limit_store_down`: a cache outage must not lock every user
 *   out of login, and the password hash cost (PBKDF2 100k) still bounds a brute-force attempt during
 *   the outage.
 * - WebSocket sends per user run in the user's UserHub DO and per conversation in the Conversation
 *   DO: single-threaded objects make an in-memory token bucket exact and free. An over-limit send
 *   gets an `error {code: "rate_limited"}` frame and consumes no seq.
 *
 * `RATE_LIMITS=off` (env var) disables every limit: for local load tests and the integration stack
 * only, never in production (wrangler.toml `[env.production]` sets "on").
 */

/** A limit: at most `limit` events per `windowSeconds` for one key. */
export interface RateRule {
  /** Stable name: part of the Redis key and of the log line. */
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Registration per client IP: 3 / 60 s. Accounts are cheap to make; sign-up floods are spam. */
export const REGISTER_PER_IP: RateRule = { name: "register_ip", limit: 3, windowSeconds: 60 };
/**
 * Register and login together per client IP, at the edge: 60 / 60 s, by Cloudflare's Rate Limiting
 * binding (AUTH_IP_LIMITER in wrangler.toml holds the same numbers; the binding only allows 10 or
 * 60 s periods). The outer layer: counted where the request lands, before Redis and before any
 * password hashing, and still counting when Redis is down and the limits below fail open. Above
 * REGISTER_PER_IP + LOGIN_PER_IP, so ordinary refusals come from those (exact across locations).
 */
export const AUTH_PER_IP_EDGE: RateRule = { name: "auth_ip_edge", limit: 60, windowSeconds: 60 };
/** Login attempts per client IP: 20 / 60 s. A household or office NAT shares one IP. */
export const LOGIN_PER_IP: RateRule = { name: "login_ip", limit: 20, windowSeconds: 60 };
/**
 * Login attempts per account (username, lower-cased) from one client IP: 5 / 60 s. Stops one source
 * guessing one account's password, without letting that source lock the owner (elsewhere) out.
 */
export const LOGIN_PER_ACCOUNT_IP: RateRule = { name: "login_account_ip", limit: 5, windowSeconds: 60 };
/**
 * Login attempts per account from anywhere: 100 / 3600 s. The ceiling on guessing spread over many
 * IPs (at most 2,400 guesses a day against one account), high enough that locking its owner out
 * takes a hundred attempts an hour, not five a minute.
 */
export const LOGIN_PER_ACCOUNT: RateRule = { name: "login_account", limit: 100, windowSeconds: 3600 };
/** User search (`GET /v1/users?q=`) per account: 60 / 60 s. Discovery scraping (OWASP API6). */
export const DISCOVERY_PER_USER: RateRule = { name: "discovery_user", limit: 60, windowSeconds: 60 };
/** Presence lookups (`GET /v1/presence`) per account: 60 / 60 s (each takes up to 200 ids). */
export const PRESENCE_PER_USER: RateRule = { name: "presence_user", limit: 60, windowSeconds: 60 };
/** Uploads (`POST /v1/media`) per user: 10 / 60 s. Each may be 16 MiB of R2 writes. */
export const UPLOADS_PER_USER: RateRule = { name: "upload_user", limit: 10, windowSeconds: 60 };
/**
 * WebSocket connects per user: 10 / 60 s, one budget for minting tickets and for upgrades with a
 * bearer token. Reconnect storms back off instead.
 */
export const WS_CONNECTS_PER_USER: RateRule = { name: "ws_connect_user", limit: 10, windowSeconds: 60 };
/** Message sends per user: 30 / 10 s (WebSocket, in the UserHub DO; REST, in the Worker). */
export const SENDS_PER_USER: RateRule = { name: "send_user", limit: 30, windowSeconds: 10 };
/**
 * Profile updates (`PATCH /v1/me`) per user: 10 / 60 s. Each one writes Postgres, drops the cached
 * profile and makes the user's hub fan a `profile` event out to every contact's hub (direct peers
 * and fellow group members: hundreds of hubs for a well-connected user), so its cost grows with the
 * user's contacts, not with the request. A person edits name, about and picture a few times in a row
 * at most (fixing a typo, trying pictures); 10 a minute leaves room for that and caps the fan-out
 * one account can cause at 10 rounds a minute.
 */
export const PROFILE_UPDATES_PER_USER: RateRule = { name: "profile_update_user", limit: 10, windowSeconds: 60 };
/**
 * Group renames and picture changes (`PATCH /v1/conversations/:id`) per user: 10 / 60 s. A rename
 * appends a system message and a chat-list event for up to 200 members, and neither goes through the
 * send limits (those count `send` only), so without this an admin could flood a group with renames.
 * Keyed by the acting user, not the group: a stranger's requests (answered 404) cannot use up a
 * group's quota and lock its admins out. Same value as profile updates: a human does a few in a row.
 */
export const GROUP_UPDATES_PER_USER: RateRule = { name: "group_update_user", limit: 10, windowSeconds: 60 };
/**
 * Group membership changes per user (`POST /v1/conversations/:id/members`, `DELETE` and `PATCH`
 * `/v1/conversations/:id/members/:userId`: add, remove or leave, role): 30 / 60 s, one bucket for
 * all three. Each posts a system message to up to 200 members outside the send limits; adding is
 * batched (up to the group cap in one call), so a real admin needs a handful per minute.
 */
export const GROUP_MEMBERSHIP_PER_USER: RateRule = { name: "group_membership_user", limit: 30, windowSeconds: 60 };
/**
 * Conversations opened or created per user (`POST /v1/conversations`): 30 / 60 s. Creating a group
 * wakes a hub per member; opening a direct chat is idempotent but still costs a Postgres lookup and
 * a DO call, and nobody starts 30 new chats a minute by hand.
 */
export const CONVERSATION_CREATES_PER_USER: RateRule = {
  name: "conversation_create_user",
  limit: 30,
  windowSeconds: 60,
};
/**
 * Blocks and unblocks per user (`PUT`/`DELETE /v1/me/blocked/:userId`): 30 / 60 s. Each writes two
 * hubs and a conversation; nobody blocks 30 people a minute by hand.
 */
export const BLOCKS_PER_USER: RateRule = { name: "block_user", limit: 30, windowSeconds: 60 };
/** Pin/archive/unread/delete-for-me changes: each is logged and sent to every device of the user. */
export const CHAT_STATE_PER_USER: RateRule = { name: "chat_state_user", limit: 60, windowSeconds: 60 };
/**
 * Invite-link previews and joins per user (`GET /v1/invites/:token`, `POST …/join`): 20 / 60 s, one
 * bucket. A join posts a system message to up to 200 members; a token is 128 random bits, so this is
 * about load, not guessing.
 */
export const INVITES_PER_USER: RateRule = { name: "invite_user", limit: 20, windowSeconds: 60 };
/**
 * Password changes per user (`POST /v1/me/password`): 5 / 60 s. It checks the current password
 * (argon2id each time), so it must not become a faster way to guess it than login.
 */
export const PASSWORD_CHANGES_PER_USER: RateRule = { name: "password_change_user", limit: 5, windowSeconds: 60 };
/**
 * Account deletions per user (`DELETE /v1/me`): 5 / 60 s. Each checks the password (argon2id), so,
 * like a password change, it must not be a faster way to guess it than login.
 */
export const ACCOUNT_DELETIONS_PER_USER: RateRule = { name: "account_delete_user", limit: 5, windowSeconds: 60 };
/**
 * Data exports per user (`POST /v1/me/export`): 3 / day. Each reads the whole history of every chat
 * and writes an archive to R2; a person needs one now and then, not a stream of them.
 */
export const EXPORTS_PER_USER: RateRule = { name: "export_user", limit: 3, windowSeconds: 86400 };
/**
 * Reports per user (`POST /v1/reports`): 20 / hour. Each reads history and writes a row an operator
 * must look at; a flood of reports is abuse of the operators, not safety.
 */
export const REPORTS_PER_USER: RateRule = { name: "report_user", limit: 20, windowSeconds: 3600 };
/**
 * Edits and reactions per user (`PATCH …/messages/:seq`, `PUT`/`DELETE …/reaction`): 60 / 60 s, one
 * bucket. Each fans an event out to every member of the chat (up to 200 hubs) outside the send
 * limits; a person taps a handful of reactions a minute, and a flood of them is spam.
 */
export const MESSAGE_CHANGES_PER_USER: RateRule = { name: "message_change_user", limit: 60, windowSeconds: 60 };
/** Message sends per conversation, all members together: 100 / 10 s (in the Conversation DO). */
export const SENDS_PER_CONVERSATION: RateRule = { name: "send_conversation", limit: 100, windowSeconds: 10 };

/** Every limit, for docs and tests. */
export const ALL_RATE_RULES: readonly RateRule[] = [
  AUTH_PER_IP_EDGE,
  REGISTER_PER_IP,
  LOGIN_PER_IP,
  LOGIN_PER_ACCOUNT_IP,
  LOGIN_PER_ACCOUNT,
  DISCOVERY_PER_USER,
  PRESENCE_PER_USER,
  UPLOADS_PER_USER,
  WS_CONNECTS_PER_USER,
  SENDS_PER_USER,
  SENDS_PER_CONVERSATION,
  PROFILE_UPDATES_PER_USER,
  GROUP_UPDATES_PER_USER,
  GROUP_MEMBERSHIP_PER_USER,
  CONVERSATION_CREATES_PER_USER,
  BLOCKS_PER_USER,
  INVITES_PER_USER,
  PASSWORD_CHANGES_PER_USER,
  ACCOUNT_DELETIONS_PER_USER,
  EXPORTS_PER_USER,
  REPORTS_PER_USER,
  MESSAGE_CHANGES_PER_USER,
];

/**
 * The rate-limit key of a client IP. IPv4 as is; IPv6 by its /64 prefix (`2001:db8:1:2::/64`), since
 * one subscriber usually holds a whole /64 and could otherwise take a fresh address per request.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as its IPv4 address. Anything else that
 * is not an IP (local dev's placeholder) is its own key.
 */
export function ipRateKey(ip: string): string {
  const address = ip.trim().toLowerCase().split("%")[0] ?? "";
  if (!address.includes(":")) return address;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  const halves = address.split("::");
  if (halves.length > 2) return address;
  const groups = (half: string | undefined) => (half ? half.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  // An embedded IPv4 tail (`…:1.2.3.4`) is two groups; only the first four groups matter here.
  const width = tail.at(-1)?.includes(".") ? tail.length + 1 : tail.length;
  const missing = halves.length === 2 ? 8 - head.length - width : 0;
  if (missing < 0 || (halves.length === 1 && head.length !== 8)) return address;
  const full = [...head, ...Array<string>(missing).fill("0"), ...tail];
  const prefix = full.slice(0, 4);
  if (!prefix.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return address;
  return `${prefix.map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}

/** False only when `RATE_LIMITS=off` (local load tests, the integration stack). */
export function rateLimitsEnabled(env: { RATE_LIMITS?: string }): boolean {
  return env.RATE_LIMITS?.trim().toLowerCase() !== "off";
}

/** The verdict of one check: allowed, or refused with seconds until a retry can succeed (≥ 1). */
export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * An in-memory token bucket per key: `limit` tokens, refilled continuously over `windowSeconds`.
 * Exact inside one single-threaded object (a Durable Object); per-isolate best effort in a Worker.
 * Keys idle long enough to be full again are dropped, so memory stays bounded by active keys.
 */
export class TokenBuckets {
  private readonly rule: RateRule;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxKeys: number;

  constructor(rule: RateRule, maxKeys = 10_000) {
    this.rule = rule;
    this.maxKeys = maxKeys;
  }

  /** Takes one token for `key` at `nowMs`, or says how long until one is available. */
  take(key: string, nowMs: number = Date.now()): RateVerdict {
    const perMs = this.rule.limit / (this.rule.windowSeconds * 1000);
    const bucket = this.buckets.get(key) ?? { tokens: this.rule.limit, at: nowMs };
    const tokens = Math.min(this.rule.limit, bucket.tokens + Math.max(0, nowMs - bucket.at) * perMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: nowMs });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    }
    if (!this.buckets.has(key) && this.buckets.size >= this.maxKeys) this.sweep(nowMs);
    this.buckets.set(key, { tokens: tokens - 1, at: nowMs });
    return { ok: true };
  }

  private sweep(nowMs: number): void {
    const fullAfterMs = this.rule.windowSeconds * 1000;
    for (const [key, b] of this.buckets) if (nowMs - b.at >= fullAfterMs) this.buckets.delete(key);
    // Still full of active keys: forget the oldest rather than grow without bound.
    while (this.buckets.size >= this.maxKeys) {
      const first = this.buckets.keys().next();
      if (first.done) break;
      this.buckets.delete(first.value);
    }
  }
}
