/**
 * The Worker: a route table. Guards first, resources as sub-apps, `notFound` last. It also exports
 * both Durable Object classes so one `wrangler deploy` ships the whole product.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { MAX_JSON_BODY_BYTES } from "../client/sdk/protocol/index.ts";
import type { AppEnv } from "./env.ts";
import { AppError, errorResponse } from "../lib/errors.ts";
import { asServiceError } from "../lib/transient.ts";
import { requestContext } from "./middleware/request-context.ts";
import { cors } from "./middleware/security.ts";
import { log } from "../lib/log.ts";
import { authRoutes } from "./routes/auth.ts";
import { profileRoutes } from "./routes/profiles.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { messageExtraRoutes } from "./routes/message-extras.ts";
import { realtimeRoutes } from "./routes/realtime.ts";
import { presenceRoutes } from "./routes/presence.ts";
import { healthRoutes } from "./routes/health.ts";
import { mediaRoutes } from "./routes/media.ts";
import { uploadRoutes } from "./routes/uploads.ts";
import { pushRoutes } from "./routes/push.ts";
import { configRoutes } from "./routes/config.ts";
import { blockRoutes } from "./routes/blocks.ts";
import { inviteRoutes } from "./routes/invites.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { accountRoutes } from "./routes/account.ts";
import { reportRoutes } from "./routes/reports.ts";
import { dataExportRoutes } from "./routes/data-export.ts";
import { chatStateRoutes } from "./routes/chat-state.ts";
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

// Rate limits (429 + Retry-After) are in each limited route's own chain: README "Rate limits".
// Each sub-app registers full paths from the protocol's ROUTES table (README "REST API").
app.route("/", healthRoutes);
app.route("/", authRoutes);
app.route("/", profileRoutes);
app.route("/", conversationRoutes);
app.route("/", messageExtraRoutes);
app.route("/", realtimeRoutes);
app.route("/", presenceRoutes);
app.route("/", uploadRoutes);
app.route("/", mediaRoutes);
app.route("/", configRoutes);
app.route("/", pushRoutes);
app.route("/", blockRoutes);
app.route("/", inviteRoutes);
app.route("/", sessionRoutes);
app.route("/", accountRoutes);
app.route("/", reportRoutes);
app.route("/", dataExportRoutes);
app.route("/", chatStateRoutes);

app.notFound((c) => errorResponse(new AppError("not_found", "no such route"), c.get("requestId")));
app.onError((error, c) => {
  // Hono's JSON parser throws a 400 HTTPException for a body that is not JSON.
  if (error instanceof HTTPException && error.status === 400) {
    return errorResponse(new AppError("invalid_json", "body is not valid JSON"), c.get("requestId"));
  }
  if (!(error instanceof AppError) || error.status >= 500) {
    log("error", "request failed", { requestId: c.get("requestId"), path: c.req.routePath, error });
  }
  return errorResponse(asServiceError(error), c.get("requestId"));
});

// The default export stays the Hono app (tests list its routes) with the Cron Trigger's handler
// attached: the runtime looks up `fetch` and `scheduled` on whatever the module exports.
export default Object.assign(app, { scheduled });
export { ConversationDO } from "../durable-objects/conversation/ConversationDO.ts";
export { UserHubDO } from "../durable-objects/user-hub/UserHubDO.ts";
