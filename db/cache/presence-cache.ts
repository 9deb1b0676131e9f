/**
 * Presence in Redis: the cheap, global read model of every hub's online state, so a contact list of
 * 200 people is one MGET. The hub stays the source of truth: a missing or unreadable entry is asked
 * of the hub itself, and Redis being down only costs speed.
 */
import type { Redis } from "@upstash/redis/cloudflare";
import { z } from "zod";
import { PRESENCE_CACHE_TTL_SECONDS, PresenceVisibility, type PresenceRecord } from "../../lib/presence.ts";

/** An entry as written by `writePresence`; anything else (an older shape, a stray value) is a miss. */
const PresenceEntry = z.object({
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
  visibility: z.enum(PresenceVisibility),
}) satisfies z.ZodType<PresenceRecord>;

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
    const record = parsePresenceEntry(value);
    const id = userIds[i];
    if (record && id) found.set(id, record);
  });
  return found;
}

/** The client hands back JSON it recognises already parsed, anything else as a string. */
export function parsePresenceEntry(value: unknown): PresenceRecord | null {
  const parsed = PresenceEntry.safeParse(typeof value === "string" ? safeJson(value) : value);
  return parsed.success ? parsed.data : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
