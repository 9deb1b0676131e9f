/**
 * Per-socket state, kept in the WebSocket attachment so it survives hibernation. Read as unknown and
 * checked: an attachment written by an older version must not crash a newer one.
 */
export interface SocketState {
  v: 1;
  /** Set by `hello`; until then the socket may only say hello. */
  deviceId: string | null;
  /** The login session that opened the socket; logging it out closes the socket. */
  sessionId: string | null;
  /** When the socket was accepted (ms): the oldest one goes first when a user has too many. */
  openedAt: number;
}

export function readSocketState(ws: WebSocket): SocketState {
  const raw: unknown = ws.deserializeAttachment();
  if (raw && typeof raw === "object" && (raw as { v?: unknown }).v === 1) {
    const { deviceId, sessionId, openedAt } = raw as { deviceId?: unknown; sessionId?: unknown; openedAt?: unknown };
    return {
      v: 1,
      deviceId: typeof deviceId === "string" ? deviceId : null,
      sessionId: typeof sessionId === "string" ? sessionId : null,
      openedAt: typeof openedAt === "number" ? openedAt : 0,
    };
  }
  return { v: 1, deviceId: null, sessionId: null, openedAt: 0 };
}

export function writeSocketState(ws: WebSocket, state: SocketState): void {
  ws.serializeAttachment(state);
}
