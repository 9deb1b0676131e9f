/**
 * WebSocket tickets: short-lived, single-use credentials for the upgrade, so no long-lived session
 * token travels in a WebSocket handshake (browsers cannot set headers on one, and subprotocol headers
 * end up in proxy logs). ASVS 4.4: dedicated tokens obtained through the authenticated HTTPS session.
 *
 * `POST /v1/ws/ticket` (with a live session) mints `wt1.<key id>.<base64url(JSON claims)>.<base64url(HMAC)>`;
 * the client offers it as the subprotocol `ticket.<ticket>` next to `messenger.v1`. The Worker checks
 * the MAC and expiry (CPU only); the user's hub then claims the nonce, once (durable-objects/
 * user-hub/tickets.ts), so a replayed ticket is refused even within its 30 seconds.
 *
 * The MAC key is AUTH_SECRET with a domain-separation label, so a ticket is never a session token and
 * a session token is never a ticket. A ticket minted from a browser is bound to that page's Origin.
 */
import { z } from "zod";
import { toBase64Url } from "./bytes.ts";
import { openEnvelope, sealEnvelope, type EnvelopeKind, type Secrets } from "./signed-envelope.ts";

/** How long a ticket may be used after it was minted. */
export const WS_TICKET_TTL_SECONDS = 30;
const TICKET: EnvelopeKind = { version: "wt1", label: "messenger ws-ticket v1\n", maxChars: 512 };

/** What a ticket says: user, session, expiry (ms since epoch), random nonce, and the minting page's Origin. */
export const TicketClaims = z.strictObject({
  sub: z.string().min(1).max(80),
  sid: z.string().min(1).max(80),
  exp: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  o: z.string().max(256).nullable(),
});
export type TicketClaims = z.infer<typeof TicketClaims>;

/** Mints a ticket for session `sid` of user `sub`, valid WS_TICKET_TTL_SECONDS from `nowMs`. */
export async function signTicket(
  secret: Secrets,
  subject: { sub: string; sid: string; origin: string | null },
  nowMs: number = Date.now(),
): Promise<{ ticket: string; claims: TicketClaims }> {
  const claims: TicketClaims = {
    sub: subject.sub,
    sid: subject.sid,
    exp: nowMs + WS_TICKET_TTL_SECONDS * 1000,
    n: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    o: subject.origin,
  };
  return { ticket: await sealEnvelope(secret, TICKET, claims), claims };
}

/** The claims of an authentic, unexpired ticket; null for anything else (never says which check failed). */
export async function verifyTicket(
  secret: Secrets,
  ticket: string,
  nowMs: number = Date.now(),
): Promise<TicketClaims | null> {
  const claims = await openEnvelope(secret, TICKET, ticket, TicketClaims);
  if (!claims || claims.exp <= nowMs) return null;
  return claims;
}
