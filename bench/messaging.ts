/**
 * 1:1 messaging through the whole product: alice's device sends over its WebSocket, the message is
 * sequenced and stored by the Conversation DO, fanned out to bob's hub and pushed to bob's device.
 * Latency = send → bob's device has it; throughput = acknowledged sends per second with a window.
 */
import { MessengerClient } from "../client/sdk/index.ts";
import { percentile } from "./lib.ts";

export interface MessagingFigures {
  p50: number;
  p99: number;
  perSecond: number;
}

export async function benchOneToOne(
  alice: MessengerClient,
  bob: MessengerClient,
  bobId: string,
  opts: { messages: number; throughputMs: number; window: number },
): Promise<MessagingFigures> {
  const chat = await alice.api.openDirect(bobId);
  const arrivals = new Map<string, number>();
  let notify: ((clientId: string) => void) | null = null;
  bob.on("event", (e) => {
    if (e.kind !== "message") return;
    arrivals.set(e.message.clientId, performance.now());
    notify?.(e.message.clientId);
  });
  await alice.connect();
  await bob.connect();
  const sender = alice.connection!;
  const samples: number[] = [];
  for (let i = 0; i < opts.messages; i++) {
    const clientId = `lat-${i}`;
    const arrived = new Promise<void>((r) => {
      notify = (id) => id === clientId && r();
    });
    const t0 = performance.now();
    await sender.send(chat.id, { text: `latency ${i}` }, clientId);
    await arrived;
    samples.push((arrivals.get(clientId) ?? performance.now()) - t0);
  }
  notify = null;
  // Sustained: `window` sends in flight for a fixed time, counting acknowledged sends.
  let acked = 0;
  const end = performance.now() + opts.throughputMs;
  let n = 0;
  const lane = async () => {
    while (performance.now() < end) {
      await sender.send(chat.id, { text: `load ${n}` }, `load-${n++}`);
      acked++;
    }
  };
  await Promise.all(Array.from({ length: opts.window }, lane));
  alice.close();
  bob.close();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), perSecond: acked / (opts.throughputMs / 1000) };
}
