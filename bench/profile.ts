/**
 * `npm run bench:profile`: where the Worker's CPU goes under mixed traffic. Starts a private stack
 * with wrangler's DevTools inspector on a known port, runs the mixed-traffic scenario (bench/mixed.ts)
 * while the V8 sampling profiler records the Worker's isolate (the Worker and every Durable Object
 * of this script share it), then prints the top functions by self and by inclusive time and saves
 * `.data/profile-<time>.cpuprofile` (open it in Chrome DevTools → Performance) with the bundle it
 * refers to (`.data/profile-<time>.bundle.js`: line numbers in the table are lines of that file).
 *
 * PROFILE_SCENARIO=room1to1|room10|room200 profiles one of the room scenarios instead (product side).
 *
 * Synchronous SQLite runs on the isolate's thread: a statement's cost shows as self time of the
 * runtime's `exec` (or `transactionSync` for a commit), and a third table puts it on the caller.
 * PROFILE_SECONDS (20), PROFILE_RATE (10 msg/s) shape the traffic; the users, chats and groups are
 * the bench's (`mixedShape`; BENCH_QUICK=1 for the small one), and the profile covers the
 * traffic's window, not the making of its chats.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import WebSocket from "ws";
import { MessengerClient } from "../client/sdk/index.ts";
import { scratchDatabases } from "../scripts/postgres.ts";
import { freePort, startStack } from "../scripts/stack.ts";
import { benchMixed, mixedShape } from "./mixed.ts";
import { productPeer } from "./peers.ts";
import { workerdCpuMs } from "./processes.ts";
import { roomShape, runRoom, type RoomScenario } from "./rooms.ts";
import { benchStateDir } from "./state-dir.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The sampling interval asked of the profiler, in µs. */
const SAMPLING_INTERVAL_US = 250;
/**
 * workerd samples only while the isolate runs, so the time since the previous sample of the first
 * sample after an idle stretch holds the whole stretch: counted as it is, idle time showed up as self
 * time of whatever starts a turn (a turn's first SQL statement, the frame handler, an RPC call site).
 * A sample counts for at most this long; the rest is reported as time outside the isolate.
 */
const MAX_SAMPLE_US = 4 * SAMPLING_INTERVAL_US;

/** The runtime's SQLite entry points as the profile names them (native: no script URL). */
const SQLITE_NATIVES = new Set(["exec", "transactionSync", "toArray", "one", "next", "raw"]);

/** wrangler's inspector proxy accepts DevTools origins only. */
const DEVTOOLS_ORIGIN = "https://devtools.devprod.cloudflare.dev";
const seconds = Number(process.env.PROFILE_SECONDS ?? 20);
const rate = Number(process.env.PROFILE_RATE ?? 10);
const log = (line: string) => console.error(`[profile] ${line}`);

async function main(): Promise<void> {
  const runId = randomBytes(3).toString("hex");
  const state = benchStateDir(`profile-${runId}`);
  const persistTo = state.path;
  log(`object state: ${state.label}`);
  mkdirSync(resolve("client/web/dist"), { recursive: true }); // served by the dev server; not needed here
  const inspectorPort = await freePort();
  const stack = await startStack({
    port: 0,
    persistTo,
    postgres: { ...(await scratchDatabases([`msgr_profile_${runId}`])), log },
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    vars: { RATE_LIMITS: "off", PASSWORD_TEST_COST: "1" },
    inspectorPort,
    log,
  });
  try {
    const scenario = process.env.PROFILE_SCENARIO ?? "mixed";
    const mixed = mixedShape(process.env.BENCH_QUICK === "1");
    const userCount = scenario === "mixed" ? mixed.users : roomShape(scenario).members;
    const users: { token: string; id: string; c: MessengerClient }[] = [];
    for (let i = 0; i < userCount; i += 20) {
      const batch = Array.from({ length: Math.min(20, userCount - i) }, async (_, j) => {
        const c = new MessengerClient({ baseUrl: stack.baseUrl });
        const { user } = await c.api.register({
          username: `prof${i + j}_${runId}`,
          password: "bench-password-1",
          displayName: `Profile ${i + j}`,
        });
        return { token: c.api.token!, id: user.id, c };
      });
      users.push(...(await Promise.all(batch)));
    }
    const inspector = await connectInspector(inspectorPort);
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    let summary: string;
    if (scenario === "mixed") {
      const { users: _, ...shape } = mixed;
      log(`mixed traffic: ${users.length} users, ${rate} msg/s for ${seconds} s…`);
      const figures = await benchMixed(users, {
        baseUrl: stack.baseUrl,
        seconds,
        messagesPerSecond: rate,
        ...shape,
        // The window only: creating the chats (each object's first migrations) is not the traffic.
        onWindowStart: async () => {
          log("chats made, devices connected: profiling…");
          await inspector.call("Profiler.start");
        },
      });
      summary = `${figures.ackedPerSecond.toFixed(1)} acked msg/s, ${figures.cpuMsPerMessage.toFixed(1)} ms workerd CPU per message`;
    } else {
      // One of the room scenarios (bench/rooms.ts), product side only.
      const shape = roomShape(scenario);
      const [owner, ...rest] = users;
      const chat =
        shape.members === 2
          ? await owner!.c.api.openDirect(rest[0]!.id)
          : await owner!.c.api.createGroup(
              "profile",
              rest.map((u) => u.id),
            );
      const port = Number(new URL(stack.baseUrl).port);
      log(`${scenario}: ${shape.members} members, ${shape.senders} sending for ${seconds} s, profiling…`);
      await inspector.call("Profiler.start");
      const figures = await runRoom({
        ...shape,
        seconds,
        tag: "p",
        cpuMs: () => workerdCpuMs(port),
        ports: [port],
        open: (i, on) =>
          productPeer(stack.baseUrl, users[i]!.token, users[i]!.id, chat.id, { deviceId: "profile", cursor: 0 }, on),
      });
      summary = `${figures.ackedPerSecond.toFixed(1)} acked msg/s, ${figures.deliveriesPerSecond.toFixed(0)} deliveries/s, p50 ${figures.p50.toFixed(0)} ms, ${figures.cpuMsPerDelivery.toFixed(2)} ms workerd CPU per delivery`;
    }
    const { profile } = (await inspector.call("Profiler.stop")) as { profile: CpuProfile };
    inspector.close();

    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    mkdirSync(resolve(".data"), { recursive: true }); // a fresh checkout with state in memory has none
    writeFileSync(resolve(`.data/profile-${stamp}.cpuprofile`), JSON.stringify(profile));
    copyFileSync(newestBundle(), resolve(`.data/profile-${stamp}.bundle.js`));
    // Sampling every 250 µs roughly doubles the isolate's CPU: compare shares here, absolute CPU in `npm run bench`.
    console.log(`\n${summary} (profiler on); profile: .data/profile-${stamp}.cpuprofile\n`);
    printTop(profile, 30);
  } finally {
    await stack.stop({ dropDatabases: true }).catch(() => undefined);
    await rm(persistTo, { recursive: true, force: true });
  }
}

/** The Worker bundle wrangler dev is serving (it writes one per build under .wrangler/tmp). */
function newestBundle(): string {
  const root = resolve(".wrangler/tmp");
  const bundles = readdirSync(root)
    .map((d) => resolve(root, d, "index.js"))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
  bundles.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!bundles[0]) throw new Error("no wrangler bundle under .wrangler/tmp");
  return bundles[0];
}

async function connectInspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  if (!targets[0]) throw new Error("the inspector lists no Worker");
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: DEVTOOLS_ORIGIN } });
  await new Promise<void>((ok, fail) => {
    ws.once("open", () => ok());
    ws.once("error", fail);
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
    if (message.id !== undefined) waiting.delete(message.id);
  });
  return {
    call(method: string, params: object = {}): Promise<unknown> {
      const id = ++nextId;
      return new Promise((ok) => {
        waiting.set(id, ok);
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

/** Self and inclusive time per function (name + bundle line), as shares of all samples. */
function printTop(profile: CpuProfile, count: number): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url ? `bundle:${n.callFrame.lineNumber + 1}` : ""}`.trim();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  /** SQLite's own time (the runtime's `exec`, `transactionSync` and cursor reads), by the function that called it. */
  const sqlite = new Map<string, number>();
  let total = 0;
  let outside = 0;
  profile.samples.forEach((sample, i) => {
    const gap = profile.timeDeltas[i] ?? 0;
    const dt = Math.min(gap, MAX_SAMPLE_US);
    outside += gap - dt;
    total += dt;
    const leaf = nodes.get(sample);
    if (!leaf) return;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    if (!leaf.callFrame.url && SQLITE_NATIVES.has(leaf.callFrame.functionName)) {
      const caller = nodes.get(parent.get(sample) ?? -1);
      const name = caller ? label(caller) : "(unknown)";
      sqlite.set(name, (sqlite.get(name) ?? 0) + dt);
    }
    const counted = new Set<string>(); // recursion counts once per sample
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const name = label(nodes.get(id)!);
      if (counted.has(name)) continue;
      counted.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
  const print = (title: string, table: Map<string, number>) => {
    console.log(`${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
    for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, count))
      console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
    console.log("");
  };
  console.log(`${(outside / 1000).toFixed(0)} ms between turns (not in the isolate) left out of the tables\n`);
  print("self time", self);
  print("inclusive time", inclusive);
  // `exec` shows as one native function in the tables above; which statement costs is its caller.
  print("SQLite by caller", sqlite);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
