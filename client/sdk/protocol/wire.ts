/**
 * Constants of the WebSocket handshake. The client offers `Sec-WebSocket-Protocol:
 * messenger.v1, ticket.<ticket>`; the server answers with `messenger.v1` alone (README "The WebSocket protocol (version 1)").
 */

/** The subprotocol every client asks for; the server echoes it on a successful upgrade. */
export const WS_SUBPROTOCOL = "messenger.v1";
/** Prefix of the second offered subprotocol, which carries a single-use ticket (`POST /v1/ws/ticket`). */
export const TICKET_SUBPROTOCOL_PREFIX = "ticket.";
