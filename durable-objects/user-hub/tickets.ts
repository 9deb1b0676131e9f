/**
 * Single use of WebSocket tickets (workers/lib/ws-ticket.ts), enforced by the user's hub: the one
 * place every upgrade for that user passes through, single-threaded, so "claim this nonce" is exact.
 * Claimed nonces are kept in the hub's SQLite (a ticket must stay used across an eviction) until the
 * ticket has expired anyway; the table stays tiny (connects are rate limited per user).
 */

// One CREATE per object instance (a new instance after eviction has a new SqlStorage).
const ensured = new WeakSet<SqlStorage>();

function ensureTable(sql: SqlStorage): void {
  if (ensured.has(sql)) return;
  sql.exec("CREATE TABLE IF NOT EXISTS ws_tickets (nonce TEXT PRIMARY KEY, exp INTEGER NOT NULL)");
  ensured.add(sql);
}

/**
 * Claims ticket `nonce` of session `sessionId` (valid until `exp`, ms): true the first time, false if
 * it was used before, has expired, or its session logged out since. Forgets expired rows as it goes.
 */
export function claimTicket(
  sql: SqlStorage,
  ticket: { nonce: string; exp: number; sessionId: string },
  nowMs: number = Date.now(),
): boolean {
  ensureTable(sql);
  sql.exec("DELETE FROM ws_tickets WHERE exp <= ?", nowMs);
  if (!(ticket.exp > nowMs)) return false;
  const revoked = sql.exec("SELECT 1 FROM ws_tickets WHERE nonce = ?", `revoked:${ticket.sessionId}`).toArray();
  if (revoked.length > 0) return false;
  const inserted = sql
    .exec(
      "INSERT INTO ws_tickets (nonce, exp) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
      ticket.nonce,
      ticket.exp,
    )
    .toArray();
  return inserted.length === 1;
}

/**
 * Logout: tickets this session minted in the last WS_TICKET_TTL_SECONDS must not open a socket
 * afterwards, so the session is remembered as revoked until every such ticket has expired.
 */
export function revokeSessionTickets(
  sql: SqlStorage,
  sessionId: string,
  ttlMs: number,
  nowMs: number = Date.now(),
): void {
  ensureTable(sql);
  sql.exec(
    "INSERT INTO ws_tickets (nonce, exp) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET exp = excluded.exp",
    `revoked:${sessionId}`,
    nowMs + ttlMs,
  );
}
