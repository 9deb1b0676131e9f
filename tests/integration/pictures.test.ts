/**
 * Profile and group pictures: visible to whom they should be, and nobody can publish someone else's
 * media as their picture.
 */
import { inject, describe, expect, it } from "vitest";
import { mp4, png } from "../fixtures/media-files.ts";
import { person, type Person } from "./people.ts";

async function fetchAs(p: Person, url: string): Promise<number> {
  const res = await fetch(`${inject("baseUrl")}${url}`, { headers: { authorization: `Bearer ${p.client.api.token}` } });
  await res.arrayBuffer();
  return res.status;
}

describe("pictures", () => {
  it("shows alice's profile picture to any signed-in user", async () => {
    const alice = await person("alice");
    const stranger = await person("stranger");
    const media = await alice.client.api.uploadMedia(png(), "image/png");
    const me = await alice.client.api.updateMe({ pictureMediaId: media.id });
    expect(me.pictureUrl).toContain(media.id);
    const seen = await stranger.client.api.user(alice.id);
    expect(await fetchAs(stranger, seen.pictureUrl!)).toBe(200);
    // Naming another user in the hint does not open the media.
    expect(await fetchAs(stranger, `/v1/media/${media.id}?u=${stranger.id}`)).toBe(404);
  });

  it("refuses mallory setting alice's private media as her own picture", async () => {
    const alice = await person("alice");
    const mallory = await person("mallory");
    const media = await alice.client.api.uploadMedia(png(), "image/png");
    await expect(mallory.client.api.updateMe({ pictureMediaId: media.id })).rejects.toMatchObject({
      status: 404,
      code: "not_found",
    });
    expect(await fetchAs(mallory, `/v1/media/${media.id}?u=${mallory.id}`)).toBe(404);
    const video = await alice.client.api.uploadMedia(mp4(), "video/mp4");
    await expect(alice.client.api.updateMe({ pictureMediaId: video.id })).rejects.toMatchObject({
      code: "invalid_request",
    });
  });

  it("shows a group's picture to its members only", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const mallory = await person("mallory");
    const group = await alice.client.api.createGroup("Hikers", [bob.id]);
    const media = await alice.client.api.uploadMedia(png(), "image/png");
    const updated = await alice.client.api.updateGroup(group.id, { pictureMediaId: media.id });
    expect(await fetchAs(bob, updated.pictureUrl!)).toBe(200);
    expect(await fetchAs(mallory, updated.pictureUrl!)).toBe(404);
  });
});
