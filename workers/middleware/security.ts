/**
 * Browser-facing hardening for REST: CORS with an explicit allowlist (never `*`) and the security
 * headers every answer carries (README "Security", OWASP API8).
 *
 * Origins: the API's own origin is always allowed; others only when listed in `ALLOWED_ORIGINS`
 * (comma-separated, exact `scheme://host[:port]`). A request from an unlisted origin still reaches
 * the route (CORS is enforced by the browser), but gets no `Access-Control-Allow-Origin`, so a
 * foreign page cannot read the answer; a preflight from it is refused with 403. The WebSocket
 * upgrade, which CORS does not cover, checks the same list itself (`originAllowed`).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

/** One year, with subdomains: the API is HTTPS-only on the edge (local http ignores HSTS). */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";
/** JSON APIs render nothing: no sources, no framing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The configured allowlist, normalised (lower case, no trailing slash). */
export function allowedOrigins(env: Pick<Env, "ALLOWED_ORIGINS">): Set<string> {
  return new Set(
    (env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim().toLowerCase().replace(/\/+$/, ""))
      .filter((o) => o.length > 0),
  );
}

/** Whether a browser `Origin` may talk to us: same origin as `requestUrl`, or listed. */
export function originAllowed(env: Pick<Env, "ALLOWED_ORIGINS">, origin: string, requestUrl: string): boolean {
  const normalised = origin.trim().toLowerCase();
  if (normalised === new URL(requestUrl).origin.toLowerCase()) return true;
  return allowedOrigins(env).has(normalised);
}

/**
 * What every Worker answer may be cached as unless it says otherwise: nothing, anywhere. JSON answers
 * are per user (a profile, a chat list, a token) and must not outlive the request in a browser or a
 * shared cache. Media downloads set their own `private` policy and keep it.
 */
export const DEFAULT_CACHE_CONTROL = "no-store";

/** Sets the security headers on a mutable response (not on a 101 upgrade). */
export function setSecurityHeaders(headers: Headers): void {
  headers.set("strict-transport-security", HSTS_VALUE);
  headers.set("x-content-type-options", "nosniff");
  headers.set("x-frame-options", "DENY");
  headers.set("referrer-policy", "no-referrer");
  // Media downloads set their own, stricter policy (sandbox); keep it.
  if (!headers.has("content-security-policy")) headers.set("content-security-policy", API_CSP);
  headers.set("cross-origin-resource-policy", "same-site");
  if (!headers.has("cache-control")) headers.set("cache-control", DEFAULT_CACHE_CONTROL);
}

/**
 * Runs `edit` on the answer's headers. Answers passed through from `fetch` or a Durable Object have
 * immutable headers; those are copied into a new Response once, then edited.
 */
export function editHeaders(c: Context<AppEnv>, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch {
    c.res = new Response(c.res.body, c.res);
    edit(c.res.headers);
  }
}

/** CORS for `/v1/*` and `/health`: preflights answered here, allowed origins echoed, never `*`. */
export const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("origin");
  const allowed = origin !== undefined && originAllowed(c.env, origin, c.req.url);
  if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
    if (!allowed) return c.body(null, 403);
    const headers = new Headers({
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
      "access-control-allow-headers": "authorization, content-type, x-thumbnail",
      "access-control-max-age": String(PREFLIGHT_MAX_AGE_SECONDS),
      vary: "Origin",
    });
    setSecurityHeaders(headers);
    return new Response(null, { status: 204, headers });
  }
  await next();
  if (c.res.status === 101) return;
  editHeaders(c, (headers) => {
    headers.append("vary", "Origin");
    if (allowed) {
      headers.set("access-control-allow-origin", origin);
      headers.set("access-control-expose-headers", "retry-after, x-request-id");
    }
  });
};
