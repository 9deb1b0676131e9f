/**
 * Conditional and partial GETs (RFC 9110 §13–14), as pure functions so they are tested without a
 * runtime: which byte range a `Range` header asks for, and whether an ETag list matches.
 */

/** One satisfiable byte range, `"unsatisfiable"` (416), or null to serve the whole file. */
export type RangeRequest = { offset: number; length: number } | "unsatisfiable" | null;

/**
 * Parses a `Range` header for a file of `size` bytes (RFC 9110 §14): `bytes=a-b`, `bytes=a-`,
 * `bytes=-n`. Malformed or multi-range headers are ignored (null), as the RFC allows.
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  if (header === null) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const offset = Number(first);
  const end = last === "" ? Infinity : Number(last);
  if (end < offset) return null;
  if (offset >= size) return "unsatisfiable";
  return { offset, length: Math.min(end, size - 1) - offset + 1 };
}

/** Whether an `If-None-Match` / `If-Range` list names `etag` (weak comparison, `*` matches). */
export function etagMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === etag;
  });
}
