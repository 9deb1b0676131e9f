/**
 * The running product for anyone's test suite, in one call:
 *
 *   const product = await startProduct();
 *   await fetch(`${product.baseUrl}/health`);
 *   await product.stop();
 *
 * `startProduct` assembles what `npm run dev` runs (scripts/stack.ts): the Worker and both Durable
 * Objects under `wrangler dev --local` with R2, fresh Postgres databases, Redis when there is one,
 * and the built web client. Postgres is the server of DATABASE_URLS / DATABASE_URL, else the local
 * one at 127.0.0.1:5432 when it answers, else an embedded server (scripts/postgres.ts). Each product
 * gets its own port, databases and Durable Object / R2 state, so several can run side by side;
 * `stop()` drops and deletes them. tests/integration/global-setup.ts starts the integration stack
 * with it; tests/integration/harness.test.ts shows a second one.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { dropDatabases, scratchDatabases, withDatabase } from "../scripts/postgres.ts";
import { startStack, type Stack } from "../scripts/stack.ts";
import { generateVapidKeys } from "../scripts/vapid-keys.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DATA = resolve(ROOT, ".data");
/** The embedded Postgres for tests (when no server is configured or local): apart from `npm run dev`'s 54329. */
const EMBEDDED_TEST_PORT = 54330;
/** Databases and state of runs that died without stop() are swept once this old. */
const STALE_AFTER_MS = 6 * 3600_000;
/** Names of the scratch databases: `msgr_it_<run id>_<shard>`, the run id starting with a base-36 time. */
const SCRATCH_DATABASE = /^msgr_it_[0-9a-z]+_[0-9]+$/;

export interface ProductOptions {
  /** HTTP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** How many Postgres shard databases to create for this product (default 1); dropped by stop(). */
  shards?: number;
  /** Use these shard databases instead (created when missing, kept by stop()). */
  databaseUrls?: string[];
  /** Redis for caches and rate limits, reached through the local Upstash shim (default REDIS_URL; null = off). */
  redisUrl?: string | null;
  /** Worker vars on top of the defaults, e.g. `{ RATE_LIMITS: "off" }` for suites that register many users. */
  vars?: Record<string, string>;
  /** HMAC key for session tokens (default: random per product). */
  authSecret?: string;
  /** Rebuild the web client even when client/web/dist has one (default: build only when missing). */
  rebuildWebClient?: boolean;
  /** Also append wrangler's output to this file. */
  wranglerLogFile?: string;
  /** Progress lines (default: none; failures carry wrangler's log in their message anyway). */
  log?: (line: string) => void;
}

export interface Product {
  /** e.g. http://127.0.0.1:41234 (no trailing slash): REST API, WebSocket upgrade and web client. */
  baseUrl: string;
  /** Bearer secret of `GET /health/ready` (readiness per dependency). */
  healthSecret: string;
  /** Bearer secret of the report queue (`/v1/operator/reports…`). */
  operatorSecret: string;
  /** Postgres shard URLs in shard order (plain TCP, for looking at rows with `pg`). */
  shardUrls: string[];
  /** The Redis behind the shim, or null when caching is off. */
  redisUrl: string | null;
  /** The Upstash REST endpoint the Worker uses, or null. */
  redisRest: { url: string; token: string } | null;
  /** Kills the Worker (and workerd) and starts it again on the same port with the same state. */
  restartWorker: Stack["restartWorker"];
  /** Makes Postgres or Redis unreachable from the Worker, or reachable again. */
  setDependency: Stack["setDependency"];
  /** Stops everything started for this product and deletes its databases and state; the port is closed when it resolves. */
  stop(): Promise<void>;
}

/** Starts a product and resolves once `GET /health/ready` answers 200. */
export async function startProduct(options: ProductOptions = {}): Promise<Product> {
  const log = options.log ?? (() => undefined);
  buildWebClient(options.rebuildWebClient ?? false, log);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const persistTo = resolve(DATA, `test-${runId}`);
  const scratch = options.databaseUrls === undefined;
  const names = Array.from({ length: options.shards ?? 1 }, (_, shard) => `msgr_it_${runId}_${shard}`);
  const postgres = scratch
    ? await scratchDatabases(names, { dataDir: resolve(DATA, "postgres-test"), port: EMBEDDED_TEST_PORT })
    : { urls: options.databaseUrls ?? [] };

  const stack = await startStack({
    port: options.port ?? 0,
    persistTo,
    postgres: { ...postgres, log },
    redisUrl: options.redisUrl,
    ...(options.authSecret ? { authSecret: options.authSecret } : {}),
    vars: { ...generateVapidKeys("mailto:tests@localhost"), ...options.vars },
    ...(options.wranglerLogFile ? { wranglerLogFile: options.wranglerLogFile } : {}),
    log,
  }).catch(async (err: unknown) => {
    if (scratch && postgres.urls.length > 0) await dropDatabases(postgres.urls).catch(() => undefined);
    await rm(persistTo, { recursive: true, force: true });
    throw err;
  });
  if (scratch) await sweepStaleRuns(stack.shardUrls[0] ?? "").catch((err: unknown) => log(`sweep: ${String(err)}`));

  let stopping: Promise<void> | null = null;
  return {
    baseUrl: stack.baseUrl,
    healthSecret: stack.healthSecret,
    operatorSecret: stack.operatorSecret,
    shardUrls: stack.shardUrls,
    redisUrl: stack.redisUrl,
    redisRest: stack.redisRest,
    restartWorker: (restart) => stack.restartWorker(restart),
    setDependency: (name, up) => stack.setDependency(name, up),
    stop() {
      stopping ??= (async () => {
        await stack.stop({ dropDatabases: scratch });
        await rm(persistTo, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** wrangler serves client/web/dist; without a build the API works but `/` has no app. */
function buildWebClient(always: boolean, log: (line: string) => void): void {
  if (!always && existsSync(resolve(ROOT, "client/web/dist/index.html"))) return;
  const started = Date.now();
  const result = spawnSync("npm", ["run", "--silent", "build:web"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (result.status !== 0) throw new Error("web: `npm run build:web` failed");
  log(`web client built in ${Date.now() - started} ms`);
}

/** Drops databases and state of products that died without stop() (their run id starts with a base-36 time). */
async function sweepStaleRuns(serverUrl: string): Promise<void> {
  const cutoff = Date.now() - STALE_AFTER_MS;
  const isStale = (runId: string) => parseInt(runId.slice(0, -4), 36) < cutoff;
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database");
    const stale = rows
      .map((r) => r.datname)
      .filter((name) => SCRATCH_DATABASE.test(name) && isStale(name.split("_")[2] ?? ""));
    await dropDatabases(stale.map((name) => withDatabase(serverUrl, name)));
  } finally {
    await client.end();
  }
  for (const entry of await readdir(DATA).catch(() => [])) {
    const runId = /^test-([0-9a-z]+)$/.exec(entry)?.[1];
    if (runId && isStale(runId)) await rm(resolve(DATA, entry), { recursive: true, force: true });
  }
}
