/**
 * Gives every request an id (echoed as `x-request-id` and in error bodies) and sets the security
 * headers every answer carries. One structured log line per request, without bodies or tokens.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  const started = Date.now();
  await next();
  // A 101 upgrade answer has immutable headers.
  if (c.res.status === 101) return;
  c.header("x-request-id", requestId);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("x-frame-options", "DENY");
  if (c.res.status >= 500) {
    console.log(
      JSON.stringify({
        level: "warn",
        requestId,
        method: c.req.method,
        path: c.req.routePath,
        status: c.res.status,
        ms: Date.now() - started,
      }),
    );
  }
};
