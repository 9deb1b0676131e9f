/**
 * `npm run bench`: starts a private local stack (wrangler dev, a fresh Postgres database, Redis when
 * REDIS_URL is set) with the dev-only bench routes, runs each scenario, and prints one table. Every
 * figure that has a natural baseline is shown beside that baseline measured in the same run, and as
 * a ratio: machines are noisy, ratios travel.
 *
 * BENCH_QUICK=1 shrinks every scenario (a smoke run); BENCH_GROUP_MEMBERS sets the group size (200);
 * BENCH_IDLE_SOCKETS the idle-socket count (2,000).
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { MessengerClient } from "../client/sdk/index.ts";
import { canConnect, urlsFromEnv, withDatabase } from "../scripts/postgres.ts";
import { startStack } from "../scripts/stack.ts";
import { benchEcho, echoRows } from "./echo.ts";
import { benchGroup } from "./group.ts";
import { openSocket, printTable, type Row } from "./lib.ts";
import { closeAll, holdSockets, openHubDevice } from "./sockets.ts";
import { benchMedia } from "./media.ts";
import { benchOneToOne } from "./messaging.ts";

const quick = process.env.BENCH_QUICK === "1";
const groupMembers = Number(process.env.BENCH_GROUP_MEMBERS ?? (quick ? 20 : 200));
/** Idle sockets per scenario (the local dev server's file limits cap this well below production). */
const idleSockets = Number(process.env.BENCH_IDLE_SOCKETS ?? (quick ? 200 : 2_000));
const log = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<void> {
  const runId = randomBytes(3).toString("hex");
  const persistTo = resolve(`.data/bench-${runId}`);
  const configured = urlsFromEnv()[0];
  const local = "postgres://postgres@127.0.0.1:5432/test";
  const server = configured ?? ((await canConnect(local)) ? local : null);
  const postgres = server
    ? { urls: [withDatabase(server, `msgr_bench_${runId}`)], log }
    : { databases: [`msgr_bench_${runId}`], log };
  const stack = await startStack({
    port: 0,
    persistTo,
    postgres,
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    // Rate limits off: the bench registers hundreds of users from one address on purpose.
    vars: { BENCH_ROUTES: "1", RATE_LIMITS: "off" },
    log,
  });
  const rows: Row[] = [];
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
    const echo = await benchEcho(stack.baseUrl, alice.c.api.token!, {
      roundTrips: quick ? 100 : 1000,
      throughputMs: quick ? 1_000 : 5_000,
      window: 10,
    });
    rows.push(...echoRows(echo));

    log("1:1 send → deliver…");
    const oneToOne = await benchOneToOne(alice.c, bob.c, bob.id, {
      messages: quick ? 100 : 500,
      throughputMs: quick ? 1_000 : 5_000,
      window: 10,
    });
    rows.push(
      { scenario: "1:1 send → deliver", metric: "latency p50", value: oneToOne.p50, unit: "ms", baseline: echo.p50 },
      { scenario: "1:1 send → deliver", metric: "latency p99", value: oneToOne.p99, unit: "ms", baseline: echo.p99 },
      {
        scenario: "1:1 sustained (one conversation)",
        metric: "messages/s (window 10)",
        value: oneToOne.perSecond,
        unit: "/s",
        baseline: echo.perSecond,
      },
    );

    log(`registering ${groupMembers} group members…`);
    // In batches: hundreds of parallel registrations would exceed the local Postgres connection limit.
    const others: Awaited<ReturnType<typeof register>>[] = [];
    for (let i = 0; i < groupMembers - 1; i += 20) {
      const batch = Array.from({ length: Math.min(20, groupMembers - 1 - i) }, (_, j) => register(`m${i + j}`));
      others.push(...(await Promise.all(batch)));
    }
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
      },
      {
        scenario: `group fan-out (${group.members} members)`,
        metric: "send → last member p99",
        value: group.p99,
        unit: "ms",
        baseline: echo.p99,
      },
      {
        scenario: `group receipts (${group.members} members)`,
        metric: "status events to sender per message",
        value: group.receiptFramesPerMessage,
        unit: "",
      },
    );

    log(`idle sockets: ${idleSockets} to the bare echo object, then ${idleSockets} hub devices…`);
    const port = Number(new URL(stack.baseUrl).port);
    const echoHeld = await holdSockets(port, idleSockets, (i) =>
      openSocket(`${stack.baseUrl.replace(/^http/, "ws")}/v1/_bench/echo?room=idle${i % 10}`, ["messenger.v1"]),
    );
    closeAll(echoHeld.sockets);
    const owners = others.slice(0, 20);
    const hubHeld = await holdSockets(port, idleSockets, (i) => {
      const owner = owners[i % owners.length]!;
      return openHubDevice(stack.baseUrl, owner.c.api.token!, `idle-${i}`);
    });
    closeAll(hubHeld.sockets);
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
      {
        scenario: `idle devices on user hubs (${owners.length} users)`,
        metric: "sockets held",
        value: hubHeld.opened,
        unit: "",
        baseline: echoHeld.opened,
      },
      {
        scenario: `idle devices on user hubs (${owners.length} users)`,
        metric: "memory per socket (workerd RSS)",
        value: hubHeld.kbPerSocket,
        unit: "KB",
        baseline: echoHeld.kbPerSocket,
      },
      {
        scenario: `idle devices on user hubs (${owners.length} users)`,
        metric: "connects/s (ticket + upgrade + hello)",
        value: hubHeld.openPerSecond,
        unit: "/s",
        baseline: echoHeld.openPerSecond,
      },
    );

    log("media throughput…");
    const media = await benchMedia(stack.baseUrl, alice.c.api.token!);
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
        ...(base !== undefined ? { baseline: base } : {}),
      });
    }
  } finally {
    await stack.stop({ dropDatabases: true }).catch(() => undefined);
    await rm(persistTo, { recursive: true, force: true });
  }
  console.log(
    `\nedge-messenger bench — ${new Date().toISOString()} — ${quick ? "quick" : "full"} run, one machine, wrangler dev (local workerd)\n`,
  );
  printTable(rows);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
