/**
 * Presence and its privacy rule, kept pure. A user is online while any of their devices holds a
 * socket; last seen is when the last one closed (after a short grace, so a reconnect does not
 * flap). Who may see it is the user's choice: everyone, people they chat with, or nobody.
 */
import type { Presence } from "../client/sdk/protocol/index.ts";

export const PresenceVisibility = ["everyone", "contacts", "nobody"] as const;
export type PresenceVisibility = (typeof PresenceVisibility)[number];

/** A reconnect within this time keeps the user online without telling anyone. */
export const OFFLINE_GRACE_MS = 5_000;
/** Redis copies of an online state expire unless refreshed, so a lost close never pins "online". */
export const PRESENCE_CACHE_TTL_SECONDS = 600;

export interface PresenceRecord {
  online: boolean;
  lastSeenAt: number | null;
  visibility: PresenceVisibility;
}

/** What `viewer` may see of `userId`'s presence. Hidden looks like "offline, never seen". */
export function presenceAsSeenBy(
  userId: string,
  record: PresenceRecord,
  viewer: { id: string; isContact: boolean },
): Presence {
  const visible =
    viewer.id === userId || record.visibility === "everyone" || (record.visibility === "contacts" && viewer.isContact);
  if (!visible) return { userId, online: false, lastSeenAt: null };
  return {
    userId,
    online: record.online,
    lastSeenAt: record.lastSeenAt === null ? null : new Date(record.lastSeenAt).toISOString(),
  };
}

export function isVisibility(value: unknown): value is PresenceVisibility {
  return typeof value === "string" && (PresenceVisibility as readonly string[]).includes(value);
}
