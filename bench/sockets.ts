/**
 * Idle connections: how many WebSockets the local stack holds, and what each costs in workerd's
 * memory once the objects hibernate — measured for the bare echo object and for user hubs (many
 * users, several devices each) in the same run.
 *
 * One local workerd process cannot hold 10,000 sockets here: the hard open-file limit is per
 * process (20,000 on these machines, and not raisable without root capabilities) and wrangler dev
 * spends about four descriptors per proxied WebSocket (client → dev proxy → runtime). So the
 * sockets are spread over several local "nodes" (see nodes.ts), each with its own Durable Objects,
 * as Cloudflare spreads objects over machines. Memory is the resident set of every workerd process
 * of every node, before the sockets open and after they hibernate.
 */
import { readFileSync } from "node:fs";
import { openSocket, sleep } from "./lib.ts";
import { workerdRssKb } from "./processes.ts";

export interface SocketFigures {
  opened: number;
  kbPerSocket: number;
  openPerSecond: number;
}

/** Descriptors wrangler dev's proxy process spends per WebSocket (measured: ~4; a margin on top). */
const FDS_PER_PROXIED_SOCKET = 5;

/** This process's open-file limit (children inherit it), from /proc; 1,024 when unreadable. */
export function openFileLimit(): number {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : 1_024;
  } catch {
    return 1_024;
  }
}

/** How many sockets one local node (one wrangler dev) holds safely under the open-file limit. */
export function socketsPerNode(): number {
  return Math.floor((openFileLimit() * 0.85) / FDS_PER_PROXIED_SOCKET);
}

/**
 * Opens `count` sockets with `open(i)` (in waves of 50), waits for hibernation, and reports the
 * cost per socket over the dev servers on `ports`.
 */
export async function holdSockets(
  ports: readonly number[],
  count: number,
  open: (i: number) => Promise<WebSocket>,
): Promise<SocketFigures & { sockets: WebSocket[] }> {
  const memory = () => workerdRssKb(ports);
  await sleep(12_000); // let earlier objects hibernate so the baseline is idle memory
  const before = memory();
  const sockets: WebSocket[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 50) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)))));
  }
  const openPerSecond = count / ((performance.now() - started) / 1000);
  await sleep(15_000); // hibernation starts ~10 s after the last event
  const stillOpen = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
  const after = memory();
  return {
    opened: stillOpen,
    kbPerSocket: (after - before) / Math.max(1, sockets.length),
    openPerSecond,
    sockets,
  };
}

export async function closeAll(sockets: WebSocket[]): Promise<void> {
  for (const ws of sockets) ws.close(1000, "bench done");
  await sleep(2_000); // let the servers see the closes before the next scenario measures memory
}

/** A device socket on a user's hub: ticket, upgrade, hello; resolves once the replay is done. */
export async function openHubDevice(baseUrl: string, token: string, deviceId: string): Promise<WebSocket> {
  const res = await fetch(`${baseUrl}/v1/ws/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`ticket: ${res.status}`);
  const { ticket } = (await res.json()) as { ticket: string };
  const ws = await openSocket(`${baseUrl.replace(/^http/, "ws")}/v1/ws`, ["messenger.v1", `ticket.${ticket}`]);
  await new Promise<void>((resolve) => {
    ws.addEventListener("message", function onMessage(e) {
      if (typeof e.data === "string" && e.data.includes('"type":"synced"')) {
        ws.removeEventListener("message", onMessage);
        resolve();
      }
    });
    ws.send(JSON.stringify({ type: "hello", v: 1, deviceId, cursor: 0 }));
  });
  return ws;
}
