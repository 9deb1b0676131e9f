/**
 * Single use of WebSocket tickets (lib/ws-ticket.ts), enforced by the user's hub: the one place
 * every upgrade for that user passes through, single-threaded, so "claim this nonce" is exact.
 * Claimed nonces are kept in the hub's SQLite (a ticket must stay used across an eviction) until the
 * ticket has expired anyway; the table stays tiny (connects are rate limited per user).
 */
import type { HubStore } from "./store.ts";

/**
 * Claims ticket `nonce` of session `sessionId` (valid until `exp`, ms): true the first time, false if
 * it was used before, has expired, or its session logged out since. Forgets expired rows as it goes.
 */
export function claimTicket(
  store: HubStore,
  ticket: { nonce: string; exp: number; sessionId: string },
  nowMs: number = Date.now(),
): boolean {
  store.forgetExpiredTickets(nowMs);
  if (!(ticket.exp > nowMs)) return false;
  if (store.ticketSessionRevoked(ticket.sessionId)) return false;
  return store.claimNonce(ticket.nonce, ticket.exp);
}

/**
 * Logout: tickets this session minted in the last WS_TICKET_TTL_SECONDS must not open a socket
 * afterwards, so the session is remembered as revoked until every such ticket has expired.
 */
export function revokeSessionTickets(
  store: HubStore,
  sessionId: string,
  ttlMs: number,
  nowMs: number = Date.now(),
): void {
  store.revokeTicketsOf(sessionId, nowMs + ttlMs);
}
