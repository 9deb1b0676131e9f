/**
 * The user's sockets, as the hub sees them: their state (the hibernation attachment, read once per
 * socket per wake), who said hello, one frame text sent to all of them, and the caps on sockets and
 * devices per user — past either, the oldest socket (or the oldest device's) is closed with
 * CLOSE_CODES.replaced, so a runaway client cannot multiply every delivery.
 */
import {
  CLOSE_CODES,
  MAX_DEVICES_PER_USER,
  MAX_SOCKETS_PER_USER,
  WS_SUBPROTOCOL,
  type ErrorBody,
} from "../../client/sdk/protocol/index.ts";
import { readSocketState, writeSocketState, type SocketState } from "./socket-state.ts";

export class HubSockets {
  private readonly states = new WeakMap<WebSocket, SocketState>();

  constructor(private readonly ctx: DurableObjectState) {}

  /**
   * The upgrade the Worker forwards (already authenticated, for `userId`): claims the ticket it
   * carries, accepts the socket, answers with our subprotocol. Sockets closed to make room are
   * handed to `replaced`.
   */
  upgrade(
    request: Request,
    userId: string,
    hooks: {
      claim(ticket: { nonce: string; exp: number; sessionId: string }): boolean;
      replaced(sockets: WebSocket[]): void;
    },
  ): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket upgrade", { status: 426 });
    if (request.headers.get("x-user-id") !== userId) return new Response("wrong hub", { status: 403 });
    const nonce = request.headers.get("x-ticket-nonce");
    const sessionId = request.headers.get("x-session-id");
    const exp = Number(request.headers.get("x-ticket-exp"));
    if (nonce !== null && !hooks.claim({ nonce, exp, sessionId: sessionId ?? "" })) {
      const body: ErrorBody = { error: { code: "unauthorized", message: "ticket already used or expired" } };
      return new Response(JSON.stringify(body), { status: 401, headers: { "content-type": "application/json" } });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const replaced = this.accept(server, sessionId);
    if (replaced.length > 0) hooks.replaced(replaced);
    const headers = new Headers();
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    if (offered.split(",").some((p) => p.trim() === WS_SUBPROTOCOL))
      headers.set("sec-websocket-protocol", WS_SUBPROTOCOL);
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** Accepts the server end of a new socket opened with `sessionId`; closes the oldest beyond the cap. */
  accept(server: WebSocket, sessionId: string | null): WebSocket[] {
    this.ctx.acceptWebSocket(server);
    this.set(server, { v: 1, deviceId: null, sessionId, openedAt: Date.now() });
    const all = this.byAge(this.ctx.getWebSockets());
    return this.closeOldest(all.slice(0, Math.max(0, all.length - MAX_SOCKETS_PER_USER)));
  }

  /** A socket said hello as `deviceId`; past MAX_DEVICES_PER_USER the oldest device's sockets close. */
  hello(ws: WebSocket, deviceId: string): WebSocket[] {
    this.set(ws, { ...this.state(ws), deviceId });
    const firstSeen = new Map<string, number>();
    for (const s of this.ctx.getWebSockets()) {
      const { deviceId: id, openedAt } = this.state(s);
      if (id !== null) firstSeen.set(id, Math.min(firstSeen.get(id) ?? openedAt, openedAt));
    }
    const excess = [...firstSeen]
      .sort((a, b) => a[1] - b[1])
      .slice(0, Math.max(0, firstSeen.size - MAX_DEVICES_PER_USER));
    const gone = new Set(excess.map(([id]) => id));
    return this.closeOldest(this.ctx.getWebSockets().filter((s) => gone.has(this.state(s).deviceId ?? "")));
  }

  state(ws: WebSocket): SocketState {
    let state = this.states.get(ws);
    if (!state) {
      state = readSocketState(ws);
      this.states.set(ws, state);
    }
    return state;
  }

  /** Devices that said hello and are still open, except `closing`. */
  live(closing?: WebSocket): WebSocket[] {
    return this.ctx
      .getWebSockets()
      .filter((ws) => ws !== closing && ws.readyState === 1 && this.state(ws).deviceId !== null);
  }

  /** Every socket of the user, hello said or not. */
  all(): WebSocket[] {
    return this.ctx.getWebSockets();
  }

  /** Every socket opened with `sessionId`. */
  ofSession(sessionId: string): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => this.state(ws).sessionId === sessionId);
  }

  get count(): number {
    return this.ctx.getWebSockets().length;
  }

  /** One frame text, sent as is to every device that said hello. */
  broadcast(text: string): void {
    for (const ws of this.ctx.getWebSockets()) if (this.state(ws).deviceId !== null) this.send(ws, text);
  }

  send(ws: WebSocket, text: string): void {
    try {
      ws.send(text);
    } catch {
      // A closing socket: its device resumes from its cursor.
    }
  }

  close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  private set(ws: WebSocket, state: SocketState): void {
    writeSocketState(ws, state);
    this.states.set(ws, state);
  }

  private byAge(sockets: WebSocket[]): WebSocket[] {
    return [...sockets].sort((a, b) => this.state(a).openedAt - this.state(b).openedAt);
  }

  private closeOldest(sockets: WebSocket[]): WebSocket[] {
    for (const ws of sockets) this.close(ws, CLOSE_CODES.replaced, "too many sockets for this user");
    return sockets;
  }
}
