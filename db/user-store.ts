/**
 * Accounts, profiles and sessions over the Postgres shards. The only place that knows which table
 * lives on which shard for these rows (see the shard-key table in db/schema.ts):
 *
 * - `usernames` sits on the shard of the lower-cased name, so uniqueness is one primary key on one
 *   database and a registration race has exactly one winner without any cross-shard lock.
 * - `users`, `credentials`, `sessions` sit on the shard of the user id, so a profile read, a login and a
 *   revocation check each touch one shard.
 * - Discovery (`searchByPrefix`) is the exception: a prefix can match names on every shard, so it fans
 *   out to ALL shards in parallel and merges. Its cost grows with the shard count; keep it rate-limited
 *   and keep its page small.
 *
 * There is no cross-shard transaction. Registration claims the name first and writes the user second;
 * if the second step fails the claim is released, and if even that fails the claim is an orphan
 * (a name pointing at no user), which `createUser` takes over once it is old enough.
 */
import { and, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import { DELETED_ACCOUNT_NAME } from "../client/sdk/protocol/index.ts";
import { AppError } from "../lib/errors.ts";
import type { ProfileVisibility } from "../lib/profile-visibility.ts";
import { newId } from "../lib/ids.ts";
import { MAX_SEARCH_RESULTS } from "../client/sdk/protocol/index.ts";
import { withShards, type Db, type DbEnv, type ShardSet } from "./connection.ts";
import { credentials, sessions, usernames, users } from "./schema.ts";
import { shardKey } from "./shards.ts";

/** Search answers at most this many users (README "Limits"); each shard is asked for the same number. */
/**
 * A username claim whose user row is still missing after this long is an orphan from a registration
 * that failed half-way and could not release it; a new registration may take the name over. Long
 * enough that no live registration is still between its two writes.
 */
export const ORPHAN_CLAIM_MINUTES = 10;

/** A user as stored; routes turn it into the public `User` (db/cache/profile-cache.ts). */
export interface UserRecord {
  id: string;
  /** Lower case: the protocol normalises usernames before they reach the store. */
  username: string;
  displayName: string;
  about: string;
  pictureMediaId: string | null;
  createdAt: Date;
  /** Set once the account was deleted (`deleteAccount`). */
  deletedAt: Date | null;
  /** Who sees the picture and about (lib/profile-visibility.ts). */
  profileVisibility: ProfileVisibility;
}

/** What `deleteAccount` did: the profile as others now see it, and the sessions to end. */
export interface DeletedAccount {
  user: VersionedUser;
  /** Every session the user had (live or not): their cache entries and sockets are ended. */
  sessionIds: string[];
}

/** The fields `PATCH /v1/me` may change; absent = unchanged, `pictureMediaId: null` = remove. */
export interface ProfilePatch {
  displayName?: string;
  about?: string;
  pictureMediaId?: string | null;
  /** Not part of `PATCH /v1/me`: `PUT /v1/me/privacy {profile}` changes it, versioned like the rest. */
  profileVisibility?: ProfileVisibility;
}

/** A login: the token names it (`sid`); logout sets `revokedAt`; it ends at `expiresAt` regardless. */
export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  device: string;
  lastActiveAt: Date | null;
}

/** A profile with its version (see `updateProfile`). */
export type VersionedUser = UserRecord & { version: number };

const userColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  about: users.about,
  pictureMediaId: users.pictureMediaId,
  createdAt: users.createdAt,
  deletedAt: users.deletedAt,
  profileVisibility: users.profileVisibility,
};

/** `%`, `_` and `\` are LIKE metacharacters; escaped, the prefix matches only itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Reads and writes accounts on the shard that owns each row. One instance per unit of work. */
export class UserStore {
  constructor(private readonly shards: ShardSet) {}

  private userDb(userId: string): Db {
    return this.shards.for(shardKey.user(userId));
  }

  private nameDb(usernameLower: string): Db {
    return this.shards.for(shardKey.username(usernameLower));
  }

  /**
   * Registers a user. Throws AppError `username_taken` (409) if the name, ignoring case, is already
   * claimed — of two racing registrations for `Alice` and `alice`, exactly one gets past the claim.
   */
  async createUser(input: { username: string; displayName: string; passwordHash: string }): Promise<UserRecord> {
    const id = newId("u");
    const lower = input.username.toLowerCase();
    const nameDb = this.nameDb(lower);

    const claimed = await nameDb
      .insert(usernames)
      .values({ usernameLower: lower, userId: id })
      .onConflictDoNothing()
      .returning({ userId: usernames.userId });
    if (claimed.length === 0 && !(await this.takeOverOrphanClaim(lower, id))) {
      throw new AppError("username_taken", "that username is taken");
    }

    try {
      return await this.userDb(id).transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({ id, username: input.username, displayName: input.displayName })
          .returning(userColumns);
        await tx.insert(credentials).values({ userId: id, passwordHash: input.passwordHash });
        if (!user) throw new Error("insert into users returned no row");
        return user;
      });
    } catch (error) {
      // Free the name for the next attempt; conditional on our id so we never free someone else's.
      await nameDb
        .delete(usernames)
        .where(and(eq(usernames.usernameLower, lower), eq(usernames.userId, id)))
        .catch(() => undefined);
      throw error;
    }
  }

  /** Moves an orphaned claim (old, and its user row absent) to `newUserId`; false if it is not one. */
  private async takeOverOrphanClaim(lower: string, newUserId: string): Promise<boolean> {
    const nameDb = this.nameDb(lower);
    const [claim] = await nameDb
      .select({ userId: usernames.userId })
      .from(usernames)
      .where(
        and(
          eq(usernames.usernameLower, lower),
          sql`${usernames.createdAt} < now() - make_interval(mins => ${ORPHAN_CLAIM_MINUTES})`,
        ),
      );
    if (!claim) return false;
    const owner = await this.userDb(claim.userId)
      .select({ id: users.id })
      .from(users)
      .where(eq(users.id, claim.userId));
    if (owner.length > 0) return false;
    // Conditional on the old owner: of two registrations taking over at once, one wins.
    const moved = await nameDb
      .update(usernames)
      .set({ userId: newUserId, createdAt: sql`now()` })
      .where(and(eq(usernames.usernameLower, lower), eq(usernames.userId, claim.userId)))
      .returning({ userId: usernames.userId });
    return moved.length === 1;
  }

  /** The user and password hash for a login, or null if no user has that name (ignoring case). */
  async findByUsername(username: string): Promise<{ user: UserRecord; passwordHash: string } | null> {
    const lower = username.toLowerCase();
    const [claim] = await this.nameDb(lower)
      .select({ userId: usernames.userId })
      .from(usernames)
      .where(eq(usernames.usernameLower, lower));
    if (!claim) return null;
    const [row] = await this.userDb(claim.userId)
      .select({ user: userColumns, passwordHash: credentials.passwordHash })
      .from(users)
      .innerJoin(credentials, eq(credentials.userId, users.id))
      .where(eq(users.id, claim.userId));
    return row ?? null;
  }

  /**
   * Replaces a user's password hash with `fresh` if it is still `previous` (a rehash at login must
   * not overwrite a hash that changed meanwhile). True when it was replaced.
   */
  async replacePasswordHash(userId: string, previous: string, fresh: string): Promise<boolean> {
    const updated = await this.userDb(userId)
      .update(credentials)
      .set({ passwordHash: fresh, updatedAt: sql`now()` })
      .where(and(eq(credentials.userId, userId), eq(credentials.passwordHash, previous)))
      .returning({ userId: credentials.userId });
    return updated.length === 1;
  }

  /** The user with this id, or null. One query on the user's shard. */
  async getUser(id: string): Promise<UserRecord | null> {
    const [user] = await this.userDb(id).select(userColumns).from(users).where(eq(users.id, id));
    return user ?? null;
  }

  /** The users that exist among `ids`, keyed by id; one query per shard involved, in parallel. */
  async getUsers(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    const byShard = new Map<number, string[]>();
    for (const id of new Set(ids)) {
      const shard = this.shards.indexFor(shardKey.user(id));
      byShard.set(shard, [...(byShard.get(shard) ?? []), id]);
    }
    const found = await Promise.all(
      [...byShard].map(([shard, group]) =>
        this.shards.at(shard).select(userColumns).from(users).where(inArray(users.id, group)),
      ),
    );
    return new Map(found.flat().map((user) => [user.id, user]));
  }

  /** Applies `patch` and returns the updated user, or null if there is no such user. */
  /**
   * Writes the profile and answers the row as this write left it, with its version (`updated_at` in
   * µs): what profile events carry, so hubs keep the newest whatever order notifications arrive in.
   */
  async updateProfile(id: string, patch: ProfilePatch): Promise<VersionedUser | null> {
    const [user] = await this.userDb(id)
      .update(users)
      .set({
        ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
        ...(patch.about !== undefined ? { about: patch.about } : {}),
        ...(patch.pictureMediaId !== undefined ? { pictureMediaId: patch.pictureMediaId } : {}),
        ...(patch.profileVisibility !== undefined ? { profileVisibility: patch.profileVisibility } : {}),
        // The profile's version (profile events keep the highest): it must grow in the order the
        // writes land on the row. now() is each transaction's start, and two racing updates can take
        // the row lock in the other order, leaving the last write with the older stamp. Computed
        // against the row as locked (Postgres re-evaluates SET after waiting), this always grows.
        updatedAt: sql`greatest(clock_timestamp(), ${users.updatedAt} + interval '1 microsecond')`,
      })
      .where(eq(users.id, id))
      // Text: a bigint arrives as a string anyway; µs since 1970 fit a double exactly.
      .returning({
        ...userColumns,
        version: sql<string>`(extract(epoch from ${users.updatedAt}) * 1000000)::bigint::text`,
      });
    return user ? { ...user, version: Number(user.version) } : null;
  }

  /**
   * Users whose name starts with `prefix` (lower case), ordered by name, at most MAX_SEARCH_RESULTS.
   * Fans out to ALL shards: each returns its first MAX_SEARCH_RESULTS names, which together always contain
   * the global first MAX_SEARCH_RESULTS; the merge keeps those and fetches their profiles.
   */
  async searchByPrefix(prefix: string): Promise<UserRecord[]> {
    const pattern = `${escapeLike(prefix.toLowerCase())}%`;
    const perShard = await Promise.all(
      this.shards.urls.map((_, shard) =>
        this.shards
          .at(shard)
          .select({ usernameLower: usernames.usernameLower, userId: usernames.userId })
          .from(usernames)
          .where(sql`${usernames.usernameLower} LIKE ${pattern} ESCAPE '\\'`)
          // `USING ~<~` is byte order — the order of the text_pattern_ops index, so Postgres walks the
          // index and stops at the limit — and the same order as the merge below, whatever the collation.
          .orderBy(sql`${usernames.usernameLower} USING ~<~`)
          .limit(MAX_SEARCH_RESULTS),
      ),
    );
    const names = perShard
      .flat()
      .sort((a, b) => (a.usernameLower < b.usernameLower ? -1 : a.usernameLower > b.usernameLower ? 1 : 0))
      .slice(0, MAX_SEARCH_RESULTS);
    const profiles = await this.getUsers(names.map((n) => n.userId));
    // An orphaned claim has no profile and is skipped.
    return names.flatMap((n) => profiles.get(n.userId) ?? []);
  }

  /** Records a new session for `userId`, ending at `expiresAt` (the token's `exp`). */
  async createSession(userId: string, expiresAt: Date, device = ""): Promise<SessionRecord> {
    const [session] = await this.userDb(userId)
      .insert(sessions)
      .values({ id: newId("s"), userId, expiresAt, device, lastActiveAt: sql`now()` })
      .returning();
    if (!session) throw new Error("insert into sessions returned no row");
    return session;
  }

  /** The session `sessionId` of `userId`, live or not; null if it does not exist for that user. */
  async getSession(userId: string, sessionId: string): Promise<SessionRecord | null> {
    const [session] = await this.userDb(userId)
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
    return session ?? null;
  }

  /** True when the session exists for this user, is not revoked and has not expired (database clock). */
  async isSessionLive(userId: string, sessionId: string): Promise<boolean> {
    const rows = await this.userDb(userId)
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(
          eq(sessions.id, sessionId),
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql`now()`),
        ),
      );
    return rows.length > 0;
  }

  /** The user's live sessions (not revoked, not expired), most recently active first. */
  async liveSessions(userId: string): Promise<SessionRecord[]> {
    return this.userDb(userId)
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
      .orderBy(sql`coalesce(${sessions.lastActiveAt}, ${sessions.createdAt}) desc`);
  }

  /** The session opened a WebSocket: it was active now. */
  async touchSession(userId: string, sessionId: string): Promise<void> {
    await this.userDb(userId)
      .update(sessions)
      .set({ lastActiveAt: sql`now()` })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
  }

  /** Revokes every live session of the user but `keepId`; the ids it ended. */
  async revokeOtherSessions(userId: string, keepId: string): Promise<string[]> {
    const revoked = await this.userDb(userId)
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), ne(sessions.id, keepId)))
      .returning({ id: sessions.id });
    return revoked.map((r) => r.id);
  }

  /** The user's password hash, or null if the user has none. */
  async passwordHash(userId: string): Promise<string | null> {
    const [row] = await this.userDb(userId)
      .select({ hash: credentials.passwordHash })
      .from(credentials)
      .where(eq(credentials.userId, userId));
    return row?.hash ?? null;
  }

  /** Replaces the user's password hash. */
  async setPasswordHash(userId: string, hash: string): Promise<void> {
    await this.userDb(userId)
      .update(credentials)
      .set({ passwordHash: hash, updatedAt: sql`now()` })
      .where(eq(credentials.userId, userId));
  }

  /**
   * Deletes an account (README "Deleting an account"); null if there is no such user. Idempotent, so
   * a job that died half-way runs it again: first the username claim is released (on its own shard,
   * conditional on this user, so a name someone took since is never touched), then, in one
   * transaction on the user's shard, the credentials go, every session is revoked and the profile
   * becomes "Deleted account" with no username (the claim's name is read from it, so the claim is
   * released before the row forgets it). The row stays: others' chats still name this id.
   */
  async deleteAccount(userId: string): Promise<DeletedAccount | null> {
    const db = this.userDb(userId);
    const [row] = await db.select({ username: users.username }).from(users).where(eq(users.id, userId));
    if (!row) return null;
    if (row.username !== "") {
      const lower = row.username.toLowerCase();
      await this.nameDb(lower)
        .delete(usernames)
        .where(and(eq(usernames.usernameLower, lower), eq(usernames.userId, userId)));
    }
    return db.transaction(async (tx) => {
      await tx.delete(credentials).where(eq(credentials.userId, userId));
      const all = await tx
        .update(sessions)
        .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, now())` })
        .where(eq(sessions.userId, userId))
        .returning({ id: sessions.id });
      const [user] = await tx
        .update(users)
        .set({
          username: "",
          displayName: DELETED_ACCOUNT_NAME,
          about: "",
          pictureMediaId: null,
          deletedAt: sql`coalesce(${users.deletedAt}, now())`,
          // Versioned like `updateProfile`, so the "Deleted account" profile beats every earlier one.
          updatedAt: sql`greatest(clock_timestamp(), ${users.updatedAt} + interval '1 microsecond')`,
        })
        .where(eq(users.id, userId))
        .returning({
          ...userColumns,
          version: sql<string>`(extract(epoch from ${users.updatedAt}) * 1000000)::bigint::text`,
        });
      if (!user) throw new Error("update of users returned no row");
      return { user: { ...user, version: Number(user.version) }, sessionIds: all.map((s) => s.id) };
    });
  }

  /** Revokes the session; true if it was live until now. Revoking twice is harmless. */
  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    const revoked = await this.userDb(userId)
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return revoked.length > 0;
  }
}

/** `withShards` with a UserStore: runs `work`, then closes its connections (see `withShards`). */
export function withUserStore<T>(
  env: DbEnv,
  work: (store: UserStore) => Promise<T>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<T> {
  return withShards(env, (shards) => new UserStore(shards), work, waitUntil);
}
