/**
 * The web client's blob URL cache (client/web/src/lib/blob-cache.ts): bounded by bytes, least recently
 * used out first, every evicted object URL revoked exactly once, shared object URLs counted once.
 */
import { describe, expect, it } from "vitest";
import { BlobUrlCache } from "../../client/web/src/lib/blob-cache.ts";

function cache(maxBytes: number) {
  const revoked: string[] = [];
  return { blobs: new BlobUrlCache(maxBytes, (url) => revoked.push(url)), revoked };
}

describe("blob URL cache", () => {
  it("keeps alice's media up to the byte budget and revokes the least recently used beyond it", () => {
    const { blobs, revoked } = cache(300);
    blobs.set("/m/1", "blob:1", 100);
    blobs.set("/m/2", "blob:2", 100);
    blobs.set("/m/3", "blob:3", 100);
    expect(blobs.get("/m/1")).toBe("blob:1"); // used again: now the newest
    blobs.set("/m/4", "blob:4", 100);
    expect(revoked).toEqual(["blob:2"]);
    expect(blobs.get("/m/2")).toBeUndefined();
    expect(blobs.bytes).toBe(300);
    blobs.set("/m/5", "blob:5", 250);
    expect(revoked).toEqual(["blob:2", "blob:3", "blob:1", "blob:4"]);
    expect(blobs.bytes).toBe(250);
  });

  it("stays bounded however many pictures bob scrolls past", () => {
    const { blobs, revoked } = cache(10_000);
    for (let i = 0; i < 5_000; i++) blobs.set(`/m/${i}`, `blob:${i}`, 1_000);
    expect(blobs.bytes).toBe(10_000);
    expect(revoked).toHaveLength(4_990);
    expect(new Set(revoked).size).toBe(4_990);
  });

  it("keeps a file larger than the budget while it is the newest, and revokes it when the next arrives", () => {
    const { blobs, revoked } = cache(100);
    blobs.set("/m/video", "blob:video", 500);
    expect(blobs.get("/m/video")).toBe("blob:video");
    blobs.set("/m/pic", "blob:pic", 10);
    expect(revoked).toEqual(["blob:video"]);
  });

  it("counts an upload remembered under two URLs once, and revokes it only when both are gone", () => {
    const { blobs, revoked } = cache(150);
    blobs.set("/v1/media/a", "blob:a", 100);
    blobs.set("/m/b", "blob:b", 40);
    blobs.set("/v1/media/a?c=c1", "blob:a", 100);
    expect(blobs.bytes).toBe(140);
    blobs.set("/m/c", "blob:c", 40); // 180 > 150: the oldest key goes, but blob:a is still referenced…
    expect(blobs.get("/v1/media/a")).toBeUndefined();
    expect(revoked).toEqual(["blob:b"]); // …so b goes too, and a stays under its other URL
    expect(blobs.bytes).toBe(140);
    blobs.set("/m/d", "blob:d", 40); // its last key goes: now it is revoked
    expect(revoked).toEqual(["blob:b", "blob:a"]);
    expect(blobs.bytes).toBe(80);
  });

  it("replaces a key's object URL by revoking the old one", () => {
    const { blobs, revoked } = cache(1_000);
    blobs.set("/m/1", "blob:old", 10);
    blobs.set("/m/1", "blob:new", 10);
    expect(revoked).toEqual(["blob:old"]);
    expect(blobs.get("/m/1")).toBe("blob:new");
    blobs.set("/m/1", "blob:new", 10);
    expect(revoked).toEqual(["blob:old"]);
    expect(blobs.bytes).toBe(10);
  });
});
