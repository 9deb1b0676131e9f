/**
 * The benchmark baseline: a bare Durable Object that echoes WebSocket frames (hibernation API, no
 * storage, no parsing). `npm run bench` measures the messenger against it in the same run, so the
 * figures are ratios to what the platform itself costs on this machine. Reachable only through
 * the dev-only `/v1/_bench/echo` route (BENCH_ROUTES=1).
 */
import { DurableObject } from "cloudflare:workers";

export class EchoDO extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    // Same handshake as the hub's (clients that offer subprotocols require one back).
    const headers = new Headers();
    if (request.headers.get("sec-websocket-protocol")?.includes("messenger.v1"))
      headers.set("sec-websocket-protocol", "messenger.v1");
    return new Response(null, { status: 101, webSocket: pair[0], headers });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    ws.send(message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }
}
