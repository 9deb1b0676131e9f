/**
 * WebSocket → TCP relay for local development and tests.
 *
 * `@neondatabase/serverless` speaks the Postgres wire protocol over a WebSocket to Neon's proxy. Locally,
 * `NEON_WS_PROXY=127.0.0.1:<port>` points it here instead: we accept `ws://…/v2?address=host:port`,
 * open a TCP connection to that Postgres and pipe bytes both ways. Only loopback targets are allowed:
 * this is a dev tool and must never become an open proxy.
 */
import { createServer, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
/** Pause the TCP side while this much is queued on the WebSocket. */
const HIGH_WATER_BYTES = 1 << 20;

export interface WsRelay {
  port: number;
  close(): Promise<void>;
}

/** Parses and vets `address=host:port`; returns null for anything that is not a loopback target. */
export function parseLoopbackAddress(address: string | null): { host: string; port: number } | null {
  if (!address) return null;
  const colon = address.lastIndexOf(":");
  if (colon <= 0) return null;
  const host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (!LOOPBACK_HOSTS.has(host) || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: host.replace(/^\[(.*)\]$/, "$1"), port };
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startWsRelay(options: { port?: number; host?: string } = {}): Promise<WsRelay> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer((_req, res) =>
    res.writeHead(426, { "content-type": "text/plain" }).end("websocket only"),
  );
  const live = new Set<{ ws?: WebSocket; tcp: Socket }>();

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://relay");
    if (url.pathname !== "/v2") return reject(socket, 404, "Not Found");
    const target = parseLoopbackAddress(url.searchParams.get("address"));
    if (!target) return reject(socket, 403, "Forbidden");

    // Connect TCP first so an unreachable Postgres shows up as a failed upgrade, not a silent close.
    const tcp = connect(target.port, target.host);
    tcp.setNoDelay(true); // the Postgres protocol is many small messages
    const pair: { ws?: WebSocket; tcp: Socket } = { tcp };
    live.add(pair);
    tcp.once("error", () => {
      live.delete(pair);
      if (!pair.ws) reject(socket, 502, "Bad Gateway");
    });
    tcp.once("connect", () => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        pair.ws = ws;
        pipe(ws, tcp, () => live.delete(pair));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    port,
    async close() {
      for (const { ws, tcp } of live) {
        ws?.terminate();
        tcp.destroy();
      }
      live.clear();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Binary both ways, with back-pressure; whichever side closes first closes the other. */
function pipe(ws: WebSocket, tcp: Socket, done: () => void): void {
  ws.binaryType = "nodebuffer";
  ws.on("message", (data: RawData) => {
    const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!tcp.write(chunk)) {
      ws.pause();
      tcp.once("drain", () => ws.resume());
    }
  });
  tcp.on("data", (chunk: Buffer) => {
    ws.send(chunk, { binary: true }, () => {
      if (tcp.isPaused() && ws.bufferedAmount < HIGH_WATER_BYTES) tcp.resume();
    });
    if (ws.bufferedAmount >= HIGH_WATER_BYTES) tcp.pause();
  });
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  ws.on("close", () => {
    tcp.end();
    finish();
  });
  ws.on("error", () => {
    tcp.destroy();
    finish();
  });
  tcp.on("close", () => {
    if (ws.readyState === ws.OPEN) ws.close(1000, "upstream closed");
    finish();
  });
  tcp.on("error", () => ws.terminate());
}
