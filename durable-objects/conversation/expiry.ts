/**
 * When disappearing messages go, as pure arithmetic (no storage, no clock): each message's deadline
 * from the chat's timer, the earliest of several deadlines, and when the object's alarm must ring
 * for them. The store keeps the earliest deadline in memory; the object asks here what to schedule.
 */

/**
 * When a message sent at `sentAt` (ms) disappears: `timerSeconds` later, or `testSeconds` later on a
 * test stack (lib/config.ts `disappearingTestSeconds`). Null when the timer is off.
 */
export function expiresAt(sentAt: number, timerSeconds: number, testSeconds: number | null = null): number | null {
  if (timerSeconds <= 0) return null;
  return sentAt + (testSeconds ?? timerSeconds) * 1000;
}

/** The earlier of two deadlines, either of which may be absent. */
export function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * When the alarm must ring for the next deadline `next`: at it (a deadline already past rings now),
 * or not at all (null) when nothing is waiting.
 */
export function expiryAlarm(next: number | null, now: number): number | null {
  if (next === null) return null;
  return Math.max(next, now);
}

/** Whether a message with deadline `at` is gone at `now` (at the deadline itself it is). */
export function isExpired(at: number | null, now: number): boolean {
  return at !== null && at <= now;
}
