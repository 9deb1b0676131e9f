/**
 * Real time: `POST /v1/ws/ticket` and `GET /v1/ws` (the WebSocket upgrade).
 *
 * The upgrade never carries a long-lived token from a browser. A client first asks for a ticket with
 * its session (`POST /v1/ws/ticket` → `{ticket, expiresAt}`: 30 s, single use, lib/ws-ticket.ts)
 * and offers it as a subprotocol: `Sec-WebSocket-Protocol: messenger.v1, ticket.<ticket>`. Non-browser
 * clients, which can set headers, may instead send `Authorization: Bearer <token>`; a session token
 * offered as a subprotocol is no longer accepted.
 *
 * Browsers always send `Origin` on an upgrade and CORS does not apply to WebSockets, so the Origin is
 * checked here (same origin or `ALLOWED_ORIGINS`, 403 otherwise); a request without Origin is a
 * non-browser client and is not affected. The Worker then hands the raw upgrade to the user's hub,
 * addressed by the authenticated id only; the hub claims the ticket's nonce (single use). Hono's
 * `upgradeWebSocket` is not used: it accepts in the Worker, which is not the hibernation API.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { withUserStore } from "../../db/user-store.ts";
import { AppError } from "../../lib/errors.ts";
import { authSecrets } from "../../lib/tokens.ts";
import { signTicket, verifyTicket } from "../../lib/ws-ticket.ts";
import { authenticateToken, bearerToken, requireUser } from "../middleware/auth.ts";
import { originAllowed } from "../middleware/security.ts";
import { byUser, rateLimit } from "../middleware/rate-limit.ts";
import { WS_CONNECTS_PER_USER } from "../../lib/rate-limits.ts";
import { ROUTES, TICKET_SUBPROTOCOL_PREFIX, WS_SUBPROTOCOL } from "../../client/sdk/protocol/index.ts";

/** Headers only the Worker may set on the request it forwards to a hub. */
const INTERNAL_HEADERS = ["x-user-id", "x-session-id", "x-ticket-nonce", "x-ticket-exp"];
/** Longest `Sec-WebSocket-Protocol` accepted: two protocols, one of them a ticket. */
const MAX_PROTOCOL_HEADER_CHARS = 1024;

export const realtimeRoutes = new Hono<AppEnv>()
  .post(ROUTES.wsTicket.path, rateLimit(WS_CONNECTS_PER_USER, byUser), requireUser, async (c) => {
    const { ticket, claims } = await signTicket(authSecrets(c.env), {
      sub: c.get("userId"),
      sid: c.get("sessionId"),
      origin: c.req.header("origin")?.toLowerCase() ?? null,
    });
    // The devices list shows when each session last connected (best effort, after the answer).
    c.executionCtx.waitUntil(
      withUserStore(c.env, (store) => store.touchSession(c.get("userId"), c.get("sessionId"))).catch(() => undefined),
    );
    c.header("cache-control", "no-store");
    return c.json({ ticket, expiresAt: new Date(claims.exp).toISOString() }, 201);
  })

  // Upgrades with `Authorization: Bearer` spend the same budget as minting a ticket (a ticket
  // upgrade was counted when its ticket was minted; it has no bearer, so its key is null here).
  .get(ROUTES.ws.path, rateLimit(WS_CONNECTS_PER_USER, byUser), async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      throw new AppError("invalid_request", "expected a WebSocket upgrade");
    const origin = c.req.header("origin");
    if (origin !== undefined && !originAllowed(c.env, origin, c.req.url))
      throw new AppError("forbidden", "origin not allowed");
    const protocolHeader = c.req.header("sec-websocket-protocol") ?? "";
    if (protocolHeader.length > MAX_PROTOCOL_HEADER_CHARS)
      throw new AppError("invalid_request", "Sec-WebSocket-Protocol is too long");
    const offered = protocolHeader.split(",").map((p) => p.trim());
    const ticketText = offered
      .find((p) => p.startsWith(TICKET_SUBPROTOCOL_PREFIX))
      ?.slice(TICKET_SUBPROTOCOL_PREFIX.length);
    const bearer = bearerToken(c);

    const headers = new Headers(c.req.raw.headers);
    for (const name of INTERNAL_HEADERS) headers.delete(name);
    let userId: string;
    if (ticketText !== undefined) {
      const claims = await verifyTicket(authSecrets(c.env), ticketText);
      // A ticket minted by a page is good only for that page's origin.
      if (!claims || (claims.o !== null && claims.o !== origin?.toLowerCase()))
        throw new AppError("unauthorized", "invalid or expired ticket");
      userId = claims.sub;
      headers.set("x-session-id", claims.sid);
      headers.set("x-ticket-nonce", claims.n);
      headers.set("x-ticket-exp", String(claims.exp));
    } else if (bearer) {
      const identity = await authenticateToken(c.env, bearer, (p) => c.executionCtx.waitUntil(p));
      userId = identity.userId;
      headers.set("x-session-id", identity.sessionId);
    } else {
      throw new AppError("unauthorized", "missing ticket");
    }
    headers.set("x-user-id", userId);
    // Only our own subprotocol travels on: credentials must not reach the object or its logs.
    headers.set("sec-websocket-protocol", offered.includes(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : "");
    headers.delete("authorization");
    return c.env.USER_HUB.getByName(userId).fetch(new Request(c.req.raw.url, { method: "GET", headers }));
  });
