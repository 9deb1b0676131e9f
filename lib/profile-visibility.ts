/**
 * Who sees a user's profile picture and about (README "Privacy"), kept pure: everyone, the people
 * they have a direct chat with ("contacts", as for presence), or nobody. The name and username are
 * always shown: they are how people find and recognise each other. Hidden looks like "no picture,
 * no about", exactly what a user who set none shows, so the setting itself is not revealed.
 */
import type { User } from "../client/sdk/protocol/index.ts";

export const ProfileVisibility = ["everyone", "contacts", "nobody"] as const;
export type ProfileVisibility = (typeof ProfileVisibility)[number];

/** Whether a viewer (not the owner) may see the picture and about. */
export function profileShown(visibility: ProfileVisibility, viewerIsContact: boolean): boolean {
  return visibility === "everyone" || (visibility === "contacts" && viewerIsContact);
}

/** The profile with picture and about removed. */
export function hideProfileDetails(user: User): User {
  return { ...user, about: "", pictureUrl: null };
}

/** `user` as `viewer` may see it. */
export function profileAsSeenBy(
  user: User,
  visibility: ProfileVisibility,
  viewer: { id: string; isContact: boolean },
): User {
  if (viewer.id === user.id || profileShown(visibility, viewer.isContact)) return user;
  return hideProfileDetails(user);
}

/**
 * The version a peer's hub receives for a profile (hubs keep the highest, durable-objects/user-hub/
 * profiles.ts). Doubled, plus one when the details are shown: a peer who held the hidden copy of a
 * version and then became a contact takes the shown copy of the same version, and any later version
 * beats both. µs since 1970 doubled stay far below 2^53.
 */
export function deliveredProfileVersion(version: number, shown: boolean): number {
  return version * 2 + (shown ? 1 : 0);
}

export function isProfileVisibility(value: unknown): value is ProfileVisibility {
  return typeof value === "string" && (ProfileVisibility as readonly string[]).includes(value);
}
