/**
 * `npm run bench`: starts a private local stack (wrangler dev, a fresh Postgres database, Redis when
 * REDIS_URL is set) and, beside it, the baseline Worker (bench/baseline/: bare echo, bare durable
 * room, bare R2; its own wrangler dev), runs each scenario, and prints one table. Every figure that
 * has a natural baseline is shown beside that baseline measured in the same run, and as a ratio:
 * machines are noisy, ratios travel.
 *
 * BENCH_QUICK=1 shrinks every scenario (a smoke run); BENCH_ONLY=sockets,mixed runs only the named
 * scenarios (SCENARIOS below; the echo baseline always runs); BENCH_GROUP_MEMBERS sets the group size
 * (200); BENCH_ROOM_SECONDS the sending time of each side of room1to1/room10/room200 (8 s) and
 * BENCH_ROOM_MEMBERS the size of room200's group (200); BENCH_IDLE_SOCKETS the idle-socket count
 * (10,000); BENCH_MIXED_SECONDS / BENCH_MIXED_RATE the mixed-traffic duration (60 s) and offered
 * loads (msg/s, comma-separated: one run per load, 8 and 20 by default); BENCH_STATE_DIR where the
 * objects' state lives (memory by default: ./state-dir.ts says why).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { MessengerClient } from "../client/sdk/index.ts";
import { scratchDatabases } from "../scripts/postgres.ts";
import { startStack } from "../scripts/stack.ts";
import { startBaseline } from "./baseline.ts";
import { benchEcho, echoRows } from "./echo.ts";
import { benchGroup } from "./group.ts";
import { openSocket, printTable, type Row } from "./lib.ts";
import { closeAll, holdSockets, openHubDevice, socketsPerNode } from "./sockets.ts";
import { benchMedia } from "./media.ts";
import { benchOneToOne } from "./messaging.ts";
import { benchMixed, mixedRows, mixedShape } from "./mixed.ts";
import { startNodes, stopNodes } from "./nodes.ts";
import { benchRoomScenario, ROOM_SCENARIOS } from "./rooms.ts";
import { benchStateDir } from "./state-dir.ts";

const quick = process.env.BENCH_QUICK === "1";
const groupMembers = Number(process.env.BENCH_GROUP_MEMBERS ?? (quick ? 20 : 200));
/** Idle sockets per scenario, spread over as many local dev servers as the open-file limit needs. */
const idleSockets = Number(process.env.BENCH_IDLE_SOCKETS ?? (quick ? 200 : 10_000));
const mixedSeconds = Number(process.env.BENCH_MIXED_SECONDS ?? (quick ? 15 : 60));
const mixedRates = (process.env.BENCH_MIXED_RATE ?? (quick ? "10" : "8,20")).split(",").map(Number);
const roomSeconds = Number(process.env.BENCH_ROOM_SECONDS ?? (quick ? 3 : 8));
const roomMembers = Number(process.env.BENCH_ROOM_MEMBERS ?? (quick ? 20 : 200));
/** Every scenario, in the order they run (the echo baseline always runs first). */
const SCENARIOS = ["1to1", ...ROOM_SCENARIOS, "group", "mixed", "sockets", "media"];
const only = new Set((process.env.BENCH_ONLY ?? SCENARIOS.join(",")).split(",").map((s) => s.trim()));
const unknown = [...only].filter((name) => !SCENARIOS.includes(name));
if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown ${unknown.join(", ")} (known: ${SCENARIOS.join(", ")})`);
const log = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<void> {
  const runId = randomBytes(3).toString("hex");
  const state = benchStateDir(`bench-${runId}`);
  const persistTo = state.path;
  log(
    `object state: ${state.label}; wrangler's local trace collector: ${process.env.X_LOCAL_OBSERVABILITY || "false"}`,
  );
  const postgres = { ...(await scratchDatabases([`msgr_bench_${runId}`])), log };
  // The dev server serves the web client's folder; the bench only needs it to exist.
  mkdirSync(resolve("client/web/dist"), { recursive: true });
  // Rate limits off: the bench registers hundreds of users from one address on purpose; passwords at
  // the test cost (the bench measures messages, not Argon2id: 199 registrations would cost ~36 s CPU).
  const vars = { RATE_LIMITS: "off", PASSWORD_TEST_COST: "1" };
  const authSecret = randomBytes(32).toString("base64url"); // shared with extra nodes
  const redisUrl = process.env.REDIS_URL ?? null;
  const stack = await startStack({
    port: 0,
    persistTo,
    postgres,
    ...(redisUrl ? { redisUrl } : {}),
    authSecret,
    vars,
    log,
  });
  const baselines = [await startBaseline({ persistTo: `${persistTo}-baseline`, log })];
  const baseline = baselines[0]!;
  const rows: Row[] = [];
  /** Scenario failures that must fail the run (a benchmark that loses messages is not a result). */
  const failures: string[] = [];
  try {
    const client = () => new MessengerClient({ baseUrl: stack.baseUrl, minBackoffMs: 100, maxBackoffMs: 1_000 });
    const register = async (name: string) => {
      const c = client();
      const { user } = await c.api.register({
        username: `${name}_${runId}`,
        password: "bench-password-1",
        displayName: name,
      });
      return { c, id: user.id };
    };
    const alice = await register("alice");
    const bob = await register("bob");

    log("echo baseline…");
    const echo = await benchEcho(baseline.baseUrl, {
      roundTrips: quick ? 100 : 1000,
      throughputMs: quick ? 1_000 : 5_000,
      window: 10,
    });
    rows.push(...echoRows(echo));

    if (only.has("1to1")) {
      log("1:1 send → deliver…");
      const oneToOne = await benchOneToOne(alice.c, bob.c, bob.id, {
        messages: quick ? 100 : 500,
        throughputMs: quick ? 1_000 : 5_000,
        window: 10,
      });
      rows.push(
        {
          scenario: "1:1 send → deliver",
          metric: "latency p50",
          value: oneToOne.p50,
          unit: "ms",
          baseline: echo.p50,
          better: "lower",
        },
        {
          scenario: "1:1 send → deliver",
          metric: "latency p99",
          value: oneToOne.p99,
          unit: "ms",
          baseline: echo.p99,
          better: "lower",
        },
        {
          scenario: "1:1 sustained (one conversation)",
          metric: "messages/s (window 10)",
          value: oneToOne.perSecond,
          unit: "/s",
          baseline: echo.perSecond,
          better: "higher",
        },
      );
    }

    const rooms = ROOM_SCENARIOS.filter((name) => only.has(name));
    const othersNeeded = Math.max(groupMembers - 1, rooms.length > 0 ? roomMembers - 1 : 0);
    log(`registering ${othersNeeded} users…`);
    // In batches: hundreds of parallel registrations would exceed the local Postgres connection limit.
    const others: Awaited<ReturnType<typeof register>>[] = [];
    for (let i = 0; i < othersNeeded; i += 20) {
      const batch = Array.from({ length: Math.min(20, othersNeeded - i) }, (_, j) => register(`m${i + j}`));
      others.push(...(await Promise.all(batch)));
    }

    if (rooms.length > 0) {
      // Product and bare room, alternating per scenario, on users whose hubs are still quiet.
      const sides = {
        baselineUrl: baseline.baseUrl,
        productUrl: stack.baseUrl,
        users: [await register("roomer"), ...others],
        cursors: new Map<string, number>(),
        seconds: roomSeconds,
        runId,
        log,
      };
      for (const name of rooms) rows.push(...(await benchRoomScenario(name, roomMembers, sides)));
    }

    if (only.has("group")) {
      const sender = await register("gsender");
      log("group fan-out…");
      const group = await benchGroup(
        sender.c,
        others.map((o) => o.c),
        others.map((o) => o.id),
        { messages: quick ? 5 : 20 },
      );
      rows.push(
        {
          scenario: `group fan-out (${group.members} members)`,
          metric: "send → last member p50",
          value: group.p50,
          unit: "ms",
          baseline: echo.p50,
          better: "lower",
        },
        {
          scenario: `group fan-out (${group.members} members)`,
          metric: "send → last member p99",
          value: group.p99,
          unit: "ms",
          baseline: echo.p99,
          better: "lower",
        },
        {
          scenario: `group receipts (${group.members} members)`,
          metric: "status events to sender per message",
          value: group.receiptFramesPerMessage,
          unit: "",
        },
      );
    }

    if (only.has("mixed")) {
      // One load point per rate, each with its own users (a new device would replay the last run's events).
      const { users: perRun, ...shape } = mixedShape(quick);
      for (const [i, rate] of mixedRates.entries()) {
        const users = others.slice(i * perRun, (i + 1) * perRun).map((o) => ({ token: o.c.api.token!, id: o.id }));
        if (users.length < 4) break;
        log(`mixed traffic: ${users.length} users, ${rate} msg/s offered for ${mixedSeconds} s…`);
        const mixed = await benchMixed(users, {
          baseUrl: stack.baseUrl,
          seconds: mixedSeconds,
          messagesPerSecond: rate,
          ...shape,
        });
        const errors = mixed.sendErrors + mixed.lost + mixed.duplicated + mixed.errorFrames;
        if (errors > 0) failures.push(`mixed traffic at ${rate}/s had ${errors} errors (must be 0)`);
        rows.push(...mixedRows(mixed, mixedSeconds, echo));
      }
    }

    if (only.has("sockets")) {
      const perNode = socketsPerNode();
      const nodeCount = Math.ceil(idleSockets / perNode);
      log(`idle sockets: ${idleSockets} on ${nodeCount} local node(s) of ≤${perNode} sockets (open-file limit)…`);
      const extra = await startNodes(nodeCount - 1, {
        shardUrls: stack.shardUrls,
        redisUrl,
        authSecret,
        vars,
        persistRoot: persistTo,
        log,
      });
      try {
        const nodes = [stack, ...extra].map((n) => n.baseUrl);
        const ports = nodes.map((url) => Number(new URL(url).port));
        // Echo sockets on as many baseline Workers as product nodes: node by index, ten objects per node.
        for (let n = 1; n < nodeCount; n++)
          baselines.push(await startBaseline({ persistTo: `${persistTo}-baseline-${n}`, log }));
        const echoNodes = baselines.map((b) => b.baseUrl.replace(/^http/, "ws"));
        const echoHeld = await holdSockets(
          baselines.map((b) => b.port),
          idleSockets,
          (i) => openSocket(`${echoNodes[i % echoNodes.length]!}/echo?room=idle${i % 10}`),
        );
        await closeAll(echoHeld.sockets);
        // Hub devices: every user's devices on one node (a user's hub lives in one place).
        const owners = others;
        const hubHeld = await holdSockets(ports, idleSockets, (i) => {
          const o = i % owners.length;
          const owner = owners[o]!;
          return openHubDevice(nodes[o % nodes.length]!, owner.c.api.token!, `idle-${i}`);
        });
        await closeAll(hubHeld.sockets);
        const hubs = `idle devices on user hubs (${owners.length} users, ${nodes.length} nodes)`;
        rows.push(
          {
            scenario: "baseline: idle sockets on bare echo objects",
            metric: "sockets held",
            value: echoHeld.opened,
            unit: "",
          },
          {
            scenario: "baseline: idle sockets on bare echo objects",
            metric: "memory per socket (workerd RSS)",
            value: echoHeld.kbPerSocket,
            unit: "KB",
          },
          { scenario: hubs, metric: "sockets held", value: hubHeld.opened, unit: "", baseline: echoHeld.opened },
          {
            scenario: hubs,
            metric: "memory per socket (workerd RSS)",
            value: hubHeld.kbPerSocket,
            unit: "KB",
            baseline: echoHeld.kbPerSocket,
            better: "lower",
          },
          {
            scenario: hubs,
            metric: "connects/s (ticket + upgrade + hello)",
            value: hubHeld.openPerSecond,
            unit: "/s",
            baseline: echoHeld.openPerSecond,
            better: "higher",
          },
        );
      } finally {
        await stopNodes(extra);
      }
    }

    if (only.has("media")) {
      log("media throughput…");
      const media = await benchMedia(stack.baseUrl, alice.c.api.token!, baseline.baseUrl);
      const figure = (prefix: string) => media.find((m) => m.name.startsWith(prefix))?.value;
      for (const m of media) {
        const isBaseline = !m.name.startsWith("media ");
        const base = m.name.startsWith("media upload")
          ? figure("R2 direct put")
          : m.name.startsWith("media download")
            ? figure("R2 direct get")
            : undefined;
        rows.push({
          scenario: isBaseline ? "baseline: R2 without the media pipeline" : "media through the Worker",
          metric: m.name,
          value: m.value,
          unit: m.unit,
          ...(base !== undefined ? { baseline: base, better: "higher" as const } : {}),
        });
      }
    }
  } finally {
    for (const b of baselines) await b.stop().catch(() => undefined);
    await stack.stop({ dropDatabases: true }).catch(() => undefined);
    await rm(persistTo, { recursive: true, force: true });
    for (const [n] of baselines.entries())
      await rm(`${persistTo}-baseline${n === 0 ? "" : `-${n}`}`, { recursive: true, force: true });
  }
  console.log(
    `\nedge-messenger bench — ${new Date().toISOString()} — ${quick ? "quick" : "full"} run, one machine, wrangler dev (local workerd)\n`,
  );
  printTable(rows);
  if (failures.length > 0) throw new Error(`bench: ${failures.join("; ")}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
