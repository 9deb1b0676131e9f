/**
 * Keeps one bad item from wedging a queue. A batch is applied as a whole; if the dependency refuses
 * it for a reason retrying cannot fix (`isRefusal`: Postgres rejects a value), the batch is split
 * in halves until the refused items stand alone, and those are handed to `setAside` (a dead-letter
 * row) while everything else is applied. Any other failure (the dependency is down, a timeout) is
 * thrown to the caller, whose drain loop retries the whole pass later.
 */
import { isRefusedByDatabase } from "../../lib/transient.ts";

export async function applyIsolating<T>(
  items: readonly T[],
  apply: (batch: readonly T[]) => Promise<void>,
  setAside: (item: T, error: unknown) => void,
  isRefusal: (error: unknown) => boolean = isRefusedByDatabase,
): Promise<void> {
  if (items.length === 0) return;
  try {
    await apply(items);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    if (items.length === 1) return setAside(items[0] as T, error);
    const mid = items.length >> 1;
    await applyIsolating(items.slice(0, mid), apply, setAside, isRefusal);
    await applyIsolating(items.slice(mid), apply, setAside, isRefusal);
  }
}

/**
 * An object that refused the same items this many times in a row (its own code threw on them, not
 * the platform) gets them one by one, and what it still refuses is set aside as a dead letter: one
 * poisoned item never stalls a queue or grows it forever.
 */
export const REFUSALS_BEFORE_ISOLATING = 3;

/**
 * The called object's own code threw (a bug or a poisoned item), as opposed to the platform failing
 * the call (overloaded, reset, unreachable: `retryable`/`overloaded`), which is only ever retried.
 */
export function isRefusedByHub(error: unknown): boolean {
  const e = error as { remote?: unknown; retryable?: unknown; overloaded?: unknown } | null;
  return typeof e === "object" && e !== null && e.remote === true && !e.retryable && !e.overloaded;
}
