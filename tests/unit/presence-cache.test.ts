/**
 * Presence entries read back from Redis (db/cache/presence-cache.ts): what `writePresence` stored
 * parses, as a JSON string or already decoded; anything else is a miss (the hub is asked instead).
 */
import { describe, expect, it } from "vitest";
import { parsePresenceEntry } from "../../db/cache/presence-cache.ts";

describe("presence cache entries", () => {
  it("reads alice's entry as stored, whether the client decoded the JSON or not", () => {
    const entry = { online: false, lastSeenAt: 1_764_000_000_000, visibility: "contacts" };
    expect(parsePresenceEntry(JSON.stringify(entry))).toEqual(entry);
    expect(parsePresenceEntry(entry)).toEqual(entry);
    expect(parsePresenceEntry({ online: true, lastSeenAt: null, visibility: "everyone" })).toEqual({
      online: true,
      lastSeenAt: null,
      visibility: "everyone",
    });
  });

  it("treats any other shape as a miss", () => {
    for (const bad of [
      null,
      "not json",
      "42",
      { online: "yes", lastSeenAt: null, visibility: "everyone" },
      { online: true, visibility: "everyone" },
      { online: true, lastSeenAt: "yesterday", visibility: "everyone" },
      { online: true, lastSeenAt: null, visibility: "friends" },
      [true, null, "everyone"],
    ]) {
      expect(parsePresenceEntry(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
