/**
 * Durable Object RPC methods return `Result`s instead of throwing: an exception crossing RPC keeps
 * only its message, while a value keeps the stable error code. `unwrap` turns a failed result back
 * into an AppError inside the Worker.
 */
import type { ErrorCode } from "../client/sdk/protocol/index.ts";
import { AppError } from "./errors.ts";

/** A failure as it crosses RPC; `retryAfterSeconds` comes with `rate_limited` (REST `Retry-After`). */
export interface ResultError {
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(
  code: ErrorCode,
  message: string,
  options?: { retryAfterSeconds?: number },
): Result<T> => ({
  ok: false,
  error: {
    code,
    message,
    ...(options?.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
  },
});

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const { code, message, retryAfterSeconds } = result.error;
  throw new AppError(code, message, retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : undefined);
}
