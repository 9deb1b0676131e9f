/**
 * How many rows the objects' queues have set aside (a row Postgres refuses for good, README
 * "Layers"): one Redis counter per queue, for `GET /health/ready`. The rows themselves stay in each
 * conversation's `dead_letters` table with their error. Best effort, like everything in Redis.
 */
import type { Redis } from "@upstash/redis/cloudflare";

export const DEAD_LETTER_QUEUES = ["archive", "media", "fanout", "profile", "deletion"] as const;
export type DeadLetterQueue = (typeof DEAD_LETTER_QUEUES)[number];

const key = (queue: DeadLetterQueue) => `deadletters:v1:${queue}`;

export async function countDeadLetter(redis: Redis, queue: DeadLetterQueue): Promise<void> {
  await redis.incr(key(queue));
}

export async function readDeadLetters(redis: Redis): Promise<Record<DeadLetterQueue, number>> {
  const values = await redis.mget<(number | string | null)[]>(...DEAD_LETTER_QUEUES.map(key));
  return Object.fromEntries(DEAD_LETTER_QUEUES.map((q, i) => [q, Number(values[i] ?? 0) || 0])) as Record<
    DeadLetterQueue,
    number
  >;
}
