/**
 * Every error code the API and the WebSocket protocol can produce, with its HTTP status.
 * REST answers `{ error: { code, message, requestId } }`; WebSocket answers an `error` frame with the
 * same code. Codes are stable: clients switch on them, never on messages.
 */
import type { z } from "zod";

export const ERROR_CODES = {
  invalid_request: 400,
  invalid_json: 400,
  weak_password: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  /** The caller blocked the person they are writing to: unblock first (README "Blocking"). */
  blocked: 403,
  not_found: 404,
  username_taken: 409,
  group_full: 409,
  /** Pinning a fourth chat: unpin one first (MAX_PINNED_CHATS). */
  too_many_pinned: 409,
  conflict: 409,
  payload_too_large: 413,
  message_too_large: 413,
  media_too_large: 413,
  frame_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * A schema check that fails with a code other than `invalid_request` says so in its issue's
 * `params` (`{ params: { code: "message_too_large" } }` on a refinement); `validationError` reads it.
 */
export interface IssueParams {
  code?: ErrorCode;
}

/**
 * The error for a failed `safeParse` of client input: the code of the first issue that names one in
 * its `params` (else `invalid_request`) and a message naming where that issue is. REST validation
 * (workers/lib/validate.ts) and the WebSocket frame parser both use it, so a too-long text is
 * `message_too_large` and too many group members `group_full` whichever way they arrive.
 */
export function validationError(error: z.core.$ZodError): { code: ErrorCode; message: string } {
  let code: ErrorCode = "invalid_request";
  let issue = error.issues[0];
  for (const candidate of error.issues) {
    const named = candidate.code === "custom" ? codeIn(candidate.params) : undefined;
    if (named !== undefined) {
      [code, issue] = [named, candidate];
      break;
    }
  }
  if (!issue) return { code, message: "invalid input" };
  const path = issue.path.length > 0 ? issue.path.join(".") : "body";
  const message =
    issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : `${path}: ${issue.message}`;
  return { code, message };
}

function codeIn(params: unknown): ErrorCode | undefined {
  const code = (params as IssueParams | undefined)?.code;
  return code !== undefined && Object.hasOwn(ERROR_CODES, code) ? code : undefined;
}

/** The JSON body of every REST error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string };
}

/** WebSocket close codes the server uses; 4000–4999 is the application range. */
export const CLOSE_CODES = {
  /** Token expired or session revoked: log in again, do not reconnect with the same token. */
  unauthorized: 4001,
  /** The client speaks a protocol version the server no longer accepts. */
  unsupportedVersion: 4002,
  /** Too many protocol violations on this socket. */
  policyViolation: 1008,
  /** The server is going away (deploy, eviction); reconnect with backoff and resume. */
  goingAway: 1001,
  /**
   * The user opened more sockets (or devices) than MAX_SOCKETS_PER_USER / MAX_DEVICES_PER_USER: this,
   * the oldest, was closed to make room. Do not reconnect on your own; the newer one is in use.
   */
  replaced: 4003,
} as const;
