/**
 * Idle connections: how many WebSockets the local stack holds, and what each costs in workerd's
 * memory once the objects hibernate — measured for the bare echo object and for user hubs (a few
 * users, many devices each) in the same run. Memory is workerd's resident set (the process that
 * serves the objects, found by the dev server's port), before and after opening the sockets.
 */
import { readdirSync, readFileSync } from "node:fs";
import { openSocket, sleep } from "./lib.ts";

export interface SocketFigures {
  opened: number;
  kbPerSocket: number;
  openPerSecond: number;
}

/** Resident memory (KB) of the workerd process(es) serving `port`. */
export function workerdRssKb(port: number): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes("workerd") || !cmd.includes(`:${port}`)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      total += Number(rss?.[1] ?? 0);
    } catch {
      // the process went away
    }
  }
  return total;
}

/** Opens `count` sockets with `open(i)`, waits for hibernation, and reports the cost per socket. */
export async function holdSockets(
  port: number,
  count: number,
  open: (i: number) => Promise<WebSocket>,
): Promise<SocketFigures & { sockets: WebSocket[] }> {
  await sleep(12_000); // let earlier objects hibernate so the baseline is idle memory
  const before = workerdRssKb(port);
  const sockets: WebSocket[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 50) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)))));
  }
  const openPerSecond = count / ((performance.now() - started) / 1000);
  await sleep(15_000); // hibernation starts ~10 s after the last event
  const after = workerdRssKb(port);
  return {
    opened: sockets.length,
    kbPerSocket: (after - before) / Math.max(1, sockets.length),
    openPerSecond,
    sockets,
  };
}

export function closeAll(sockets: WebSocket[]): void {
  for (const ws of sockets) ws.close(1000, "bench done");
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
