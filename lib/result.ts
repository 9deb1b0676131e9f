/**
 * Durable Object RPC methods return `Result`s instead of throwing: an exception crossing RPC keeps
 * only its message, while a value keeps the stable error code. `unwrap` turns a failed result back
 * into an AppError inside the Worker.
 */
import type { ErrorCode } from "../client/sdk/protocol/index.ts";
import { AppError } from "./errors.ts";

export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
});

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.code, result.error.message);
}
