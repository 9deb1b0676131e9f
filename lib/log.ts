/**
 * The one structured log helper: every log line is one JSON object with a level and a message,
 * written through here. Lines carry ids, sizes and codes, never bodies, tokens, passwords or query
 * parameters (README "Security"). Thrown values are the risk: a failed Drizzle query's message lists
 * the query's parameters (password hashes, message text), so a field named `error` is always
 * reduced to `errorSummary` — callers cannot log a raw driver error by accident.
 */

/** Longest error text a log line carries. */
const MAX_ERROR_CHARS = 200;

export type LogLevel = "info" | "warn" | "error";
/** Plain values only; `error` may be anything thrown and is summarised. */
export type LogFields = { error?: unknown } & Record<string, unknown>;

/** A log-safe one-line summary of any thrown value: its name and the start of its message. */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const message = error.message.split(/\bparams:/i)[0]?.split("\n")[0] ?? "";
  return `${error.name}: ${message}`.slice(0, MAX_ERROR_CHARS);
}

/** Writes one structured line. Errors go to stderr so platforms colour and alert on them. */
export function log(level: LogLevel, msg: string, fields: LogFields = {}): void {
  const { error, ...rest } = fields;
  const line = JSON.stringify({ level, msg, ...rest, ...(error === undefined ? {} : { error: errorSummary(error) }) });
  if (level === "error") console.error(line);
  else console.log(line);
}
