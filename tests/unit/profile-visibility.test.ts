/** The profile-visibility rule (lib/profile-visibility.ts), as a table. */
import { describe, expect, it } from "vitest";
import type { User } from "../../client/sdk/protocol/index.ts";
import { deliveredProfileVersion, profileAsSeenBy } from "../../lib/profile-visibility.ts";

const alice: User = {
  id: "alice",
  username: "alice",
  displayName: "Alice",
  about: "at the beach",
  pictureUrl: "/v1/media/m_1?u=alice",
  createdAt: new Date(0).toISOString(),
};

describe("profile visibility", () => {
  it.each([
    ["everyone", false, true],
    ["everyone", true, true],
    ["contacts", true, true],
    ["contacts", false, false],
    ["nobody", true, false],
  ] as const)("%s, viewer is a contact: %s → details shown: %s", (visibility, isContact, shown) => {
    const seen = profileAsSeenBy(alice, visibility, { id: "bob", isContact });
    expect(seen.displayName).toBe("Alice");
    expect(seen.username).toBe("alice");
    expect(seen.about !== "" && seen.pictureUrl !== null).toBe(shown);
    expect(seen.about === "" && seen.pictureUrl === null).toBe(!shown);
  });

  it("always shows alice her own profile", () => {
    expect(profileAsSeenBy(alice, "nobody", { id: "alice", isContact: false })).toEqual(alice);
  });

  it("orders delivered versions: shown beats hidden of the same version, any newer version beats both", () => {
    const now = Date.now() * 1000; // µs, as Postgres versions are
    expect(deliveredProfileVersion(now, true)).toBeGreaterThan(deliveredProfileVersion(now, false));
    expect(deliveredProfileVersion(now + 1, false)).toBeGreaterThan(deliveredProfileVersion(now, true));
    expect(Number.isSafeInteger(deliveredProfileVersion(now, true))).toBe(true);
  });
});
