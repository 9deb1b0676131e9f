/**
 * Tells a dependency that is briefly unavailable (Postgres out of connections, restarting or
 * unreachable; a dropped socket) from a bug. The first is 503 `unavailable` with `Retry-After`, which
 * clients retry; only the second is 500 `internal`.
 */
import { AppError } from "./errors.ts";

/** Postgres SQLSTATEs that mean "try again": too many connections, shutting down, connection lost. */
const TRANSIENT_SQLSTATES = new Set([
  "53300",
  "53400",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);
const TRANSIENT_MESSAGE =
  /too many clients|connection terminated|network connection lost|econnrefused|econnreset|fetch failed|socket hang up|timed? ?out/i;

export function isTransientDependencyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && TRANSIENT_SQLSTATES.has(code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return (
    TRANSIENT_MESSAGE.test(error.message) ||
    (cause !== undefined && cause !== error && isTransientDependencyError(cause))
  );
}

/**
 * Postgres SQLSTATE classes that refuse the data itself, for good: 22 data exception (a NUL in
 * text, a value out of range), 23 integrity constraint violation, 54 program limit exceeded.
 * Retrying the same row can never succeed; a queue sets such a row aside instead.
 */
const REFUSAL_SQLSTATE = /^(22|23|54)[0-9A-Z]{3}$/;

export function isRefusedByDatabase(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && REFUSAL_SQLSTATE.test(code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isRefusedByDatabase(cause);
}

/** The error to answer with: transient dependency failures become 503 `unavailable` (retry in 1 s). */
export function asServiceError(error: unknown): unknown {
  if (error instanceof AppError || !isTransientDependencyError(error)) return error;
  return new AppError("unavailable", "a dependency is temporarily unavailable, retry", { retryAfter: 1 });
}
