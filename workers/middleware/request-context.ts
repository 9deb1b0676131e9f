/**
 * Gives every request an id (echoed as `x-request-id` and in error bodies) and sets the security
 * headers every answer carries (workers/middleware/security.ts). One structured JSON log line per
 * refused or failed request (status ≥ 400) — id, method, route template, status, duration — never
 * bodies, queries or tokens.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { editHeaders, setSecurityHeaders } from "./security.ts";
import { log } from "../../lib/log.ts";

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  const started = Date.now();
  await next();
  // A 101 upgrade answer has immutable headers.
  if (c.res.status === 101) return;
  editHeaders(c, (headers) => {
    headers.set("x-request-id", requestId);
    setSecurityHeaders(headers);
  });
  // Successes are in the platform's invocation logs already; refusals and failures get our line.
  if (c.res.status < 400) return;
  // The route template (`/v1/conversations/:id`), never the raw URL: no ids, queries or tokens in logs.
  log(c.res.status >= 500 ? "error" : "warn", "request refused", {
    requestId,
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    ms: Date.now() - started,
  });
};
