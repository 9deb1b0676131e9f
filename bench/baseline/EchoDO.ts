/**
 * A bare Durable Object that echoes WebSocket frames (hibernation API, no storage, no parsing): the
 * cheapest round trip through a Durable Object on this machine.
 */
import { WebSocketPair, type DurableObjectState, type RuntimeWebSocket } from "./runtime.ts";

export class EchoDO {
  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return upgraded(request, pair[0]);
  }

  async webSocketMessage(ws: RuntimeWebSocket, message: string | ArrayBuffer): Promise<void> {
    ws.send(message);
  }

  async webSocketClose(ws: RuntimeWebSocket, code: number): Promise<void> {
    closeQuietly(ws, code);
  }
}

/** The 101 answer; a client that offers subprotocols requires one back, so the first is chosen. */
export function upgraded(request: Request, client: RuntimeWebSocket): Response {
  const offered = request.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim();
  const headers = new Headers(offered ? { "sec-websocket-protocol": offered } : {});
  // The runtime's Response accepts `webSocket`; Node's ResponseInit type does not know it.
  return new Response(null, { status: 101, headers, webSocket: client } as ResponseInit);
}

/** Completes the close handshake (1005/1006 cannot be sent back). */
export function closeQuietly(ws: RuntimeWebSocket, code: number): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
  } catch {
    // already closed
  }
}
