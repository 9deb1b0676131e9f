/**
 * `GET /v1/ws`: the WebSocket upgrade. The Worker authenticates (browsers cannot set headers on a
 * WebSocket, so the token is offered as a subprotocol: `Sec-WebSocket-Protocol: messenger.v1, <token>`),
 * then hands the raw upgrade to the user's hub, addressed by the authenticated id only. Hono's
 * `upgradeWebSocket` is not used: it accepts in the Worker, which is not the hibernation API.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { authenticateToken } from "../middleware/auth.ts";
import { WS_PROTOCOL } from "../../durable-objects/user-hub/UserHubDO.ts";

export const realtimeRoutes = new Hono<AppEnv>().get("/ws", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new AppError("invalid_request", "expected a WebSocket upgrade");
  const offered = (c.req.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const bearer = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
  const token = offered.find((p) => p !== WS_PROTOCOL && p.length > 0) ?? bearer;
  if (!token) throw new AppError("unauthorized", "missing token");
  const { userId, sessionId } = await authenticateToken(c.env, token, (p) => c.executionCtx.waitUntil(p));
  const headers = new Headers(c.req.raw.headers);
  headers.set("x-user-id", userId);
  headers.set("x-session-id", sessionId);
  // Only our own subprotocol travels on: the token must not reach the object or its logs.
  headers.set("sec-websocket-protocol", offered.includes(WS_PROTOCOL) ? WS_PROTOCOL : "");
  headers.delete("authorization");
  return c.env.USER_HUB.getByName(userId).fetch(new Request(c.req.raw.url, { method: "GET", headers }));
});
