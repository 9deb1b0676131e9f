/**
 * Starts the local stack once for the integration project: two fresh Postgres shard databases,
 * Redis (logical db 15, flushed) behind the Upstash shim, and `wrangler dev` on a free port with
 * HOT_WINDOW_MESSAGES=20 so history reads reach Postgres. Hands the addresses to tests via `provide`
 * (see provided.d.ts) and serves a tiny localhost control endpoint so a test can restart the dev
 * server mid-stream (tests/integration/stack-control.ts). Everything is dropped at teardown.
 * The web client is built first, so the same stack serves the browser tests in tests/e2e.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { readdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { dropDatabases, scratchDatabases, withDatabase } from "../../scripts/postgres.ts";
import { startStack, type Stack } from "../../scripts/stack.ts";
import { generateVapidKeys } from "../../scripts/vapid-keys.ts";

const LOCAL_REDIS = "redis://127.0.0.1:6379";
const EMBEDDED_TEST_PORT = 54330;
const STALE_AFTER_MS = 6 * 3600_000;

const log = (line: string) => console.log(`[stack] ${line}`);

/** Redis db 15 of REDIS_URL (must answer) or of a local Redis (optional), flushed; null = caching off. */
async function pickRedis(): Promise<string | null> {
  const explicit = process.env.REDIS_URL;
  const url = new URL(explicit ?? LOCAL_REDIS);
  url.pathname = "/15";
  const redis = new Redis(url.toString(), {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.flushdb();
    return url.toString();
  } catch (err) {
    if (explicit) throw new Error(`REDIS_URL is set but Redis does not answer: ${String(err)}`);
    return null;
  } finally {
    redis.disconnect();
  }
}

/** POST /restart {"signal":"SIGTERM"|"SIGKILL"} with the run's token → restarts wrangler, answers when healthy. */
function serveControl(stack: Stack, token: string): Promise<Server> {
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    const route = req.url === "/restart" || req.url === "/dependency" ? req.url : null;
    if (req.method !== "POST" || !route || req.headers["x-stack-token"] !== token) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const signal = text.includes('"SIGKILL"') ? "SIGKILL" : "SIGTERM";
      // POST /dependency {"name":"postgres"|"redis","up":bool}: fault injection for the soak.
      const name = text.includes('"redis"') ? "redis" : "postgres";
      const up = !text.includes('"up":false');
      queue = queue
        .then(() => (route === "/dependency" ? stack.setDependency(name, up) : stack.restartWorker({ signal })))
        .then(
          () => void res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
          (err: unknown) => void res.writeHead(500, { "content-type": "text/plain" }).end(String(err)),
        );
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** Drops databases and files of runs that died without teardown (run ids start with a base-36 timestamp). */
async function sweepStaleRuns(serverUrl: string): Promise<void> {
  const cutoff = Date.now() - STALE_AFTER_MS;
  const isStale = (runId: string) => parseInt(runId.slice(0, -4), 36) < cutoff;
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname ~ '^msgr_it_[0-9a-z]+_[0-9]+$'",
    );
    const stale = rows.map((r) => r.datname).filter((name) => isStale(name.split("_")[2] ?? ""));
    await dropDatabases(stale.map((name) => withDatabase(serverUrl, name)));
  } finally {
    await client.end();
  }
  for (const entry of await readdir(".data").catch(() => [])) {
    const runId = /^test-([0-9a-z]+)$/.exec(entry)?.[1];
    if (runId && isStale(runId)) await rm(resolve(".data", entry), { recursive: true, force: true });
  }
}

/** The web client must be built before wrangler serves it (tests/e2e drive it in Chromium). */
function buildWebClient(): void {
  const started = Date.now();
  const result = spawnSync("npm", ["run", "--silent", "build:web"], { stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error("web: `npm run build:web` failed");
  log(`web client built in ${Date.now() - started} ms`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildWebClient();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const persistTo = resolve(`.data/test-${runId}`);
  // Two per-run databases (two shards): the configured server, else local :5432, else embedded.
  const postgres = await scratchDatabases([`msgr_it_${runId}_0`, `msgr_it_${runId}_1`], {
    dataDir: resolve(".data/postgres-test"),
    port: EMBEDDED_TEST_PORT,
  });
  const redisUrl = await pickRedis();

  const cleanFiles = () => rm(persistTo, { recursive: true, force: true });
  const stack = await startStack({
    port: 0,
    persistTo,
    postgres: { ...postgres, log },
    ...(redisUrl ? { redisUrl } : {}),
    // Push (issue 8): a fresh VAPID pair, and a fake push service on 127.0.0.1 allowed.
    // RATE_LIMITS=off: these tests burst 1,000s of sends and register 100s of users from one IP.
    vars: {
      HOT_WINDOW_MESSAGES: "20",
      RATE_LIMITS: "off",
      PUSH_ALLOW_INSECURE: "1",
      ...generateVapidKeys("mailto:tests@localhost"),
    },
    wranglerLogFile: resolve(".data/test-wrangler.log"),
    log,
  }).catch(async (err: unknown) => {
    if (postgres.urls.length > 0) await dropDatabases(postgres.urls).catch(() => undefined);
    await cleanFiles();
    throw err;
  });
  await sweepStaleRuns(stack.shardUrls[0] ?? "").catch((err: unknown) => log(`sweep: ${String(err)}`));
  const token = randomBytes(16).toString("hex");
  const control = await serveControl(stack, token);
  const address = control.address();
  const controlPort = typeof address === "object" && address ? address.port : 0;

  project.provide("baseUrl", stack.baseUrl);
  project.provide("healthSecret", stack.healthSecret);
  project.provide("shardUrls", stack.shardUrls);
  project.provide("redisRest", stack.redisRest);
  project.provide("redisUrl", stack.redisUrl);
  project.provide("stackControlUrl", `http://127.0.0.1:${controlPort}/restart#${token}`);

  return async () => {
    control.closeAllConnections();
    await new Promise<void>((ok) => control.close(() => ok()));
    await stack.stop({ dropDatabases: true });
    await cleanFiles();
  };
}
