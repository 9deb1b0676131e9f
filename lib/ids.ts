/**
 * Opaque ids for the rows we mint (users, sessions, …): `<prefix>_<26 chars>`, ULID-shaped.
 *
 * The first 10 chars encode the creation time in milliseconds, so ids sort by age and new rows land at
 * the right end of a btree (cheap inserts, warm pages) instead of at random places. The last 16 chars
 * are 80 bits from the platform CSPRNG, so ids cannot be guessed or enumerated. Shard routing hashes
 * the whole id (db/shards.ts), so the time prefix does not skew the spread across shards.
 *
 * The alphabet is Crockford's base32 in lower case: no i, l, o, u, so an id read aloud or copied by
 * hand is unambiguous, and every char fits the protocol's `Id` pattern.
 */

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** Prefixes name the kind of thing (`u` user, `s` session); short and lower case by convention. */
const PREFIX_PATTERN = /^[a-z]{1,8}$/;

/**
 * A new id such as `u_01jd3v7k2m9x4q8r6t0w5y1z3b`: `newId("u")` for users, `newId("s")` for sessions.
 * Pass the prefix without the underscore. Throws a RangeError for a malformed prefix (a programming
 * error, caught by the first test that mints one).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new RangeError(`id prefix must match ${PREFIX_PATTERN}`);
  let time = "";
  let t = Math.floor(now);
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  // 256 is a multiple of 32, so masking a random byte to 5 bits is unbiased.
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_CHARS));
  let random = "";
  for (const byte of bytes) random += ALPHABET.charAt(byte & 31);
  return `${prefix}_${time}${random}`;
}
