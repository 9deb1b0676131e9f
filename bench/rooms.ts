/**
 * The product against the bare durable room (bench/baseline/RoomDO.ts), scenario by scenario in the
 * same run: the room is the least a chat on Durable Objects can do (one insert, one broadcast), so
 * product / room is what everything else the product does per message costs.
 *
 * - `room1to1`: two users, both sending: acknowledged messages/s; send → the other user's socket.
 * - `room10`: a 10-member group, all 10 sending: messages/s and deliveries/s.
 * - `room200`: a 200-member group, one sender: deliveries/s; send → the last member's socket.
 *
 * Every sender keeps exactly one message in flight (the next goes when the previous is
 * acknowledged: the room's broadcast copy, the product's `sent`). Each side gets a warm-up round,
 * then `seconds` of sending; rates count what happened inside that window, latencies and CPU cover
 * the window's messages until every member has them (the drain), so a side that falls behind pays
 * for its backlog. CPU is workerd's (proxy + runtime) of the side's own dev server.
 */
import type { MessengerClient } from "../client/sdk/index.ts";
import { percentile, sleep, type Row } from "./lib.ts";
import { productPeer, roomPeer, type Peer, type PeerEvents } from "./peers.ts";
import { outsideCpu, workerdCpuMs } from "./processes.ts";

export const ROOM_SCENARIOS = ["room1to1", "room10", "room200"] as const;
export type RoomScenario = (typeof ROOM_SCENARIOS)[number];

/** How long the last messages may take to reach everyone before they count as undelivered. */
const DRAIN_TIMEOUT_MS = 60_000;
/** After the drain, time for the product's delivered receipts (their CPU belongs to the messages). */
const SETTLE_MS = 1_000;
/** Sockets opened at once (each product device is a ticket, an upgrade and a replay). */
const CONNECT_BATCH = 20;

export interface RoomFigures {
  messages: number;
  ackedPerSecond: number;
  deliveriesPerSecond: number;
  /** Send → each recipient's socket (`each`) or → the last member's socket (`last`). */
  p50: number;
  p99: number;
  cpuMsPerMessage: number;
  cpuMsPerDelivery: number;
  /** CPU used outside the bench and both dev servers meanwhile (Postgres, Redis, anything else), % of all cores. */
  outsidePercent: number;
  undelivered: number;
  duplicated: number;
  errors: number;
}

interface Plan {
  members: number;
  senders: number;
  latency: "each" | "last";
  seconds: number;
  /** Message ids start with this, unique per side and scenario. */
  tag: string;
  /** workerd CPU ms so far of the side's dev server. */
  cpuMs: () => number;
  /** Ports of both dev servers, to tell the machine's other CPU use apart. */
  ports: number[];
  open: (member: number, on: PeerEvents) => Promise<Peer>;
}

/** Runs one side of one scenario: members connect, warm up, send for `seconds`, drain. */
export async function runRoom(plan: Plan): Promise<RoomFigures> {
  const sent = new Map<string, { at: number; got: Set<number>; last: number }>();
  let errors = 0;
  let duplicated = 0;
  let windowEnd = Number.POSITIVE_INFINITY;
  let deliveriesInWindow = 0;
  let deliveries = 0;
  const eachLatency: number[] = [];
  const peers: Peer[] = [];
  for (let i = 0; i < plan.members; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, plan.members - i) }, (_, j) => {
      const me = i + j;
      return plan.open(me, {
        delivered(clientId, at) {
          const message = sent.get(clientId);
          if (!message) return; // not this run's
          if (message.got.has(me)) duplicated++;
          message.got.add(me);
          message.last = Math.max(message.last, at);
          if (clientId.startsWith(`${plan.tag}w`)) return; // warm-up
          deliveries++;
          if (at < windowEnd) deliveriesInWindow++;
          eachLatency.push(at - message.at);
        },
        error: () => void errors++,
      });
    });
    peers.push(...(await Promise.all(batch)));
  }
  const recipients = plan.members - 1;
  const delivered = (ids: Iterable<string>) => [...ids].every((id) => (sent.get(id)?.got.size ?? 0) >= recipients);
  const send = async (sender: number, clientId: string) => {
    sent.set(clientId, { at: performance.now(), got: new Set(), last: 0 });
    const ok = await peers[sender]!.send(clientId, `bench ${clientId}`);
    if (!ok) sent.delete(clientId);
    return ok;
  };

  // Warm-up: one message per sender, everywhere (objects created, first writes done).
  const warm = await Promise.all(Array.from({ length: plan.senders }, (_, s) => send(s, `${plan.tag}w${s}`)));
  const warmIds = warm.flatMap((ok, s) => (ok ? [`${plan.tag}w${s}`] : []));
  for (const by = performance.now() + DRAIN_TIMEOUT_MS; !delivered(warmIds) && performance.now() < by;) await sleep(20);
  for (const id of warmIds) sent.delete(id);

  const outside = outsideCpu(plan.ports);
  const cpuBefore = plan.cpuMs();
  const started = performance.now();
  windowEnd = started + plan.seconds * 1000;
  let ackedInWindow = 0;
  let acked = 0;
  await Promise.all(
    Array.from({ length: plan.senders }, async (_, s) => {
      for (let n = 0; performance.now() < windowEnd; n++) {
        if (!(await send(s, `${plan.tag}${s}-${n}`))) continue;
        acked++;
        if (performance.now() <= windowEnd) ackedInWindow++;
      }
    }),
  );
  for (const by = performance.now() + DRAIN_TIMEOUT_MS; !delivered(sent.keys()) && performance.now() < by;)
    await sleep(20);
  await sleep(SETTLE_MS);
  const cpuMs = plan.cpuMs() - cpuBefore;
  const outsidePercent = outside.stop();
  for (const peer of peers) peer.close();

  const messages = [...sent.values()];
  const lastLatency = messages.filter((m) => m.got.size >= recipients).map((m) => m.last - m.at);
  const latencies = plan.latency === "each" ? eachLatency : lastLatency;
  return {
    messages: acked,
    ackedPerSecond: ackedInWindow / plan.seconds,
    deliveriesPerSecond: deliveriesInWindow / plan.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerMessage: cpuMs / Math.max(1, acked),
    cpuMsPerDelivery: cpuMs / Math.max(1, deliveries),
    outsidePercent,
    undelivered: messages.reduce((sum, m) => sum + recipients - m.got.size, 0),
    duplicated,
    errors,
  };
}

export interface RoomSides {
  /** The baseline Worker (bench/baseline.ts) and the product's dev server. */
  baselineUrl: string;
  productUrl: string;
  /** Registered product users, at least as many as the biggest scenario's members. */
  users: { id: string; c: MessengerClient }[];
  /** Where each user's previous bench device stopped in their event log (updated here). */
  cursors: Map<string, number>;
  seconds: number;
  runId: string;
  log: (line: string) => void;
}

/** Members, senders and which latency a scenario measures. */
export function roomShape(scenario: string, members = 200) {
  const shapes = {
    room1to1: { members: 2, senders: 2, latency: "each" as const },
    room10: { members: 10, senders: 10, latency: "each" as const },
    room200: { members, senders: 1, latency: "last" as const },
  };
  if (!(scenario in shapes)) throw new Error(`unknown scenario ${scenario}: ${Object.keys(shapes).join(", ")}`);
  return shapes[scenario as RoomScenario];
}

/** One scenario on both sides (room first, then product) and its table rows, product beside room. */
export async function benchRoomScenario(scenario: RoomScenario, members: number, sides: RoomSides): Promise<Row[]> {
  const shape = roomShape(scenario, members);
  const users = sides.users.slice(0, shape.members);
  if (users.length < shape.members) throw new Error(`${scenario}: needs ${shape.members} users`);
  const portOf = (url: string) => Number(new URL(url).port);
  const cpuOf = (url: string) => () => workerdCpuMs(portOf(url));
  const ports = [portOf(sides.baselineUrl), portOf(sides.productUrl)];
  const roomName = `${sides.runId}-${scenario}`;

  sides.log(`${scenario}: bare room, ${shape.members} members, ${shape.senders} sending for ${sides.seconds} s…`);
  const room = await runRoom({
    ...shape,
    seconds: sides.seconds,
    tag: "r",
    cpuMs: cpuOf(sides.baselineUrl),
    ports,
    open: (i, on) => roomPeer(sides.baselineUrl, roomName, `u${i}`, on),
  });

  const [owner, ...rest] = users;
  const chat =
    shape.members === 2
      ? await owner!.c.api.openDirect(rest[0]!.id)
      : await owner!.c.api.createGroup(
          `bench ${scenario}`,
          rest.map((u) => u.id),
        );
  sides.log(`${scenario}: product, same shape…`);
  const devices: { userId: string; cursorAfter(): number }[] = [];
  const product = await runRoom({
    ...shape,
    seconds: sides.seconds,
    tag: "p",
    cpuMs: cpuOf(sides.productUrl),
    ports,
    open: async (i, on) => {
      const user = users[i]!;
      const device = { deviceId: `bench-${scenario}`, cursor: sides.cursors.get(user.id) ?? 0 };
      const peer = await productPeer(sides.productUrl, user.c.api.token!, user.id, chat.id, device, on);
      devices.push(peer);
      return peer;
    },
  });
  for (const d of devices) sides.cursors.set(d.userId, d.cursorAfter());
  return roomRows(scenario, shape.members, product, room);
}

function roomRows(scenario: RoomScenario, members: number, p: RoomFigures, r: RoomFigures): Row[] {
  const name = {
    room1to1: "1:1, both users sending",
    room10: `group of ${members}, all sending`,
    room200: `group of ${members}, one sender`,
  }[scenario];
  const s = `${name} (product vs bare room)`;
  const latency = scenario === "room200" ? "send → last member" : "send → other member";
  const rows: Row[] = [
    {
      scenario: s,
      metric: "acknowledged messages/s",
      value: p.ackedPerSecond,
      unit: "/s",
      baseline: r.ackedPerSecond,
      better: "higher",
    },
    {
      scenario: s,
      metric: "deliveries/s",
      value: p.deliveriesPerSecond,
      unit: "/s",
      baseline: r.deliveriesPerSecond,
      better: "higher",
    },
    { scenario: s, metric: `${latency} p50`, value: p.p50, unit: "ms", baseline: r.p50, better: "lower" },
    { scenario: s, metric: `${latency} p99`, value: p.p99, unit: "ms", baseline: r.p99, better: "lower" },
    {
      scenario: s,
      metric: "workerd CPU per message",
      value: p.cpuMsPerMessage,
      unit: "ms",
      baseline: r.cpuMsPerMessage,
      better: "lower",
    },
    {
      scenario: s,
      metric: "workerd CPU per delivery",
      value: p.cpuMsPerDelivery,
      unit: "ms",
      baseline: r.cpuMsPerDelivery,
      better: "lower",
    },
  ];
  // In 1:1 every message is one delivery: its deliveries/s and CPU per delivery would repeat the message rows.
  const shown = scenario === "room1to1" ? rows.filter((row) => !row.metric.includes("deliver")) : rows;
  const errors = (f: RoomFigures) => `${f.undelivered} / ${f.duplicated} / ${f.errors}`;
  shown.push({
    scenario: s,
    metric: "errors: undelivered / duplicated / error frames",
    value: p.undelivered + p.duplicated + p.errors,
    unit: `(${errors(p)}); room (${errors(r)})`,
  });
  shown.push({
    scenario: s,
    metric: "CPU outside bench and dev servers (Postgres, Redis, others)",
    value: p.outsidePercent,
    unit: `% of cores; room's window ${r.outsidePercent.toFixed(0)} %`,
  });
  return shown;
}
