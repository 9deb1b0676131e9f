/**
 * Sustained mixed traffic: many users, each in a few 1:1 chats and some in groups, sending at a
 * fixed offered rate for a fixed time while recipients read what arrives (receipts flow back to
 * the senders), a few users type before sending, and users go offline and come back (presence
 * changes reach their contacts; what was sent meanwhile is replayed on reconnect).
 *
 * Reported: acknowledged messages/s against the offered rate (1.00× = kept up), delivery latency
 * (send → each online recipient's device) p50/p99, and errors, which must be 0: failed or
 * unacknowledged sends, messages lost or duplicated on a device, protocol error frames.
 */
import { MessengerClient } from "../client/sdk/index.ts";
import { percentile, sleep, type Row } from "./lib.ts";
import { workerdCpuMs } from "./processes.ts";

export interface MixedUser {
  token: string;
  id: string;
}

export interface MixedOptions {
  baseUrl: string;
  seconds: number;
  /** Offered load over all users, messages per second. */
  messagesPerSecond: number;
  /** 1:1 chats per user (with the next users in the list). */
  directPerUser: number;
  groups: number;
  groupSize: number;
  /** Share of sends that go to a group (when the sender is in one). */
  groupShare: number;
  /** Users taken offline per second (each stays away 6–9 s, beyond the presence grace). */
  offlinePerSecond: number;
  /** Called once every chat exists and every device is connected, just before the window opens. */
  onWindowStart?: () => Promise<void>;
}

/**
 * The mixed traffic `npm run bench` runs (and `npm run bench:profile` profiles): 60 users in two 1:1
 * chats each and four groups of 15, 30 % of sends to groups, a user going offline every 2 s.
 * `quick` is the smoke run's smaller shape.
 */
export type MixedShape = Pick<
  MixedOptions,
  "directPerUser" | "groups" | "groupSize" | "groupShare" | "offlinePerSecond"
> & {
  users: number;
};

export function mixedShape(quick: boolean): MixedShape {
  return quick
    ? { users: 12, directPerUser: 2, groups: 2, groupSize: 5, groupShare: 0.3, offlinePerSecond: 0.3 }
    : { users: 60, directPerUser: 2, groups: 4, groupSize: 15, groupShare: 0.3, offlinePerSecond: 0.5 };
}

export interface MixedFigures {
  users: number;
  conversations: number;
  offered: number;
  /** Sends made per second (offline users do not send, so below `offered`). */
  sentPerSecond: number;
  ackedPerSecond: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  statusEvents: number;
  presenceFrames: number;
  typingFrames: number;
  offlineSpells: number;
  /** workerd CPU time (proxy + runtime) per acknowledged message, its deliveries and receipts included. */
  cpuMsPerMessage: number;
  sendErrors: number;
  lost: number;
  duplicated: number;
  errorFrames: number;
}

interface Chat {
  id: string;
  members: number[];
}

export async function benchMixed(users: MixedUser[], opts: MixedOptions): Promise<MixedFigures> {
  const clients = users.map(
    (u) =>
      new MessengerClient({
        baseUrl: opts.baseUrl,
        token: u.token,
        deviceId: `mixed-${u.id}`,
        minBackoffMs: 100,
        maxBackoffMs: 1_000,
      }),
  );
  const chats = await createChats(clients, users, opts);
  const chatsOf = users.map((_, i) => ({
    direct: chats.filter((c) => c.members.length === 2 && c.members.includes(i)),
    groups: chats.filter((c) => c.members.length > 2 && c.members.includes(i)),
  }));
  const membersOf = new Map(chats.map((c) => [c.id, c.members]));

  // Bookkeeping: when each message was sent, who must receive it, who did, and when.
  const sentAt = new Map<string, { at: number; chat: string; from: number; epochs: number[] }>();
  const received = new Map<string, Set<number>>();
  const latencies: number[] = [];
  let duplicated = 0;
  let deliveries = 0;
  let statusEvents = 0;
  let presenceFrames = 0;
  let typingFrames = 0;
  let errorFrames = 0;
  /** Bumped when a user goes offline: a delivery across an offline spell is not a latency sample. */
  const epoch = users.map(() => 0);
  const online = users.map(() => true);
  /** Sends not yet acknowledged, per user: a user leaves only with none (an app closed mid-send
   * re-sends from its outbox next time, which this scenario's bookkeeping does not follow). */
  const unacked = users.map(() => 0);
  /** Per user and chat: the read waiting to go out, up to the newest message that arrived meanwhile. */
  const pendingReads = new Map<string, { timer: ReturnType<typeof setTimeout>; upTo: number }>();

  clients.forEach((client, me) => {
    client.on("event", (e) => {
      if (e.kind === "status") statusEvents++;
      if (e.kind !== "message" || e.message.system || !e.message.clientId?.startsWith("mx-")) return;
      const sent = sentAt.get(e.message.clientId);
      if (!sent || sent.from === me) return;
      const got = received.get(e.message.clientId) ?? new Set<number>();
      if (got.has(me)) duplicated++;
      got.add(me);
      received.set(e.message.clientId, got);
      deliveries++;
      if (sent.epochs[me] === epoch[me]) latencies.push(performance.now() - sent.at);
      // An open chat reads what arrives; reads are coalesced per chat as a client does, up to the
      // newest message shown when the read goes out (client/web: `markActiveRead`).
      const { conversationId, seq } = e.message;
      const key = `${me}:${conversationId}`;
      const pending = pendingReads.get(key);
      if (pending) pending.upTo = Math.max(pending.upTo, seq);
      else {
        const timer = setTimeout(() => {
          const { upTo } = pendingReads.get(key)!;
          pendingReads.delete(key);
          if (online[me]) void client.connection?.read(conversationId, upTo).catch(() => undefined);
        }, 200);
        pendingReads.set(key, { timer, upTo: seq });
      }
    });
    client.on("presence", () => presenceFrames++);
    client.on("typing", () => typingFrames++);
    client.on("error", () => errorFrames++);
  });
  await Promise.all(clients.map((c) => c.connect()));
  await opts.onWindowStart?.();

  let acked = 0;
  let offlineSpells = 0;
  const inFlight: Promise<void>[] = [];
  const port = Number(new URL(opts.baseUrl).port);
  const cpuBefore = workerdCpuMs(port);
  const started = performance.now();
  const end = started + opts.seconds * 1000;
  const perUserRate = opts.messagesPerSecond / users.length;

  const sender = async (me: number) => {
    let n = 0;
    while (performance.now() < end) {
      // Poisson arrivals, cut at the end of the window (a long last gap must not stretch the run).
      const gap = -Math.log(1 - Math.random()) * (1000 / perUserRate);
      await sleep(Math.min(gap, end - performance.now()));
      if (performance.now() >= end) break;
      if (!online[me]) continue; // an offline user does not type
      const mine = chatsOf[me]!;
      const pool = mine.groups.length > 0 && Math.random() < opts.groupShare ? mine.groups : mine.direct;
      const chat = pool[Math.floor(Math.random() * pool.length)]!;
      const clientId = `mx-${me}-${n++}`;
      const connection = clients[me]!.connection!;
      if (Math.random() < 0.2) connection.typing(chat.id, true);
      // A recipient offline at send time is not a latency sample (-1 never matches an epoch).
      const epochs = epoch.map((e, i) => (online[i] ? e : -1));
      sentAt.set(clientId, { at: performance.now(), chat: chat.id, from: me, epochs });
      unacked[me]!++;
      inFlight.push(
        connection
          .send(chat.id, { text: `mixed ${clientId}` }, clientId)
          .then(
            () => void acked++,
            () => undefined, // counted below as not acknowledged
          )
          .finally(() => void unacked[me]!--),
      );
    }
  };

  const churn = async () => {
    while (opts.offlinePerSecond > 0 && performance.now() < end - 10_000) {
      await sleep(1000 / opts.offlinePerSecond);
      const candidates = users.map((_, i) => i).filter((i) => online[i] && unacked[i] === 0);
      const who = candidates[Math.floor(Math.random() * candidates.length)];
      if (who === undefined) continue;
      online[who] = false;
      epoch[who]!++;
      offlineSpells++;
      clients[who]!.close();
      void sleep(6_000 + Math.random() * 3_000).then(async () => {
        await clients[who]!.connect();
        online[who] = true;
      });
    }
  };

  await Promise.all([...users.map((_, i) => sender(i)), churn()]);
  const elapsed = Math.max(opts.seconds, (performance.now() - started) / 1000);
  const ackedPerSecond = acked / elapsed;
  await withTimeout(Promise.all(inFlight), 30_000);
  while (online.includes(false)) await sleep(100);

  // Settle: every acknowledged message must reach each other member's device exactly once.
  const expected = () => {
    let missing = 0;
    for (const [clientId, sent] of sentAt) {
      const got = received.get(clientId)?.size ?? 0;
      missing += (membersOf.get(sent.chat)?.length ?? 1) - 1 - got;
    }
    return missing;
  };
  const settleBy = performance.now() + 30_000;
  while (expected() > 0 && performance.now() < settleBy) await sleep(200);
  const lost = expected();
  await sleep(1_000); // the last reads and their status events
  const cpuMs = workerdCpuMs(port) - cpuBefore;
  for (const { timer } of pendingReads.values()) clearTimeout(timer);
  for (const c of clients) c.close();

  return {
    users: users.length,
    conversations: chats.length,
    offered: opts.messagesPerSecond,
    sentPerSecond: sentAt.size / elapsed,
    ackedPerSecond,
    deliveriesPerSecond: deliveries / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statusEvents,
    presenceFrames,
    typingFrames,
    offlineSpells,
    cpuMsPerMessage: cpuMs / Math.max(1, acked),
    sendErrors: sentAt.size - acked, // failed, and never acknowledged
    lost,
    duplicated,
    errorFrames,
  };
}

/** 1:1 chats between neighbours in the list, and groups over consecutive slices of users. */
async function createChats(clients: MessengerClient[], users: MixedUser[], opts: MixedOptions): Promise<Chat[]> {
  const chats: Chat[] = [];
  for (let i = 0; i < users.length; i++) {
    for (let d = 1; d <= opts.directPerUser; d++) {
      const j = (i + d) % users.length;
      if (j === i) continue;
      const chat = await clients[i]!.api.openDirect(users[j]!.id);
      if (!chats.some((c) => c.id === chat.id)) chats.push({ id: chat.id, members: [i, j] });
    }
  }
  for (let g = 0; g < opts.groups; g++) {
    const members = Array.from({ length: opts.groupSize }, (_, k) => (g * opts.groupSize + k) % users.length);
    const [owner, ...rest] = members;
    const group = await clients[owner!]!.api.createGroup(
      `mixed ${g}`,
      rest.map((m) => users[m]!.id),
    );
    chats.push({ id: group.id, members });
  }
  return chats;
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  await Promise.race([work, sleep(ms)]);
}

/** The table rows of one mixed-traffic run; latencies beside the echo baseline of the same run. */
export function mixedRows(
  m: MixedFigures,
  seconds: number,
  echo: { p50: number; p99: number; cpuMsPerLoneFrame: number },
): Row[] {
  const scenario = `mixed traffic, ${m.offered} msg/s offered (${m.users} users, ${m.conversations} chats, ${seconds} s)`;
  const errors = m.sendErrors + m.lost + m.duplicated + m.errorFrames;
  return [
    {
      scenario,
      metric: "acked messages/s (vs sent/s)",
      value: m.ackedPerSecond,
      unit: "/s",
      baseline: m.sentPerSecond,
      better: "higher",
    },
    { scenario, metric: "deliveries to devices/s", value: m.deliveriesPerSecond, unit: "/s" },
    { scenario, metric: "delivery latency p50", value: m.p50, unit: "ms", baseline: echo.p50, better: "lower" },
    { scenario, metric: "delivery latency p99", value: m.p99, unit: "ms", baseline: echo.p99, better: "lower" },
    {
      scenario,
      metric: "status / presence / typing frames",
      value: m.statusEvents,
      unit: `/ ${m.presenceFrames} / ${m.typingFrames}`,
    },
    {
      scenario,
      // Beside a lone echo frame: at chat speeds every frame, RPC and timer wakes the runtime alone.
      metric: "workerd CPU per message (with its deliveries and receipts; baseline: a lone echo frame)",
      value: m.cpuMsPerMessage,
      unit: "ms",
      baseline: echo.cpuMsPerLoneFrame,
      better: "lower",
    },
    { scenario, metric: "users taken offline and back", value: m.offlineSpells, unit: "" },
    {
      scenario,
      metric: "errors: unacked / lost / duplicated / error frames",
      value: errors,
      unit: `(${m.sendErrors} / ${m.lost} / ${m.duplicated} / ${m.errorFrames})`,
    },
  ];
}
