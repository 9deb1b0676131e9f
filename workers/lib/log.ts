/**
 * Structured log helpers. Logs carry ids, sizes and codes, never bodies, tokens, passwords or query
 * parameters (reliability.md §4.3 "Logs"). Driver errors are the risk: a failed Drizzle query's
 * message lists the query's parameters (password hashes, message text), so only the part before
 * them is kept.
 */

/** Longest error text a log line carries. */
const MAX_ERROR_CHARS = 200;

/** A log-safe one-line summary of any thrown value: its name and the start of its message. */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const message = error.message.split(/\bparams:/i)[0]?.split("\n")[0] ?? "";
  return `${error.name}: ${message}`.slice(0, MAX_ERROR_CHARS);
}
