/**
 * Shard routing: which of the N Postgres databases holds a row. N comes from `DATABASE_URLS`
 * (comma-separated, order matters) or a single `DATABASE_URL`.
 *
 * The key is hashed (FNV-1a 64) and mapped with Jump Consistent Hash (Lamping & Veach, 2014): growing
 * from N to N+1 shards moves only 1/(N+1) of the keys, all of them to the new shard, which is what a
 * resharding job wants. Never reorder `DATABASE_URLS`: position i is shard i.
 */

/** The shard keys in use (see db/schema.ts for the table → key map). */
export const shardKey = {
  user: (userId: string) => `user:${userId}`,
  username: (usernameLower: string) => `username:${usernameLower}`,
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  report: (reportId: string) => `report:${reportId}`,
};

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a over the UTF-8 bytes of `key`, 64 bits. Stable across runtimes and releases. */
export function fnv1a64(key: string): bigint {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/** Jump Consistent Hash: a bucket in [0, buckets) for a 64-bit key. */
export function jumpHash(key: bigint, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError("buckets must be a positive integer");
  let b = -1;
  let j = 0;
  let k = key;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & MASK_64;
    j = Math.floor(((b + 1) * 2 ** 31) / Number((k >> 33n) + 1n));
  }
  return b;
}

/** The shard index for a shard key, given the number of shards. */
export function shardIndex(key: string, shardCount: number): number {
  return shardCount === 1 ? 0 : jumpHash(fnv1a64(key), shardCount);
}

/** Reads the shard URLs from the environment: `DATABASE_URLS` wins over `DATABASE_URL`. */
export function shardUrls(env: { DATABASE_URLS?: string; DATABASE_URL?: string }): string[] {
  const list = (env.DATABASE_URLS ?? env.DATABASE_URL ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list;
}
