/**
 * One Web Push request (RFC 8030 §5): encrypt, sign, POST, and classify the answer so the hub knows
 * what to do next. It never throws for a push service's answer or a network failure.
 *
 * 201 (or any 2xx) → sent. 404/410 → the subscription is gone for good: delete it. 429 and 5xx (and
 * network errors) → retry later, no earlier than `Retry-After`. Other 4xx (400 bad request, 403 key
 * mismatch, 413 too large) → this message will never be accepted: drop it.
 */
import { fromBase64Url, toBase64Url } from "../bytes.ts";
import { encryptPayload } from "./encrypt.ts";
import type { VapidKeys } from "./keys.ts";
import { vapidAuthorization } from "./vapid.ts";

/** How long one request may take before we count it as a network failure. */
const REQUEST_TIMEOUT_MS = 10_000;

/** A stored subscription: endpoint plus the browser's keys (base64url, as registered). */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** RFC 8030 §5.3. */
export type Urgency = "very-low" | "low" | "normal" | "high";

export interface PushOptions {
  /** Seconds the push service keeps an undeliverable message (RFC 8030 §5.2). */
  ttlSeconds: number;
  urgency: Urgency;
  /** Coalescing key: a queued message with the same topic is replaced (≤ 32 base64url chars). */
  topic?: string;
  /** For tests. */
  fetcher?: typeof fetch;
}

export type PushOutcome =
  | { kind: "sent"; status: number }
  | { kind: "gone"; status: number }
  | { kind: "retry"; status: number; retryAfterMs: number | null }
  | { kind: "rejected"; status: number };

/** `Retry-After` as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** A Topic for a conversation: the id can be longer than 32 chars or reveal structure, so hash it. */
export async function topicFor(conversationId: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(conversationId));
  return toBase64Url(new Uint8Array(digest)).slice(0, 32);
}

/** Classifies a push service's status code (exported for tests). */
export function classify(status: number, retryAfter: string | null): PushOutcome {
  if (status >= 200 && status < 300) return { kind: "sent", status };
  if (status === 404 || status === 410) return { kind: "gone", status };
  if (status === 429 || status >= 500) return { kind: "retry", status, retryAfterMs: parseRetryAfter(retryAfter) };
  return { kind: "rejected", status };
}

/** Encrypts `payload` for `target` and POSTs it. Keys that do not decode count as `gone`. */
export async function sendWebPush(
  target: PushTarget,
  payload: string,
  vapid: VapidKeys,
  options: PushOptions,
): Promise<PushOutcome> {
  const uaPublic = fromBase64Url(target.p256dh.replace(/=+$/, ""));
  const auth = fromBase64Url(target.auth.replace(/=+$/, ""));
  if (!uaPublic || uaPublic.length !== 65 || !auth || auth.length !== 16) return { kind: "gone", status: 0 };
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await encryptPayload(new TextEncoder().encode(payload), uaPublic, auth);
  } catch {
    return { kind: "gone", status: 0 }; // not a point on the curve: this subscription can never work
  }
  const headers: Record<string, string> = {
    authorization: await vapidAuthorization(vapid, target.endpoint),
    "content-encoding": "aes128gcm",
    "content-type": "application/octet-stream",
    ttl: String(options.ttlSeconds),
    urgency: options.urgency,
  };
  if (options.topic) headers.topic = options.topic;
  try {
    const response = await (options.fetcher ?? fetch)(target.endpoint, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => undefined);
    return classify(response.status, response.headers.get("retry-after"));
  } catch {
    return { kind: "retry", status: 0, retryAfterMs: null };
  }
}
