/**
 * Redis in front of Postgres for the two hottest reads of the accounts feature:
 *
 * - `profile:v2:<userId>` → `{ user, visibility }`: the public `User` and who may see its picture and
 *   about, 10 min. Profiles are read on every chat list and message render and change rarely; a write
 *   deletes the key.
 * - `session:v1:<sessionId>` → `"live"` for 60 s, or `"revoked"` after logout. Every authenticated
 *   call checks its session; the cache spares a Postgres round trip on most of them.
 *
 * Redis is only a cache. With no Redis configured every read goes to Postgres; any Redis error or a
 * reply slower than REDIS_TIMEOUT_MS also falls back to Postgres, logging one warning line with the
 * operation name only (no keys, ids or values). A request never fails because of Redis. After a
 * failure this isolate skips cache reads and fills for REDIS_BACKOFF_MS, so an outage costs one
 * timeout rather than one per call; revocations and invalidations are always attempted.
 * (A CPU-bound burst in the isolate, e.g. many PBKDF2 logins, can trip the timeout too; the cost is
 * only a few seconds of cache misses.)
 *
 * Revocation must be immediate, so logout does not just delete the session key: it writes a
 * `"revoked"` tombstone, and readers fill the cache with SET NX. A request that read "live" from
 * Postgres just before the logout therefore cannot re-cache "live" over the tombstone. Known limits:
 * a profile read racing a PATCH may re-cache the old profile (stale ≤ PROFILE_CACHE_TTL_SECONDS), and a
 * logout whose tombstone write fails leaves any cached "live" in place for ≤ SESSION_CACHE_TTL_SECONDS.
 */
import { profilePictureUrl } from "../pictures.ts";
import type { Redis } from "@upstash/redis/cloudflare";
import { Audience, User } from "../../client/sdk/protocol/index.ts";
import { z } from "zod";
import type { ProfileVisibility } from "../../lib/profile-visibility.ts";
import type { UserRecord } from "../user-store.ts";
import { redisFromEnv } from "./redis.ts";
import { log } from "../../lib/log.ts";

/** Profiles change rarely; 10 minutes bounds the staleness a missed invalidation could cause. */
export const PROFILE_CACHE_TTL_SECONDS = 10 * 60;
/** Session liveness is re-checked in Postgres at least once a minute per session. */
export const SESSION_CACHE_TTL_SECONDS = 60;
/** A cache read or fill slower than this is treated as a miss; Postgres is the fallback. */
export const REDIS_TIMEOUT_MS = 300;
/**
 * Revocations and invalidations wait longer: a Worker's unfinished subrequests are cancelled when it
 * answers, so giving up early could drop the very write that makes a logout immediate.
 */
export const REDIS_WRITE_TIMEOUT_MS = 2_000;
/** After a Redis failure, reads and fills skip Redis in this isolate for this long. */
export const REDIS_BACKOFF_MS = 10_000;

// Per isolate, on purpose: each isolate learns about an outage from its own failed call.
let skipReadsUntil = 0;

const LIVE = "live";
const REVOKED = "revoked";

/** Redis key of a cached public profile; the version changes with the cached shape (v2: with visibility). */
export const profileKey = (userId: string): string => `profile:v2:${userId}`;

/** A public profile with who may see its picture and about (lib/profile-visibility.ts). */
export interface ProfileView {
  user: User;
  visibility: ProfileVisibility;
}
const CachedView = z.object({ user: User, visibility: Audience });
/** Redis key of a session's liveness ("live" or a "revoked" tombstone). */
export const sessionKey = (sessionId: string): string => `session:v1:${sessionId}`;

/** The public view of a stored user (the protocol's `User`): no credentials, picture as a URL. */
export function publicUser(user: UserRecord): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    about: user.about,
    pictureUrl: user.pictureMediaId === null ? null : profilePictureUrl(user.id, user.pictureMediaId),
    createdAt: user.createdAt.toISOString(),
    ...(user.deletedAt ? { deleted: true as const } : {}),
  };
}

/** What the session cache knows: live, revoked, or nothing (ask Postgres). */
export type CachedSession = "live" | "revoked" | "unknown";

/** The cache, or a pass-through when Redis is not configured. Cheap to build; one per request is fine. */
export class ProfileCache {
  constructor(private readonly redis: Redis | null) {}

  /** The cache for this environment; without Upstash settings it is a pass-through. */
  static fromEnv(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">): ProfileCache {
    return new ProfileCache(redisFromEnv(env));
  }

  /**
   * Runs a Redis call; undefined when Redis is off, failing or slow. `always` marks writes that keep
   * the cache truthful (revocations, invalidations): they are tried even while reads are backing off,
   * with the longer write timeout.
   */
  private async attempt<T>(op: string, call: (redis: Redis) => Promise<T>, always = false): Promise<T | undefined> {
    if (!this.redis || (!always && Date.now() < skipReadsUntil)) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), always ? REDIS_WRITE_TIMEOUT_MS : REDIS_TIMEOUT_MS);
    });
    try {
      return await Promise.race([call(this.redis), timeout]);
    } catch (error) {
      skipReadsUntil = Date.now() + REDIS_BACKOFF_MS;
      const reason = error instanceof Error && error.message === "timeout" ? "timeout" : "error";
      log("warn", "redis unavailable, using postgres", { op, reason });
      return undefined;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /**
   * The public profile of `userId`: from Redis when cached, else from `load` (Postgres), which is then
   * cached. Null when `load` finds no user (not cached: ids are unguessable, so misses are rare).
   */
  async getProfile(userId: string, load: () => Promise<UserRecord | null>): Promise<User | null> {
    return (await this.getProfileView(userId, load))?.user ?? null;
  }

  /** `getProfile` with the owner's profile visibility, for reads by someone else. */
  async getProfileView(userId: string, load: () => Promise<UserRecord | null>): Promise<ProfileView | null> {
    const cached = await this.attempt("profile.get", (r) => r.get<unknown>(profileKey(userId)));
    // Validate what comes back: a value written by another version, or by hand, must not reach clients.
    const parsed = CachedView.safeParse(typeof cached === "string" ? safeJson(cached) : cached);
    if (parsed.success && parsed.data.user.id === userId) return parsed.data;

    const record = await load();
    if (!record) return null;
    const view: ProfileView = { user: publicUser(record), visibility: record.profileVisibility };
    await this.attempt("profile.set", (r) =>
      r.set(profileKey(userId), JSON.stringify(view), { ex: PROFILE_CACHE_TTL_SECONDS }),
    );
    return view;
  }

  /** Drops the cached profile after a change, so the next read sees it. */
  async invalidateProfile(userId: string): Promise<void> {
    await this.attempt("profile.del", (r) => r.del(profileKey(userId)), true);
  }

  /** What the cache knows about the session. */
  async sessionState(sessionId: string): Promise<CachedSession> {
    const value = await this.attempt("session.get", (r) => r.get<unknown>(sessionKey(sessionId)));
    return value === LIVE ? "live" : value === REVOKED ? "revoked" : "unknown";
  }

  /** Remembers that Postgres said the session is live; never overwrites a revocation (SET NX). */
  async rememberLive(sessionId: string): Promise<void> {
    await this.attempt("session.set", (r) =>
      r.set(sessionKey(sessionId), LIVE, { ex: SESSION_CACHE_TTL_SECONDS, nx: true }),
    );
  }

  /**
   * Marks the session revoked in the cache, replacing any "live" entry at once. Call after the
   * Postgres revocation; the tombstone outlives any "live" entry that could have been written before.
   */
  async revokeSession(sessionId: string): Promise<void> {
    await this.attempt(
      "session.revoke",
      (r) => r.set(sessionKey(sessionId), REVOKED, { ex: SESSION_CACHE_TTL_SECONDS }),
      true,
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
