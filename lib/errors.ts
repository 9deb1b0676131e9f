/**
 * Errors are values with stable codes. Throw `new AppError(code, message)` anywhere in a request;
 * `errorResponse` renders `{ error: { code, message, requestId } }` with the code's HTTP status.
 * Anything else becomes `internal` without details (never a stack trace on the wire).
 */
import { ERROR_CODES, type ErrorBody, type ErrorCode } from "../client/sdk/protocol/index.ts";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds until a retry may succeed; sent as `Retry-After` (429, and 503 `unavailable`). */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options?: { retryAfter?: number }) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CODES[code];
    this.retryAfter = options?.retryAfter;
  }
}

/** Recognises our errors; Durable Objects return errors as `Result` values instead (workers/lib/result.ts). */
export function asAppError(err: unknown): AppError | null {
  return err instanceof AppError ? err : null;
}

export function errorBody(code: ErrorCode, message: string, requestId?: string): ErrorBody {
  return { error: { code, message, ...(requestId ? { requestId } : {}) } };
}

export function errorResponse(err: unknown, requestId?: string): Response {
  const app = asAppError(err);
  const code: ErrorCode = app?.code ?? "internal";
  const message = app?.message ?? "internal error";
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  // Whole seconds, at least 1: the header takes delta-seconds only (RFC 9110 §10.2.3).
  if (app?.retryAfter !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(app.retryAfter)));
  return new Response(JSON.stringify(errorBody(code, message, requestId)), { status: ERROR_CODES[code], headers });
}
