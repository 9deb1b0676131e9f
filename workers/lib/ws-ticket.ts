/**
 * WebSocket tickets: short-lived, single-use credentials for the upgrade, so no long-lived session
 * token travels in a WebSocket handshake (browsers cannot set headers on one, and subprotocol headers
 * end up in proxy logs). ASVS 4.4: dedicated tokens obtained through the authenticated HTTPS session.
 *
 * `POST /v1/ws/ticket` (with a live session) mints `wt1.<base64url(JSON claims)>.<base64url(HMAC)>`;
 * the client offers it as the subprotocol `ticket.<ticket>` next to `messenger.v1`. The Worker checks
 * the MAC and expiry (CPU only); the user's hub then claims the nonce, once (durable-objects/
 * user-hub/tickets.ts), so a replayed ticket is refused even within its 30 seconds.
 *
 * The MAC key is AUTH_SECRET with a domain-separation label, so a ticket is never a session token and
 * a session token is never a ticket. A ticket minted from a browser is bound to that page's Origin.
 */
import { z } from "zod";
import { fromBase64Url, timingSafeEqual, toBase64Url } from "./bytes.ts";

/** How long a ticket may be used after it was minted. */
export const WS_TICKET_TTL_SECONDS = 30;
/** The subprotocol prefix that carries a ticket: `Sec-WebSocket-Protocol: messenger.v1, ticket.<t>`. */
export const TICKET_PROTOCOL_PREFIX = "ticket.";
const VERSION = "wt1";
const LABEL = "messenger ws-ticket v1\n";
const MAX_TICKET_CHARS = 512;
const MAC_BYTES = 32;

/** What a ticket says: user, session, expiry (ms since epoch), random nonce, and the minting page's Origin. */
export const TicketClaims = z.strictObject({
  sub: z.string().min(1).max(80),
  sid: z.string().min(1).max(80),
  exp: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  o: z.string().max(256).nullable(),
});
export type TicketClaims = z.infer<typeof TicketClaims>;

let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function key(secret: string): Promise<CryptoKey> {
  if (cachedKey?.secret !== secret) {
    const imported = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    cachedKey = { secret, key: imported };
  }
  return cachedKey.key;
}

async function mac(secret: string, input: string): Promise<Uint8Array> {
  const data = new TextEncoder().encode(LABEL + input);
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key(secret), data));
}

/** Mints a ticket for session `sid` of user `sub`, valid WS_TICKET_TTL_SECONDS from `nowMs`. */
export async function signTicket(
  secret: string,
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
  const input = `${VERSION}.${toBase64Url(new TextEncoder().encode(JSON.stringify(claims)))}`;
  return { ticket: `${input}.${toBase64Url(await mac(secret, input))}`, claims };
}

/** The claims of an authentic, unexpired ticket; null for anything else (never says which check failed). */
export async function verifyTicket(
  secret: string,
  ticket: string,
  nowMs: number = Date.now(),
): Promise<TicketClaims | null> {
  if (ticket.length > MAX_TICKET_CHARS) return null;
  const parts = ticket.split(".");
  if (parts.length !== 3) return null;
  const [version, payload, sig64] = parts as [string, string, string];
  if (version !== VERSION) return null;
  const sig = fromBase64Url(sig64);
  if (!sig || sig.length !== MAC_BYTES) return null;
  if (!timingSafeEqual(await mac(secret, `${version}.${payload}`), sig)) return null;
  const json = fromBase64Url(payload);
  if (!json) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(json));
  } catch {
    return null;
  }
  const parsed = TicketClaims.safeParse(decoded);
  if (!parsed.success || parsed.data.exp <= nowMs) return null;
  return parsed.data;
}
