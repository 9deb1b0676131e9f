/**
 * Presence in Redis: the cheap, global read model of every hub's online state, so a contact list of
 * 200 people is one MGET. The hub stays the source of truth: a missing or unreadable entry is asked
 * of the hub itself, and Redis being down only costs speed.
 */
import type { Redis } from "@upstash/redis/cloudflare";
import { isVisibility, PRESENCE_CACHE_TTL_SECONDS, type PresenceRecord } from "../../lib/presence.ts";

const key = (userId: string) => `presence:v1:${userId}`;

export async function writePresence(redis: Redis, userId: string, record: PresenceRecord): Promise<void> {
  await redis.set(key(userId), JSON.stringify(record), { ex: PRESENCE_CACHE_TTL_SECONDS });
}

/** Entries found in Redis, by user id; ids missing from the map must be asked of their hubs. */
export async function readPresence(redis: Redis, userIds: readonly string[]): Promise<Map<string, PresenceRecord>> {
  const found = new Map<string, PresenceRecord>();
  if (userIds.length === 0) return found;
  const values = await redis.mget<unknown[]>(...userIds.map(key));
  values.forEach((value, i) => {
    const record = parseRecord(value);
    const id = userIds[i];
    if (record && id) found.set(id, record);
  });
  return found;
}

function parseRecord(value: unknown): PresenceRecord | null {
  const raw = typeof value === "string" ? safeJson(value) : value;
  if (!raw || typeof raw !== "object") return null;
  const { online, lastSeenAt, visibility } = raw as Record<string, unknown>;
  if (typeof online !== "boolean" || !isVisibility(visibility)) return null;
  if (lastSeenAt !== null && typeof lastSeenAt !== "number") return null;
  return { online, lastSeenAt, visibility };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
