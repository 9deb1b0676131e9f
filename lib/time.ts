/** Storage keeps epoch milliseconds; the wire carries ISO-8601 UTC strings. */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : iso(ms));
