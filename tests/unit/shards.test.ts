/**
 * The shard router must never change its answers (rows would become unreachable), must spread keys
 * evenly, and growing N → N+1 shards must move keys only onto the new shard.
 */
import { describe, expect, it } from "vitest";
import { fnv1a64, jumpHash, shardIndex, shardKey, shardUrls } from "../../db/shards.ts";

const KEYS = Array.from({ length: 10_000 }, (_, i) =>
  shardKey.conversation(`c-${i.toString(36)}-${(i * 7919) % 10007}`),
);

function counts(n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const key of KEYS) out[shardIndex(key, n)]! += 1;
  return out;
}

describe("shard router", () => {
  it("uses standard FNV-1a 64 and Jump Consistent Hash (published test vectors)", () => {
    expect(fnv1a64("")).toBe(0xcbf29ce484222325n);
    expect(fnv1a64("a")).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64("foobar")).toBe(0x85944171f73967e8n);
    expect(jumpHash(1n, 1)).toBe(0);
    expect(jumpHash(42n, 57)).toBe(43);
    expect(jumpHash(0xdead10ccn, 666)).toBe(361);
    expect(jumpHash(256n, 1024)).toBe(520);
    expect(jumpHash(1n, 128)).toBe(55);
    expect(jumpHash(129n, 128)).toBe(120);
    expect(jumpHash(128n, 100_000_000)).toBe(38172097);
    expect(jumpHash(0xffffffffffffffffn, 128)).toBe(92);
  });

  it("gives stable answers for known keys (changing these strands existing rows)", () => {
    expect([2, 3, 4, 8, 16].map((n) => shardIndex("user:alice", n))).toEqual([1, 2, 2, 2, 15]);
    expect([2, 3, 4, 8, 16].map((n) => shardIndex("username:bob", n))).toEqual([0, 0, 0, 0, 10]);
    expect([2, 3, 4, 8, 16].map((n) => shardIndex("user:00000000-0000-7000-8000-000000000000", n))).toEqual([
      1, 1, 1, 1, 12,
    ]);
    expect(shardIndex("anything", 1)).toBe(0);
  });

  it.each([2, 4])("spreads 10k keys roughly evenly over %i shards", (n) => {
    const expected = KEYS.length / n;
    for (const c of counts(n)) {
      expect(c).toBeGreaterThan(expected * 0.9);
      expect(c).toBeLessThan(expected * 1.1);
    }
  });

  it.each([1, 2, 3, 4, 7])("growing %i → %i+1 shards moves keys only to the new shard, about 1/(N+1) of them", (n) => {
    let moved = 0;
    for (const key of KEYS) {
      const before = shardIndex(key, n);
      const after = shardIndex(key, n + 1);
      if (before !== after) {
        expect(after).toBe(n);
        moved += 1;
      }
    }
    const share = moved / KEYS.length;
    expect(share).toBeGreaterThan((1 / (n + 1)) * 0.8);
    expect(share).toBeLessThan((1 / (n + 1)) * 1.2);
  });

  it("rejects a non-positive shard count and reads URLs from DATABASE_URLS before DATABASE_URL", () => {
    expect(() => jumpHash(1n, 0)).toThrow(RangeError);
    expect(shardUrls({ DATABASE_URLS: " a , b,", DATABASE_URL: "c" })).toEqual(["a", "b"]);
    expect(shardUrls({ DATABASE_URL: "c" })).toEqual(["c"]);
    expect(shardUrls({})).toEqual([]);
  });
});
