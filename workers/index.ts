/**
 * The Worker: a route table. Guards first, resources as sub-apps, `notFound` last. It also exports
 * both Durable Object classes so one `wrangler deploy` ships the whole product.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { MAX_JSON_BODY_BYTES } from "../client/sdk/protocol/index.ts";
import type { AppEnv } from "./env.ts";
import { AppError, errorResponse } from "./lib/errors.ts";
import { asServiceError } from "./lib/transient.ts";
import { requestContext } from "./middleware/request-context.ts";
import { applyRateLimits } from "./middleware/rate-limit.ts";
import { cors } from "./middleware/security.ts";
import { errorSummary } from "./lib/log.ts";
import { authRoutes } from "./routes/auth.ts";
import { profileRoutes } from "./routes/profiles.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { realtimeRoutes } from "./routes/realtime.ts";
import { presenceRoutes } from "./routes/presence.ts";
import { healthRoutes } from "./routes/health.ts";
import { mediaRoutes } from "./routes/media.ts";
import { pushRoutes } from "./routes/push.ts";
import { scheduled } from "./jobs/media-sweep.ts";

const app = new Hono<AppEnv>();

app.use("*", requestContext);
app.use("/v1/*", cors);
app.use("/health", cors);
// JSON bodies are small; uploads (POST /v1/media) stream and enforce their own limit.
app.use("/v1/*", async (c, next) => {
  if (c.req.path.startsWith("/v1/media")) return next();
  return bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: () => {
      throw new AppError("payload_too_large", `body over ${MAX_JSON_BODY_BYTES} bytes`);
    },
  })(c, next);
});

// Rate limits (429 + Retry-After) per route, before the routes: workers/lib/rate-limits.ts.
applyRateLimits(app);

app.route("/", healthRoutes);
app.route("/v1/auth", authRoutes);
app.route("/v1", profileRoutes);
app.route("/v1/conversations", conversationRoutes);
app.route("/v1", realtimeRoutes);
app.route("/v1", presenceRoutes);
app.route("/v1/media", mediaRoutes);
app.route("/v1", pushRoutes); // /push/*, /conversations/:id/mute, /me/notifications (issue 8)

app.notFound((c) => errorResponse(new AppError("not_found", "no such route"), c.get("requestId")));
app.onError((error, c) => {
  // Hono's JSON parser throws a 400 HTTPException for a body that is not JSON.
  if (error instanceof HTTPException && error.status === 400) {
    return errorResponse(new AppError("invalid_json", "body is not valid JSON"), c.get("requestId"));
  }
  if (!(error instanceof AppError) || error.status >= 500) {
    console.error(
      JSON.stringify({
        level: "error",
        requestId: c.get("requestId"),
        path: c.req.routePath,
        error: errorSummary(error),
      }),
    );
  }
  return errorResponse(asServiceError(error), c.get("requestId"));
});

export type AppType = typeof app;
// The default export stays the Hono app (tests list its routes) with the Cron Trigger's handler
// attached: the runtime looks up `fetch` and `scheduled` on whatever the module exports.
export default Object.assign(app, { scheduled });
export { ConversationDO } from "../durable-objects/conversation/ConversationDO.ts";
export { UserHubDO } from "../durable-objects/user-hub/UserHubDO.ts";
