/**
 * Durable Object RPC methods return `Result`s instead of throwing: an exception crossing RPC keeps
 * only its message, while a value keeps the stable error code. `unwrap` turns a failed result back
 * into an AppError inside the Worker.
 */
import type { ErrorCode } from "../client/sdk/protocol/index.ts";
import { AppError } from "./errors.ts";

/** A failure: its stable code, a message for people, and for `rate_limited` when to retry (s). */
export interface Failure {
  code: ErrorCode;
  message: string;
  retryAfter?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(code: ErrorCode, message: string, retryAfter?: number): Result<T> => ({
  ok: false,
  error: retryAfter === undefined ? { code, message } : { code, message, retryAfter },
});

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const { code, message, retryAfter } = result.error;
  throw new AppError(code, message, retryAfter === undefined ? undefined : { retryAfter });
}
