/** Runs `fn` over `items` with at most `limit` in flight; never rejects (errors are the callee's job). */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Exponential backoff with full jitter, in ms: attempt 1 → ~0.5 s … capped at `capMs`. */
export function backoffMs(attempt: number, capMs = 60_000): number {
  const base = Math.min(capMs, 500 * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base / 2 + Math.random() * (base / 2));
}
